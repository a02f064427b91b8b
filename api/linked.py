"""The graph as linked data: the ontology's documentation at `/ontology` (HTML for a browser, the
RDF for an RDF client, by content negotiation), its JSON-LD context at `/ontology/context.jsonld`,
its shapes at `/ontology/shapes.ttl`, and every IRI of a record or concept resolving under its own
path (`https://w3id.org/reintegration-kg/id/measure/bgd-prottasha` at `/id/measure/bgd-prottasha`):
a plain HTML page for a browser, its triples for an RDF client (the record's own, its roles' and
its source passages': `queries/internal/describe.rq`). `?format=` overrides the Accept header.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from rdflib import XSD, Graph
from rdflib import Literal as RdfLiteral

from ..errors import NotFound
from ..exports import pages
from ..graph.build import prefixes
from ..graph.formats import graph_format, graph_media_types
from ..graph.parameters import strip_iri
from ..graph.queries import internal, run
from ..loaders.schema import CONCEPT, ID
from .caching import by_version
from .deps import KGDep
from .errors import ApiError, documented
from .negotiation import negotiate
from .params import known_parameters_only
from .state import KG
from .tabular import prepared

router = APIRouter(tags=["linked data"], dependencies=[Depends(known_parameters_only), Depends(by_version)])

HTML = "text/html"
_PATH = re.compile(r"/(id|concept)(/[A-Za-z0-9][A-Za-z0-9._~-]*)+")
CONTEXT_LINK = '</ontology/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                  "application/rdf+xml": "xml"}
FormatQuery = Annotated[Literal["html", "ttl", "nt", "jsonld", "rdfxml"] | None, Query(
    description="html, ttl, nt, jsonld or rdfxml; overrides the Accept header")]
RESPONSES: dict[int | str, dict] = {200: {"content": {HTML: {}} | {m: {} for m in graph_media_types()}},
                                    406: {"description": "none of the formats is acceptable"}}


def _media(request: Request, format: str | None) -> str:
    """The media type to answer: HTML or one of the graph formats."""
    if format == "html":
        return HTML
    if format:
        found = graph_format(format)
        assert found is not None  # the Literal allows only formats graph_format knows
        return found.media_type
    offers = [HTML] + graph_media_types()
    media = negotiate(request.headers.get("accept"), offers)
    if media is None:
        raise ApiError(406, "not-acceptable", "available as " + ", ".join(offers), allowed=offers)
    return media


def _serialize(graph: Graph, media: str) -> bytes:
    for prefix, namespace in prefixes().items():
        graph.bind(prefix, namespace, override=True)
    if media == "application/ld+json":
        return graph.serialize(format="json-ld", context=pages.context()["@context"], auto_compact=True,
                               encoding="utf-8")
    return graph.serialize(format=RDFLIB_FORMATS[media], encoding="utf-8")


def _rdf(content: bytes, media: str) -> Response:
    headers = {"Vary": "Accept"}
    if media == "application/ld+json":
        headers["Link"] = CONTEXT_LINK
    return Response(content, media_type=media, headers=headers)


# ---------------------------------------------------------------------------- the ontology

@router.get("/ontology", response_class=Response, responses=RESPONSES,
            summary="The ontology: its documentation (HTML) for a browser, its RDF for an RDF client")
def ontology(request: Request, format: FormatQuery = None):
    media = _media(request, format)
    if media == HTML:
        return HTMLResponse(pages.ontology_html(), headers={"Vary": "Accept"})
    if media == "text/turtle":
        return _rdf(pages.ontology_turtle(), media)
    from ..graph.build import ontology_graph

    return _rdf(_serialize(Graph() + ontology_graph(), media), media)


@router.get("/ontology/context.jsonld", summary="The JSON-LD context of the graph's terms",
            response_class=Response, responses={200: {"content": {"application/ld+json": {}}}})
def jsonld_context() -> JSONResponse:
    return JSONResponse(pages.context(), media_type="application/ld+json")


@router.get("/ontology/shapes.ttl", response_class=Response, summary="The SHACL shapes the curated data satisfies",
            responses={200: {"content": {"text/turtle": {}}}})
def shapes() -> Response:
    return Response(pages.shapes_turtle(), media_type="text/turtle")


@router.get("/shapes", include_in_schema=False)
def shapes_namespace(request: Request, format: FormatQuery = None):
    """The shapes' namespace (`https://w3id.org/reintegration-kg/shapes#...`): their documentation or Turtle."""
    if _media(request, format) == HTML:
        return RedirectResponse("/ontology#shapes", status_code=303)
    return Response(pages.shapes_turtle(), media_type="text/turtle", headers={"Vary": "Accept"})


# ---------------------------------------------------------------------------- records and concepts

def _plain_string(term):
    """RDF 1.1 makes "x" and "x"^^xsd:string one literal; rdflib keeps them apart, so write the simple form."""
    if isinstance(term, RdfLiteral) and term.datatype == XSD.string:
        return RdfLiteral(str(term))
    return term


def describe(kg: KG, iri: str) -> list[tuple]:
    rows = kg.remembered(("describe", iri), lambda: run(kg.store, internal("describe"), {"iri": iri}))
    return sorted({(r["s"], r["p"], _plain_string(r["o"])) for r in rows},
                  key=lambda t: (str(t[0]), str(t[1]), str(t[2])))


def _names(kg: KG, triples: list[tuple]) -> dict[str, str]:
    """Labels of the IRIs a page links to: records by name, concepts by label."""
    x = prepared(kg)
    names = {}
    for _, _, o in triples:
        iri = str(o)
        if not iri.startswith((ID, CONCEPT)):
            continue
        name = kg.catalogue.name(strip_iri(iri)) if "/id/" in iri else None
        label = x.annotations.get(iri, {}).get("prefLabel")
        names[iri] = name or (label[0] if label else None) or strip_iri(iri)
    return names


def resolve(request: Request, kg: KG, format: str | None) -> Response:
    iri = pages.BASE + request.url.path
    # ids and codes are slugs: anything else names nothing (and never reaches a query as an IRI)
    triples = describe(kg, iri) if _PATH.fullmatch(request.url.path) else []
    if not triples:
        raise NotFound(f"there is no record or concept <{iri}>",
                       hint="record IRIs are /id/<kind>/<id>, e.g. /id/measure/<id>; concepts /concept/<scheme>/<code>")
    media = _media(request, format)
    if media == HTML:
        page = kg.remembered(("page", iri), lambda: pages.record_html(iri, triples, _names(kg, triples), kg.version))
        return HTMLResponse(page, headers={"Vary": "Accept"})
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return _rdf(kg.remembered(("describe", iri, media), lambda: _serialize(graph, media)), media)


@router.get("/id/{rest:path}", response_class=Response, responses=RESPONSES | documented(404, "no record with that IRI"),
            summary="A record's IRI: its page for a browser, its RDF (its triples, roles and passages) for an RDF client")
def record(request: Request, kg: KGDep, rest: str, format: FormatQuery = None):
    return resolve(request, kg, format)


@router.get("/concept/{rest:path}", response_class=Response,
            responses=RESPONSES | documented(404, "no concept with that IRI"),
            summary="A concept's IRI (a code, a country, a place, an indicator): its page or its RDF")
def concept(request: Request, kg: KGDep, rest: str, format: FormatQuery = None):
    return resolve(request, kg, format)


__all__ = ["router"]
