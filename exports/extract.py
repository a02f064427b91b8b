"""What every export reads from the graph, read once through the store interface: the records as
the curators write them (`rkg.api.catalogue.Catalogue`), the roles with their words and passages,
the passages of every record, and the facts the build derives and the codes the ontology aligns
(measure kind, sectors, DAC purpose, GCM objectives, IATI codes, ISO alpha-2).

The tables (`tables.py`), the HXL 3W table (`hxl.py`) and the IATI activities (`iati.py`) are
functions of an `Extract`, so they agree with each other and with the API, whatever the backend.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..api.catalogue import Catalogue
from ..graph.parameters import plain, strip_iri
from ..graph.queries import internal, run
from ..loaders.schema import KIND_ORDER, KINDS, RKG

_SOURCE_INDEX = re.compile(r"#source-(\d+)$")
ANNOTATIONS = {str(RKG[name]): name for name in ("measureKind", "actorSector", "funderSector", "dacPurpose",
                                                  "gcmObjective", "iatiCode", "iatiOrganisationType", "isoAlpha2")} \
    | {"http://www.w3.org/2004/02/skos/core#prefLabel": "prefLabel"}


@dataclass(frozen=True)
class Passage:
    document: str | None
    section: str | None
    quote: str | None
    supports: tuple[str, ...] = ()


@dataclass
class Involvement:
    measure: str                # measure id
    key: str                    # "<measure id>#<fragment>": the involvement's own id in the exports
    role: str
    role_iati: str | None
    actor: str | None           # actor id, or None where the source names only the kind of body
    actor_type: str | None      # that kind of body (the actor's own type is in the actors table)
    words: str | None
    passages: list[Passage] = field(default_factory=list)


@dataclass
class Extract:
    catalogue: Catalogue
    notation: dict[str, str]                                  # concept IRI -> code
    annotations: dict[str, dict[str, list[str]]]              # subject IRI -> annotation -> values (codes)
    involvements: list[Involvement]
    passages: dict[str, list[Passage]]                        # record IRI -> its passages, in order

    def iri(self, kind: str, rid: str) -> str:
        return KINDS[kind].iri_base + rid

    def annotation(self, kind: str, rid: str, name: str) -> list[str]:
        return self.annotations.get(self.iri(kind, rid), {}).get(name, [])

    def concept_annotation(self, scheme_path: str, code: str, name: str) -> str | None:
        """An annotation of a concept of the ontology, e.g. ("actor-type", "ngo", "iatiOrganisationType")."""
        from ..loaders.schema import CONCEPT

        found = self.annotations.get(f"{CONCEPT}{scheme_path}/{code}", {}).get(name)
        return found[0] if found else None

    def roles_of(self, measure: str) -> list[Involvement]:
        return [i for i in self.involvements if i.measure == measure]


def extract(store, catalogue: Catalogue | None = None) -> Extract:
    """Everything the exports need from the graph in `store` (`catalogue`: its records, if read already)."""
    catalogue = catalogue or Catalogue.from_store(store)
    notation = {str(r["concept"]): str(r["code"]) for r in run(store, internal("notations"))}
    annotations: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in run(store, internal("export-annotations")):
        value = notation.get(str(row["o"]), str(plain(row["o"])))
        annotations[str(row["s"])][ANNOTATIONS[str(row["p"])]].append(value)
    for values in annotations.values():
        for name in values:
            values[name] = sorted(set(values[name]))

    passages: dict[str, list[tuple[int, Passage]]] = defaultdict(list)
    by_subject: dict[str, list[Passage]] = defaultdict(list)
    for row in run(store, internal("passages")):
        passage = Passage(strip_iri(str(row["document"])) if row["document"] is not None else None,
                          plain(row["section"]), plain(row["quote"]),
                          tuple(s for s in str(row["supports"] or "").split("; ") if s))
        match = _SOURCE_INDEX.search(str(row["passage"]))
        if match is not None:
            passages[str(row["s"])].append((int(match.group(1)), passage))
        else:
            by_subject[str(row["s"])].append(passage)

    measure_base = KINDS["measures"].iri_base
    grouped: dict[str, Involvement] = {}
    for row in run(store, internal("export-involvements")):
        iri = str(row["involvement"])
        if iri not in grouped:
            measure = str(row["measure"])[len(measure_base):]
            fragment = iri.split("#", 1)[1] if "#" in iri else strip_iri(iri)
            grouped[iri] = Involvement(measure, f"{measure}#{fragment}", str(row["role"]), plain(row["role_iati"]),
                                       strip_iri(str(row["actor"])) if row["actor"] is not None else None,
                                       plain(row["actor_type"]), plain(row["words"]))
        if row["quote"] is not None:
            passage = Passage(strip_iri(str(row["document"])) if row["document"] is not None else None,
                              plain(row["section"]), plain(row["quote"]))
            if passage not in grouped[iri].passages:
                grouped[iri].passages.append(passage)
    for involvement in grouped.values():
        involvement.passages.sort(key=lambda p: (p.section or "", p.quote or ""))
    order = {role: n for n, role in enumerate(("lead", "funder", "accountable", "extending", "implementer", "partner",
                                               "supported_by"))}
    involvements = sorted(grouped.values(), key=lambda i: (i.measure, order.get(i.role, 99), i.actor or "",
                                                            i.actor_type or "", i.key))
    ordered = {s: [p for _, p in sorted(found, key=lambda item: item[0])] for s, found in passages.items()}
    return Extract(catalogue, notation, {s: dict(v) for s, v in annotations.items()}, involvements, ordered)


def kinds() -> list[str]:
    """The kinds of record, in the order the exports list them (measures first: what most want)."""
    return ["measures"] + [k for k in KIND_ORDER if k != "measures"]
