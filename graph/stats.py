"""Counts of records by kind and by country, straight from the graph."""

from __future__ import annotations

from rdflib import RDF, Graph

from ..loaders.schema import RKG

KIND_CLASSES = {
    "measures": (RKG.SupportMeasure, RKG.country),
    "policies": (RKG.Policy, RKG.country),
    "actors": (RKG.Actor, RKG.activeIn),
    "findings": (RKG.Finding, RKG.country),
    "recommendations": (RKG.Recommendation, RKG.country),
    "figures": (RKG.Figure, RKG.country),
}

QUERY = """
SELECT ?code (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class .
  OPTIONAL { ?s ?countryProperty ?c . ?c skos:notation ?code0 }
  OPTIONAL { ?s rkg:scope ?scope . ?scope skos:notation ?scopeCode }
  BIND(COALESCE(?code0, ?scopeCode, "none") AS ?code)
} GROUP BY ?code
"""


def stats(graph: Graph) -> dict:
    by_kind, by_country = {}, {}
    for kind, (cls, prop) in KIND_CLASSES.items():
        rows = graph.query(QUERY, initNs={"rkg": RKG, "skos": "http://www.w3.org/2004/02/skos/core#"},
                           initBindings={"class": cls, "countryProperty": prop})
        by_country[kind] = {str(code): int(n) for code, n in rows}
        by_kind[kind] = len(set(graph.subjects(RDF.type, cls)))
    return {"by_kind": by_kind, "by_country": by_country}
