"""Facts the build derives from the curated statements, once, so that every query, the API and the
explorer read them the same way (documented in ontology/rkg.ttl as derived):

- `rkg:measureKind`: what the measure is (dedicated, component, general-population), and
  `rkg:countingUnit`: every selection of measures that counts it (dedicated, with-components,
  with-general, all), so that a query selects its counting unit with one plain pattern;
- `rkg:actorSector`: whether a State actor takes part in a measure in any role (state or
  non-state), only where the sources state its actors (named, or by kind of body);
- `rkg:funderSector`: whether a State body funds it, only where a funder is stated;
- `rkg:statedActor` / `rkg:statedActorType`: the named actors, and the kinds of body named only
  by kind, that take part in it in any role (what "who does this cell hang on" counts).

A component that states no roles of its own takes those of the measure it is part of (the roles of
a programme are its components' too); where nothing is stated, nothing is derived, so an analysis
can tell "not stated in the sources" from "none".
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from ..loaders.schema import CONCEPT, RKG

KIND = {code: URIRef(f"{CONCEPT}measure-kind/{code}") for code in ("dedicated", "component", "general-population")}
# the selections of measures that count each kind (rkg:countingUnitScheme)
UNITS = {"dedicated": ("dedicated", "with-components", "with-general", "all"),
         "component": ("with-components", "all"), "general-population": ("with-general", "all")}
SECTOR = {True: URIRef(f"{CONCEPT}sector/state"), False: URIRef(f"{CONCEPT}sector/non-state")}
FUNDER = URIRef(f"{CONCEPT}role/funder")


def _state_types(graph: Graph) -> dict[Any, bool]:
    """Actor type -> whether its actors belong to the State (types that depend on the actor: absent)."""
    return {t: str(v) in ("true", "1") for t, v in graph.subject_objects(RKG.stateSector) if isinstance(t, URIRef)}


def _sectors(graph: Graph, involvements, state_types: dict) -> list[bool]:
    """Whether each involvement's actor (or kind of body) is State; unknown ones left out."""
    found = []
    for involvement in involvements:
        actor = graph.value(involvement, PROV.agent)
        kind = graph.value(actor, RKG.actorType) if actor is not None else graph.value(involvement, RKG.agentType)
        if kind in state_types:
            found.append(state_types[kind])
    return found


def _own(graph: Graph, measure: Any, funders_only: bool) -> list:
    involvements = list(graph.objects(measure, RKG.involvement))
    if funders_only:
        involvements = [i for i in involvements if graph.value(i, PROV.hadRole) == FUNDER]
    return involvements


def _stated(graph: Graph, measure: Any, funders_only: bool) -> list:
    """The measure's involvements (or only its funders'), or, for a component that states none,
    those of the nearest measure it is part of that does."""
    seen = set()
    while measure is not None and measure not in seen:
        seen.add(measure)
        involvements = _own(graph, measure, funders_only)
        if involvements:
            return involvements
        measure = graph.value(measure, RKG.partOf)
    return []


def derive(graph: Graph) -> None:
    """Add the derived facts of every measure to `graph` (which holds the ontology too)."""
    state_types = _state_types(graph)
    for measure in set(graph.subjects(RDF.type, RKG.SupportMeasure)):
        if str(graph.value(measure, RKG.generalPopulation)) in ("true", "1"):
            kind = "general-population"
        elif (measure, RKG.partOf, None) in graph:
            kind = "component"
        else:
            kind = "dedicated"
        graph.add((measure, RKG.measureKind, KIND[kind]))
        for unit in UNITS[kind]:
            graph.add((measure, RKG.countingUnit, URIRef(f"{CONCEPT}counting-unit/{unit}")))
        for predicate, funders_only in ((RKG.actorSector, False), (RKG.funderSector, True)):
            sectors = _sectors(graph, _stated(graph, measure, funders_only), state_types)
            if sectors:
                graph.add((measure, predicate, SECTOR[any(sectors)]))
        for involvement in _stated(graph, measure, False):
            actor = graph.value(involvement, PROV.agent)
            if actor is not None:
                graph.add((measure, RKG.statedActor, actor))
            elif (kind_of_body := graph.value(involvement, RKG.agentType)) is not None:
                graph.add((measure, RKG.statedActorType, kind_of_body))

