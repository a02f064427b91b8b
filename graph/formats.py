"""The RDF and query-result formats the project reads and writes, from pyoxigraph's own tables.

pyoxigraph's `RdfFormat` and `QueryResultsFormat` know each format's media type and file
extension; this module only says which of them we offer, in order of preference (the first wins
when a client accepts several equally), and accepts the usual short names (`ttl`, `jsonld`).
"""

from __future__ import annotations

import pyoxigraph as ox

# offered for a graph (the whole graph, CONSTRUCT and DESCRIBE answers), in order of preference
GRAPH_FORMATS: tuple[ox.RdfFormat, ...] = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD,
                                           ox.RdfFormat.RDF_XML)
# offered for SELECT and ASK answers; "application/json" and "application/xml" are accepted as the
# SPARQL results formats that they are in practice
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_SHORT_NAMES = {"ttl": "ttl", "turtle": "ttl", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
                "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld", "rdf": "rdf", "rdfxml": "rdf",
                "xml": "rdf", "owl": "rdf"}


def graph_media_types() -> list[str]:
    return [f.media_type for f in GRAPH_FORMATS]


def graph_format(name: str) -> ox.RdfFormat | None:
    """The graph format of a media type, a file extension or a short name (`ttl`, `jsonld`,
    `rdfxml`); None when it is not one we offer."""
    name = name.strip().lower().lstrip(".")
    for fmt in GRAPH_FORMATS:
        if name == fmt.media_type:
            return fmt
    extension = _SHORT_NAMES.get(name)
    return next((f for f in GRAPH_FORMATS if f.file_extension == extension), None)


def short_names() -> list[str]:
    """The names `graph_format` accepts besides media types, one per format (for help texts)."""
    return [f.file_extension for f in GRAPH_FORMATS]
