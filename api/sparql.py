"""/sparql: a public, read-only SPARQL 1.1 Protocol endpoint, and a query editor for browsers.

- GET ?query=..., POST application/x-www-form-urlencoded (query=...), POST application/sparql-query;
  default-graph-uri / named-graph-uri may name only the graph served.
- SELECT and ASK: JSON, XML, CSV, TSV; CONSTRUCT and DESCRIBE: Turtle, N-Triples, JSON-LD, RDF/XML,
  by the Accept header.
- Queries run in killable worker processes with a time and a result-size limit (sparql_pool.py),
  after the checks of sparql_guard.py (no update, no SERVICE, no other graphs).
- A browser (Accept: text/html) gets the YASGUI editor, served from this package, with the
  named queries as examples; any other client that GETs /sparql without a query gets the
  endpoint's SPARQL 1.1 Service Description (Turtle, N-Triples, JSON-LD or RDF/XML).
"""

from __future__ import annotations

import asyncio
import json
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..graph.formats import RESULT_FORMATS, graph_format, graph_media_types
from ..graph.queries import library
from ..settings import GRAPH_IRI
from .deps import PoolDep, SettingsDep
from .errors import ApiError
from .negotiation import negotiate

RESULT_TYPES = list(RESULT_FORMATS)
GRAPH_TYPES = graph_media_types()
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"

router = APIRouter(tags=["SPARQL"])

_QUERY: dict[str, Any] = {"type": "string", "minLength": 1}
_PROTOCOL: dict[str, Any] = {
    "parameters": [
        {"name": "query", "in": "query", "required": False, "schema": _QUERY,
         "description": "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE); without it, a browser gets "
                        "the query editor and any other client the service description"},
        {"name": "default-graph-uri", "in": "query", "required": False, "schema": {"type": "string"},
         "description": f"only <{GRAPH_IRI}>, the graph served"},
        {"name": "named-graph-uri", "in": "query", "required": False, "schema": {"type": "string"},
         "description": f"only <{GRAPH_IRI}>"},
    ],
    "responses": {
        "200": {"description": "the results, in the format the Accept header prefers",
                "content": {media: {} for media in RESULT_TYPES + GRAPH_TYPES + ["text/html"]}},
        "400": {"description": "a malformed query (the parser's message) or a result over the size limit"},
        "403": {"description": "an update, SERVICE, or a graph other than the one served"},
        "406": {"description": "no acceptable format for the query's form"},
        "413": {"description": "a query longer than the limit"},
        "503": {"description": "the query passed the time limit, or every worker stayed busy"},
    },
}
_POST = {"parameters": _PROTOCOL["parameters"][1:],  # a POSTed query is in the body
         "responses": _PROTOCOL["responses"] | {"415": {"description": "a body neither form-encoded nor a query"}},
         "requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["query"], "properties": {
        "query": _QUERY, "default-graph-uri": {"type": "string"},
        "named-graph-uri": {"type": "string"}}}},
    "application/sparql-query": {"schema": _QUERY},
}}}

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,
        formats:SPARQL_Results_TSV, formats:Turtle, formats:N-Triples, formats:JSON-LD, formats:RDF_XML ;
    sd:defaultDataset [ a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ] ;
        sd:namedGraph [ a sd:NamedGraph ; sd:name <{graph}> ] ] .
"""


@lru_cache(maxsize=1)
def editor_page() -> str:
    template = (resources.files("rkg.api") / "static" / "sparql.html").read_text(encoding="utf-8")
    queries = sorted((q for q in library().values() if not q.check),
                     key=lambda q: (q.name != "coverage-matrix", q.name))  # the first one opens in the editor
    examples = [{"name": q.name, "title": q.title, "query": q.text} for q in queries]
    payload = json.dumps(examples, ensure_ascii=False).replace("</", "<\\/")
    return template.replace("__EXAMPLES__", payload)


def service_description(request: Request) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the graph format Accept prefers."""
    media = negotiate(request.headers.get("accept"), GRAPH_TYPES)
    if media is None:
        raise ApiError(406, "not-acceptable", "the service description is available as " + ", ".join(GRAPH_TYPES),
                       allowed=GRAPH_TYPES)
    endpoint = str(request.url.replace(query=""))
    turtle = SERVICE_DESCRIPTION.format(endpoint=endpoint, graph=GRAPH_IRI)
    body = ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=graph_format(media))
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _wants_html(accept: str | None) -> bool:
    return negotiate(accept, RESULT_TYPES + GRAPH_TYPES + ["text/html"]) == "text/html"


@router.get("/sparql", summary="SPARQL 1.1 query endpoint (GET); a browser gets the query editor",
            openapi_extra=_PROTOCOL, response_class=Response)
async def sparql_get(request: Request, settings: SettingsDep, pool: PoolDep):
    params = request.query_params
    if "query" not in params and "update" not in params and not _wants_html(request.headers.get("accept")):
        return service_description(request)
    return await _answer(request, settings, pool, params.getlist("query"), params.getlist("update"),
                         params.getlist("default-graph-uri"), params.getlist("named-graph-uri"))


@router.post("/sparql", summary="SPARQL 1.1 query endpoint (POST, form-encoded or application/sparql-query)",
             openapi_extra=_POST, response_class=Response)
async def sparql_post(request: Request, settings: SettingsDep, pool: PoolDep):
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = b""
    try:  # a client that sends its body a byte at a time is cut off
        async with asyncio.timeout(settings.sparql_body_timeout):
            async for chunk in request.stream():
                body += chunk
                if len(body) > 4 * settings.sparql_max_query_chars + 1024:
                    raise ApiError(413, "query-too-long", f"the request is too long: queries may have "
                                                          f"{settings.sparql_max_query_chars} characters")
    except TimeoutError:
        raise ApiError(408, "request-timeout", f"the request's body did not arrive within "
                                               f"{settings.sparql_body_timeout:g} s",
                       headers={"Connection": "close"}) from None
    params = request.query_params
    if media == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ApiError(400, "bad-request", "the form is not UTF-8") from None
        return await _answer(request, settings, pool, form.get("query", []), form.get("update", []),
                             form.get("default-graph-uri", []) + params.getlist("default-graph-uri"),
                             form.get("named-graph-uri", []) + params.getlist("named-graph-uri"))
    if media == "application/sparql-query":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "bad-request", "the query is not UTF-8") from None
        return await _answer(request, settings, pool, [text], [], params.getlist("default-graph-uri"),
                             params.getlist("named-graph-uri"))
    if media == "application/sparql-update":
        raise ApiError(403, "read-only", READ_ONLY)
    raise ApiError(415, "unsupported-media-type",
                          "POST a query as application/x-www-form-urlencoded (field `query`) or as "
                          "application/sparql-query", allowed=["application/x-www-form-urlencoded",
                                                               "application/sparql-query"])


async def _answer(request: Request, settings, pool, queries: list[str], updates: list[str],
                  default_graphs: list[str], named_graphs: list[str]) -> Response:
    accept = request.headers.get("accept")
    if updates:
        raise ApiError(403, "read-only", READ_ONLY)
    if request.method == "GET" and _wants_html(accept):
        return HTMLResponse(editor_page(), headers={"Vary": "Accept"})
    if not queries or not queries[0].strip():
        raise ApiError(400, "missing-query",
                              "give a SPARQL query: GET /sparql?query=..., or POST it as the form field `query` "
                              "or as an application/sparql-query body")
    if len(queries) > 1:
        raise ApiError(400, "bad-request", "give exactly one query")
    query = queries[0]
    if len(query) > settings.sparql_max_query_chars:
        raise ApiError(413, "query-too-long",
                              f"the query has {len(query)} characters; the limit is {settings.sparql_max_query_chars}")
    outcome = await pool.query({
        "query": query, "accept": accept, "default_graphs": default_graphs, "named_graphs": named_graphs})
    if outcome.ok:
        return Response(outcome.body, media_type=outcome.media_type, headers={"Vary": "Accept"})
    headers = {"Retry-After": "1"} if outcome.code == "busy" else None
    raise ApiError(outcome.status, outcome.code, outcome.message, headers=headers)
