"""Every kind of record and every named query as a table, written as UTF-8 CSV and described by a
Frictionless Data Package (`datapackage.json`), so that `frictionless validate` checks the files.

The rules, the same in every table (docs/EXPORTS.md says them to users):

- one row per record, its `id` first and its `iri` second; the other columns are the fields
  curators write in data/ (data/README.md), under the same names; codes are the concept schemes'
  codes, references are ids;
- a field that holds several values is one cell, its values sorted and joined with "; " (no
  code or id contains it); exact values, one per row, are in the long tables;
- long tables for the links: `roles` (measure x actor or kind of body x role, with the words of
  the source), `links` (every reference between records: record, field, target) and `sources`
  (every passage: record, document, section, verbatim quote);
- measures also carry what the build derives (measure kind, actor and funder sector, DAC purpose,
  GCM objectives) and the IATI Activity Status code;
- booleans are `true` / `false`, dates their lexical form (`2019`, `2020-11`, `2020-11-26`), an
  empty cell is a value not stated.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from ..graph.queries import LIST_SEPARATOR, NamedQuery, library, records, run
from ..loaders.schema import KINDS, ROLE_PROPERTIES, Field
from .extract import Extract, kinds

TYPES = {"str": "string", "text": "string", "strs": "string", "bool": "boolean", "number": "number", "date": "string",
         "concept": "string", "concepts": "string", "ref": "string", "refs": "string"}
ROLES = list(ROLE_PROPERTIES)
DERIVED = (("measure_kind", "measureKind", "dedicated, component or general-population (derived by the build)"),
           ("actor_sector", "actorSector", "state or non-state: whether a State actor takes part; empty where the "
                                           "sources state no actor (derived by the build)"),
           ("funder_sector", "funderSector", "state or non-state: whether a State body funds it; empty where no "
                                             "funder is stated (derived by the build)"),
           ("dac_purpose", "dacPurpose", "OECD DAC CRS purpose code (15190 for a measure designed for migrant "
                                         "workers or returnees; empty for a general-population scheme)"),
           ("gcm_objectives", "gcmObjective", "objectives of the Global Compact for Migration it serves (21 by the "
                                              "rule in ontology/concepts.ttl)"))


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"          # a Table Schema type: string, integer, number, boolean
    description: str = ""


@dataclass
class Table:
    name: str                     # the file name without .csv
    title: str
    description: str
    columns: list[Column]
    rows: list[dict]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict] = field(default_factory=list)
    folder: str = ""              # "" for records and links, "queries" for the named queries

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}.csv" if self.folder else f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def cells(self, row: dict) -> list[str]:
        return [cell(row.get(c.name)) for c in self.columns]

    def csv(self, rows: list[dict] | None = None) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self.cells(r) for r in (self.rows if rows is None else rows))
        return out.getvalue().encode("utf-8")

    def resource(self) -> dict:
        """The Data Package resource describing the file."""
        schema: dict = {"fields": [{"name": c.name, "type": c.type} | ({"description": c.description} if c.description
                                                                         else {}) for c in self.columns]}
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        name = f"{self.folder}-{self.name}" if self.folder else self.name  # unique: queries/findings != findings
        return {"name": name, "path": self.path, "title": self.title, "description": self.description,
                "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "schema": schema}


def cell(value) -> str:
    """A value as the text of a CSV cell (see the module's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return LIST_SEPARATOR.join(cell(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------------- the records

def _describe(spec: Field) -> str:
    many = spec.type in ("strs", "concepts", "refs")
    text = spec.help
    if spec.type in ("concept", "concepts"):
        text = text or f"code{'s' if many else ''} of the {spec.scheme} scheme"
    elif spec.type in ("ref", "refs"):
        text = text or f"id{'s' if many else ''} of {' or '.join(KINDS[t].label + 's' for t in spec.targets)}"
    elif spec.type == "date":
        text = text or "a year, month or day"
    if many:
        text += "; several values joined with '; '"
    return text


def _fields(kind: str) -> list[Field]:
    return [f for f in KINDS[kind].fields if f.name != "id" and (f.predicate is not None or f.type == "filed_under")
            and f.type not in ("source", "roles")]


def record_table(x: Extract, kind: str) -> Table:
    spec = KINDS[kind]
    columns = [Column("id", description=f"the {spec.label}'s id, stable across versions"),
               Column("iri", description="its IRI, which resolves on the API")]
    for f in _fields(kind):
        if f.type == "filed_under":
            columns += [Column("filed_under_dimension", description="the dimension of the heading the source files it under"),
                        Column("filed_under_level", description="the level of the heading the source files it under")]
        else:
            columns.append(Column(f.name, TYPES.get(f.type, "string"), _describe(f)))
    if kind == "measures":
        columns.append(Column("status_iati", description="the IATI Activity Status code of `status` (1 pipeline, "
                                                         "2 implementation, 4 closed); empty where none matches"))
        columns += [Column(name, description=text) for name, _, text in DERIVED]
        columns += [Column(role, description=f"ids of the actors in the role {role} (every role, with the kinds of "
                                             "body the sources name without naming one, is in roles.csv)")
                    for role in ROLES]
    columns.append(Column("source_sections", description="the sections of the passages it rests on; the passages "
                                                         "themselves are in sources.csv"))
    rows = []
    for rid, record in x.catalogue.kind(kind).items():
        row = {k: v for k, v in record.items() if k not in ("source", "roles", "role_types", "filed_under")}
        row |= {"id": rid, "iri": x.iri(kind, rid)}
        filed = record.get("filed_under") or {}
        row |= {"filed_under_dimension": filed.get("dimension"), "filed_under_level": filed.get("level")}
        if kind == "measures":
            status = record.get("status")
            row["status_iati"] = x.concept_annotation("measure-status", status, "iatiCode") if status else None
            row |= {name: x.annotation(kind, rid, annotation) for name, annotation, _ in DERIVED}
            row |= {role: (record.get("roles") or {}).get(role, []) for role in ROLES}
        row["source_sections"] = sorted({s["section"] for s in record.get("source", []) if s.get("section")})
        rows.append(row)
    return Table(kind, f"{spec.label.capitalize()}s", f"Every {spec.label} of the graph, one per row.", columns, rows,
                 ["id"])


def countries_table(x: Extract) -> Table:
    from ..loaders.schema import CONCEPT

    columns = [Column("code", description="ISO 3166-1 alpha-3 code"),
               Column("iri", description="its IRI, which resolves on the API"),
               Column("iso_alpha2", description="ISO 3166-1 alpha-2 code (what IATI's recipient-country uses)"),
               Column("name"), Column("focus", "boolean", description="one of the five countries of origin mapped"),
               Column("wikidata", description="the Wikidata item (skos:exactMatch)")]
    rows = []
    for code, country in x.catalogue.countries.items():
        iri = f"{CONCEPT}country/{code}"
        rows.append({"code": code, "iri": iri, "iso_alpha2": next(iter(x.annotations.get(iri, {}).get("isoAlpha2", [])), None),
                     "name": country["name"], "focus": country["focus"], "wikidata": country["wikidata"]})
    return Table("countries", "Countries", "Countries by ISO code, with their Wikidata items.", columns, rows, ["code"])


def roles_table(x: Extract) -> Table:
    columns = [Column("involvement", description="the role's own id: the measure's id, '#', the role and the actor"),
               Column("measure", description="id of the measure"), Column("role", description="code of the role scheme"),
               Column("role_iati", description="IATI Organisation Role code (1 funding, 2 accountable, 3 extending, "
                                               "4 implementing); empty for roles IATI has no code for"),
               Column("actor", description="id of the actor; empty where the source names only the kind of body"),
               Column("actor_name"),
               Column("actor_type", description="the actor's type, or the kind of body the source names"),
               Column("named", "boolean", description="false where the source names only the kind of body"),
               Column("stated_as", description="the words of the source the role rests on")]
    rows = []
    for i in x.involvements:
        actor = x.catalogue.get("actors", i.actor) if i.actor else None
        rows.append({"involvement": i.key, "measure": i.measure, "role": i.role, "role_iati": i.role_iati,
                     "actor": i.actor, "actor_name": actor.get("name") if actor else None,
                     "actor_type": actor.get("type") if actor else i.actor_type, "named": i.actor is not None,
                     "stated_as": i.words})
    return Table("roles", "Roles of actors in measures",
                 "The long table of measure x actor (or kind of body) x role: one row per role a source states.",
                 columns, rows, ["involvement"],
                 [{"fields": "measure", "reference": {"resource": "measures", "fields": "id"}},
                  {"fields": "actor", "reference": {"resource": "actors", "fields": "id"}}])


def links_table(x: Extract) -> Table:
    columns = [Column("kind", description="the kind of the record that refers"), Column("id"),
               Column("field", description="the field of that record (as curators write it)"),
               Column("target_kind"), Column("target")]
    rows = []
    for kind in kinds():
        refs = [f for f in KINDS[kind].fields if f.type in ("ref", "refs")]
        for rid, record in x.catalogue.kind(kind).items():
            for spec in refs:
                value = record.get(spec.name)
                for target in value if isinstance(value, list) else [value] if value else []:
                    target_kind = x.catalogue.kind_of.get(target)
                    rows.append({"kind": kind, "id": rid, "field": spec.name, "target": target,
                                 "target_kind": target_kind})
    return Table("links", "Links between records",
                 "Every reference of one record to another (part_of, implements, about, addresses, members, ...), "
                 "one per row.", columns, rows, ["kind", "id", "field", "target"])


def sources_table(x: Extract) -> Table:
    columns = [Column("kind", description="the kind of the record, or 'role' for the passage of one role"),
               Column("id", description="the record's id, or the role's (see roles.csv)"),
               Column("n", "integer", description="the passage's rank among the record's"),
               Column("document", description="id of the source document"), Column("section"),
               Column("quote", description="the verbatim quote"),
               Column("supports", description="the fields this passage is the evidence for, where the curator says")]
    rows = []
    for kind in kinds():
        for rid in x.catalogue.kind(kind):
            for n, p in enumerate(x.passages.get(x.iri(kind, rid), []), start=1):
                rows.append({"kind": kind, "id": rid, "n": n, "document": p.document, "section": p.section,
                             "quote": p.quote, "supports": list(p.supports)})
    for i in x.involvements:
        for n, p in enumerate(i.passages, start=1):
            rows.append({"kind": "role", "id": i.key, "n": n, "document": p.document, "section": p.section,
                         "quote": p.quote})
    return Table("sources", "Source passages",
                 "Every passage a record (or a role) rests on: document, section and verbatim quote.",
                 columns, rows, ["kind", "id", "n"],
                 [{"fields": "document", "reference": {"resource": "documents", "fields": "id"}}])


# ---------------------------------------------------------------------------- the named queries

def _type_of(values: list) -> str:
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "number"
    return "string"


def query_table(query: NamedQuery, found: list[dict]) -> Table:
    """A named query's answer (rows as plain values, `rkg.graph.queries.records`) as a table."""
    names = query.columns or (list(found[0]) if found else [])
    columns = [Column(c, "string" if c in query.lists else _type_of([r.get(c) for r in found]),
                      "several values joined with '; '" if c in query.lists else "") for c in names]
    return Table(query.name, query.title, query.answers + " (named query, default parameters)", columns, found,
                 folder="queries")


def query_tables(store) -> list[Table]:
    """Every named query (not the data checks), run with its default parameters."""
    return [query_table(query, records(run(store, query), query)) for query in library().values() if not query.check]


# ---------------------------------------------------------------------------- all of them

def record_tables(x: Extract) -> list[Table]:
    return [record_table(x, kind) for kind in kinds()] + [countries_table(x)]


def all_tables(x: Extract, store) -> list[Table]:
    return record_tables(x) + [roles_table(x), links_table(x), sources_table(x)] + query_tables(store)


def datapackage(tables: list[Table], version: str) -> dict:
    return {"profile": "tabular-data-package", "name": "reintegration-knowledge-graph", "version": f"0.0.0+{version}",
            "title": "Reintegration Knowledge Graph: support for returning migrant workers in South Asia",
            "description": "Programmes, actors, policies, findings, recommendations and figures curated from the "
                           "IOM/ILO mapping of reintegration measures in Bangladesh, India, Nepal, Pakistan and Sri "
                           f"Lanka, with every named query's answer. Data version {version}. One row per record; a "
                           "cell with several values joins them with '; '; the long tables roles, links and sources "
                           "hold them one per row.",
            "resources": [t.resource() for t in tables]}


def datapackage_json(tables: list[Table], version: str) -> bytes:
    return (json.dumps(datapackage(tables, version), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
