"""Alignment with the frameworks donors and agencies report in, derived once by the build beside
`graph.derive` (and documented in ontology/concepts.ttl with the rule each follows):

- `rkg:dacPurpose`: the OECD DAC CRS purpose code 15190 ("Facilitation of orderly, safe, regular
  and responsible migration and mobility", which covers assistance to migrants for their
  sustainable reintegration in their country of origin) for a measure designed for migrant
  workers or returnees: measure kind dedicated or component, and no measure it is part of open
  to the general population. A general-population scheme gets none: its purpose code is that of
  its own sector, which the sources do not state.
- `rkg:gcmObjective`: objective 21 of the Global Compact for Migration (return, readmission and
  sustainable reintegration) for a measure with purpose 15190 whose stated phases, if it states
  any, include return or post-return. No other objective: the sources tie one measure to the
  compact as a whole (`implements: [int-gcm]`, kept as such) and none to another objective.

It reads `rkg:measureKind`, so it runs after `derive(graph)`.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ..loaders.schema import CONCEPT, RKG

DAC_MIGRATION = URIRef(f"{CONCEPT}dac-purpose/15190")
GCM_RETURN_AND_REINTEGRATION = URIRef(f"{CONCEPT}gcm-objective/21")
GENERAL_POPULATION = URIRef(f"{CONCEPT}measure-kind/general-population")
RETURN_PHASES = {URIRef(f"{CONCEPT}phase/return"), URIRef(f"{CONCEPT}phase/post-return")}


def _for_migrants(graph: Graph, measure: URIRef) -> bool:
    """Not a general-population scheme, nor part (at any depth) of one."""
    seen: set = set()
    node: Node | None = measure
    while node is not None and node not in seen:
        seen.add(node)
        if (node, RKG.measureKind, GENERAL_POPULATION) in graph:
            return False
        flag = graph.value(node, RKG.generalPopulation)
        if isinstance(flag, Literal) and flag.toPython() is True:
            return False
        node = graph.value(node, RKG.partOf)
    return True


def align(graph: Graph) -> None:
    """Add the DAC purpose and GCM objectives of every measure to `graph`."""
    for measure in set(graph.subjects(RDF.type, RKG.SupportMeasure)):
        if not isinstance(measure, URIRef) or not _for_migrants(graph, measure):
            continue
        graph.add((measure, RKG.dacPurpose, DAC_MIGRATION))
        phases = set(graph.objects(measure, RKG.phase))
        if not phases or phases & RETURN_PHASES:
            graph.add((measure, RKG.gcmObjective, GCM_RETURN_AND_REINTEGRATION))
