"""The records of the served graph as plain dicts, read once per graph through the store interface.

Each record has the fields curators write in data/ (see data/README.md), read back from RDF
with the same field table the loader writes with (`rkg.loaders.schema.KINDS`): concept values
come back as their codes, references as ids, roles as `{role: [actor ids]}` and sources as
`[{document, section, quote}]`. The resource endpoints filter and join these in memory, which
keeps them fast; the analyses stay in the named queries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import URIRef

from ..loaders.schema import CONCEPT, ID, KIND_ORDER, KINDS, RKG

PREFIXES = """PREFIX rkg: <https://w3id.org/reintegration-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
PROPERTIES = "SELECT ?s ?p ?o WHERE { ?s a ?class ; ?p ?o }"
NOTATIONS = PREFIXES + "SELECT ?c ?code WHERE { ?c skos:notation ?code }"
INVOLVEMENTS = PREFIXES + """SELECT ?measure ?actor ?role WHERE {
  ?measure rkg:involvement ?i . ?i prov:agent ?actor ; prov:hadRole/skos:notation ?role }"""
PASSAGES = PREFIXES + """SELECT ?s ?passage ?document ?section ?quote WHERE {
  ?s prov:wasDerivedFrom ?passage .
  OPTIONAL { ?passage rkg:inDocument ?document } OPTIONAL { ?passage rkg:section ?section }
  OPTIONAL { ?passage rkg:quote ?quote } }"""
COUNTRIES = PREFIXES + """SELECT ?code ?name ?focus ?match WHERE {
  ?c skos:inScheme rkg:countryScheme ; skos:notation ?code .
  OPTIONAL { ?c skos:prefLabel ?name } OPTIONAL { ?c rkg:focusCountry ?focus }
  OPTIONAL { ?c skos:exactMatch ?match } }"""
STATE_TYPES = PREFIXES + """SELECT ?code WHERE {
  ?t skos:inScheme rkg:actorTypeScheme ; skos:notation ?code ; rkg:stateSector true }"""

_SOURCE_INDEX = re.compile(r"#source-(\d+)$")


def _value(term):
    value = term.toPython() if hasattr(term, "toPython") else term
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, URIRef):
        return str(value)
    return value if isinstance(value, (bool, int, float)) else str(term)


@dataclass
class Catalogue:
    records: dict[str, dict[str, dict]]            # kind -> id -> record
    kind_of: dict[str, str]                         # id -> kind
    countries: dict[str, dict]                      # ISO code -> {code, name, focus, wikidata}
    state_types: set[str]
    # id -> [(kind of the referring record, its id, field)], e.g. a measure's findings via `about`
    incoming: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # actor id -> [(measure id, role)]
    roles_of: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store) -> "Catalogue":
        notation = {str(r["c"]): str(r["code"]) for r in store.select(NOTATIONS)}
        roles: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        for row in store.select(INVOLVEMENTS):
            roles[str(row["measure"])][str(row["role"])].add(_strip(str(row["actor"])))
        sources: dict[str, list] = defaultdict(list)
        for row in store.select(PASSAGES):
            match = _SOURCE_INDEX.search(str(row["passage"]))
            sources[str(row["s"])].append((int(match.group(1)) if match else 0, {
                "document": _strip(str(row["document"])) if row["document"] is not None else None,
                "section": str(row["section"]) if row["section"] is not None else None,
                "quote": str(row["quote"]) if row["quote"] is not None else None}))

        records: dict[str, dict[str, dict]] = {}
        kind_of: dict[str, str] = {}
        for key in KIND_ORDER:
            kind = KINDS[key]
            properties: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
            for row in store.select(PROPERTIES, {"class": kind.rdf_class}):
                subject = str(row["s"])
                if subject.startswith(kind.iri_base):
                    properties[subject][str(row["p"])].append(row["o"])
            found = {}
            for subject, props in properties.items():
                record = _record(kind, subject, props, notation, roles.get(subject, {}), sources.get(subject, []))
                found[record["id"]] = record
                kind_of[record["id"]] = key
            records[key] = dict(sorted(found.items()))

        countries = {}
        for row in store.select(COUNTRIES):
            code = str(row["code"])
            entry = countries.setdefault(code, {"code": code, "name": code, "focus": False, "wikidata": None})
            if row["name"] is not None:
                entry["name"] = str(row["name"])
            if row["focus"] is not None:
                entry["focus"] = bool(row["focus"].toPython())
            if row["match"] is not None and "wikidata.org" in str(row["match"]):
                entry["wikidata"] = str(row["match"]).rsplit("/", 1)[-1]
        state_types = {str(r["code"]) for r in store.select(STATE_TYPES)}
        catalogue = cls(records, kind_of, dict(sorted(countries.items())), state_types)
        catalogue._index()
        return catalogue

    def _index(self) -> None:
        incoming: dict[str, list] = defaultdict(list)
        roles_of: dict[str, list] = defaultdict(list)
        for key, records in self.records.items():
            ref_fields = [f for f in KINDS[key].fields if f.type in ("ref", "refs")]
            for rid, record in records.items():
                for spec in ref_fields:
                    value = record.get(spec.name)
                    for target in (value if isinstance(value, list) else [value] if value else []):
                        incoming[target].append((key, rid, spec.name))
                for role, actors in (record.get("roles") or {}).items():
                    for actor in actors:
                        roles_of[actor].append((rid, role))
        self.incoming, self.roles_of = dict(incoming), dict(roles_of)

    # ------------------------------------------------------------------ look-ups
    def kind(self, key: str) -> dict[str, dict]:
        return self.records.get(key, {})

    def get(self, key: str, rid: str) -> dict | None:
        return self.records.get(key, {}).get(rid)

    def name(self, rid: str) -> str | None:
        kind = self.kind_of.get(rid)
        record = self.records[kind][rid] if kind else None
        return record.get("name") if record else None

    def ref(self, rid: str) -> dict:
        return {"id": rid, "name": self.name(rid)}

    def typed_ref(self, rid: str) -> dict:
        kind = self.kind_of.get(rid)
        return {"id": rid, "name": self.name(rid), "kind": KINDS[kind].label if kind else None}

    def referring(self, rid: str, kind: str, via: str | None = None) -> list[str]:
        """Ids of records of `kind` that refer to `rid` (through field `via`, if given)."""
        return sorted({source for k, source, name in self.incoming.get(rid, ())
                       if k == kind and (via is None or name == via)})

    def is_state(self, actor: dict) -> bool:
        return actor.get("type") in self.state_types


def _strip(iri: str) -> str:
    """The id of a record or data concept from its IRI (`.../id/actor/iom` -> `iom`)."""
    for base in (ID, CONCEPT):
        if iri.startswith(base):
            return iri[len(base):].split("/", 1)[-1]
    return iri


def _record(kind, subject: str, props: dict, notation: dict, roles: dict, sources: list) -> dict:
    record: dict = {"id": subject[len(kind.iri_base):]}
    for spec in kind.fields:
        if spec.type == "roles":
            if roles:
                record["roles"] = {role: sorted(actors) for role, actors in sorted(roles.items())}
            continue
        if spec.type == "source":
            if sources:
                record["source"] = [s for _, s in sorted(sources, key=lambda item: item[0])]
            continue
        if spec.type == "filed_under":
            filed = {name: notation.get(str(values[0]))
                     for name, predicate in (("dimension", RKG.filedUnderDimension), ("level", RKG.filedUnderLevel))
                     if (values := props.get(str(predicate)))}
            if filed:
                record["filed_under"] = filed
            continue
        if spec.predicate is None or spec.name == "id":
            continue
        values = props.get(str(spec.predicate))
        if not values:
            continue
        if spec.type in ("concept", "concepts"):
            codes = sorted({notation.get(str(v), str(v)) for v in values})
            record[spec.name] = codes[0] if spec.type == "concept" else codes
        elif spec.type in ("ref", "refs"):
            ids = sorted({_strip(str(v)) for v in values})
            record[spec.name] = ids[0] if spec.type == "ref" else ids
        elif spec.type == "strs":
            record[spec.name] = sorted({str(v) for v in values})
        elif spec.name == "wikidata":
            record[spec.name] = str(values[0]).rsplit("/", 1)[-1]
        else:
            record[spec.name] = _value(values[0])
    return record



