"""The records of the served graph as plain dicts, read once per graph through the store interface.

Each record has the fields curators write in data/ (see data/README.md), read back from RDF
with the same field table the loader writes with (`rkg.loaders.schema.KINDS`): concept values
come back as their codes, references as ids, roles as `{role: [actor ids]}` and sources as
`[{document, section, quote}]`. The resource endpoints filter and join these in memory, which
keeps them fast; the analyses stay in the named queries.

Besides the curated fields, a measure carries what the build derives (`measure_kind`,
`actor_sector`, `funder_sector`: graph/derive.py) and every role entry with the words of the
source it rests on (`involvements`); `labels` gives the words of every code, by scheme; `search`
is the full-text index of the records (api/search.py), built with them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..graph.parameters import plain, strip_iri
from ..graph.queries import internal, run
from ..loaders.schema import KIND_ORDER, KINDS, RKG, SCHEMES
from .search import SearchIndex

_SOURCE_INDEX = re.compile(r"#source-(\d+)$")


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
    # scheme name (SCHEMES) -> code -> label
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # actor type -> "state" or "non-state" (types that depend on the actor have none)
    type_sectors: dict[str, str] = field(default_factory=dict)
    # the full-text index of these records, built with them (api/search.py)
    search: SearchIndex = field(init=False, repr=False)

    @classmethod
    def from_store(cls, store) -> Catalogue:
        notation = {str(r["concept"]): str(r["code"]) for r in run(store, internal("notations"))}
        roles: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        role_types: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        entries: dict[str, list[dict]] = defaultdict(list)
        for row in run(store, internal("involvements")):
            entries[str(row["measure"])].append({
                "role": str(row["role"]),
                "actor": strip_iri(str(row["actor"])) if row["actor"] is not None else None,
                "actor_type": plain(row["actor_type"]), "words": plain(row["words"])})
            if row["actor"] is not None:
                roles[str(row["measure"])][str(row["role"])].add(strip_iri(str(row["actor"])))
            elif row["actor_type"] is not None:
                role_types[str(row["measure"])][str(row["role"])].add(str(row["actor_type"]))
        sources: dict[str, list] = defaultdict(list)
        for row in run(store, internal("passages")):
            match = _SOURCE_INDEX.search(str(row["passage"]))
            if match is None:
                continue  # the passage of a role, not of the record
            sources[str(row["s"])].append((int(match.group(1)), {
                "document": strip_iri(str(row["document"])) if row["document"] is not None else None,
                "section": plain(row["section"]), "quote": plain(row["quote"])}))

        records: dict[str, dict[str, dict]] = {}
        kind_of: dict[str, str] = {}
        for key in KIND_ORDER:
            kind = KINDS[key]
            properties: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
            for row in run(store, internal("record-properties"), {"class": str(kind.rdf_class)}):
                subject = str(row["s"])
                if subject.startswith(kind.iri_base):
                    properties[subject][str(row["p"])].append(row["o"])
            found = {}
            for subject, props in properties.items():
                record = _record(kind, subject, props, notation, roles.get(subject, {}), sources.get(subject, []),
                                 role_types.get(subject, {}))
                found[record["id"]] = record
                kind_of[record["id"]] = key
            records[key] = dict(sorted(found.items()))
        for row in run(store, internal("measure-derived")):
            measure = records["measures"].get(strip_iri(str(row["measure"])))
            if measure is not None:
                measure |= {name: str(row[column]) for name, column in (
                    ("measure_kind", "kind"), ("actor_sector", "actor_sector"), ("funder_sector", "funder_sector"))
                    if row[column] is not None}
                measure["involvements"] = sorted(
                    entries.get(KINDS["measures"].iri_base + measure["id"], []),
                    key=lambda e: (e["role"], e["actor"] or "", e["actor_type"] or "", e["words"] or ""))
        scheme_names = {str(iri): name for name, iri in SCHEMES.items()}
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in run(store, internal("concept-labels")):
            name = scheme_names.get(str(row["scheme"]))
            if name:
                labels[name][str(row["code"])] = str(row["label"])

        countries: dict[str, dict] = {}
        for row in run(store, internal("countries")):
            code = str(row["code"])
            entry = countries.setdefault(code, {"code": code, "name": code, "focus": False, "wikidata": None})
            if row["name"] is not None:
                entry["name"] = str(row["name"])
            if row["focus"] is not None:
                entry["focus"] = bool(row["focus"].toPython())
            if row["match"] is not None and "wikidata.org" in str(row["match"]):
                entry["wikidata"] = str(row["match"]).rsplit("/", 1)[-1]
        sectors = {str(r["code"]): bool(plain(r["state"])) for r in run(store, internal("state-types"))}
        state_types = {code for code, state in sectors.items() if state}
        labels["country"] = {code: entry["name"] for code, entry in countries.items()}
        catalogue = cls(records, kind_of, dict(sorted(countries.items())), state_types, labels=dict(labels),
                        type_sectors={code: "state" if state else "non-state" for code, state in sectors.items()})
        catalogue._index()
        catalogue.search = SearchIndex(catalogue)
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


def _record(kind, subject: str, props: dict, notation: dict, roles: dict, sources: list, role_types: dict) -> dict:
    record: dict = {"id": subject[len(kind.iri_base):]}
    for spec in kind.fields:
        if spec.type == "roles":
            if roles:
                record["roles"] = {role: sorted(actors) for role, actors in sorted(roles.items())}
            if role_types:
                record["role_types"] = {role: sorted(types) for role, types in sorted(role_types.items())}
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
            ids = sorted({strip_iri(str(v)) for v in values})
            record[spec.name] = ids[0] if spec.type == "ref" else ids
        elif spec.type == "strs":
            record[spec.name] = sorted({str(v) for v in values})
        elif spec.name == "wikidata":
            record[spec.name] = str(values[0]).rsplit("/", 1)[-1]
        else:
            record[spec.name] = plain(values[0])
    return record



