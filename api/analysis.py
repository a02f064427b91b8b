"""The named queries over HTTP: /queries (all of them, with their typed parameters), the gap
analyses under /gaps and the coordination analyses under /coordination.

Each named query gets its own route, generated from the header of its .rq file, so /docs shows
its parameters with their types and allowed values. Values are checked and bound as RDF terms
by `rkg.graph.queries.run`, never pasted into the query text.
"""

from __future__ import annotations

import inspect
import io
from decimal import Decimal
from typing import Annotated, Any, Literal

import networkx as nx
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import Field, StringConstraints
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from ..graph.network import bipartite_graph, network
from ..graph.network import export as export_network
from ..graph.queries import LIST_SEPARATOR, NamedQuery, Param, library, run
from . import models as m
from .errors import not_found
from .params import CountryCode, Page, Role, codes, known_parameters_only
from .resources import resolve_actor

GAPS = {  # path under /gaps -> named query
    "empty-and-thin-cells": "empty-and-thin-cells", "dimension-balance": "dimension-balance",
    "phase-coverage": "phase-coverage", "target-group-coverage": "target-group-coverage",
    "policy-implementation": "policy-implementation", "policies-without-measures": "policies-without-measures",
    "countries-without-reintegration-policy": "countries-without-reintegration-policy",
    "sustainability-risk": "sustainability-risk", "findings": "findings",
}
COORDINATION = {  # path under /coordination -> named query
    "overlaps": "overlapping-actors", "who-funds-whom": "who-funds-whom",
    "actors-across-countries": "actors-across-countries", "bodies": "coordination-bodies",
    "actors-outside-coordination": "actors-outside-coordination",
}
NETWORK_MEDIA = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}


class QueryInfo(m.Model):
    name: str
    title: str
    answers: str
    params: list[dict[str, Any]]
    examples: list[str]
    columns: list[str]
    lists: list[str]
    check: bool
    path: str
    text: str


class QueryResult(m.Model):
    query: str
    title: str
    parameters: dict[str, Any] = Field(description="the values the query ran with (defaults included)")
    columns: list[str]
    items: list[dict[str, Any]]
    total: int


class CoverageCell(m.Model):
    country: str
    dimension: str
    level: str
    measures: int
    ongoing: int
    planned: int
    ended: int
    status_unknown: int
    state: int = Field(description="measures a State actor leads, is accountable for or implements")
    non_state: int
    programmes: str = Field(description="the list of these measures")


class Coverage(m.Model):
    country: str | None
    target_group: str | None = None
    phase: str | None = None
    cells: list[CoverageCell]
    empty_cells: list[str] = Field(description="dimension/level cells with no measure at all")


class Network(m.Model):
    country: str | None
    actors: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    communities: list[list[str]]
    components: list[list[str]]
    isolated: list[str]
    bridges: list[list[str]]
    cross_country: list[str]


# ---------------------------------------------------------------------------- running

def _json(term, is_list: bool):
    if term is None:
        return [] if is_list else None
    if is_list:
        return [v for v in str(term).split(LIST_SEPARATOR) if v]
    if isinstance(term, URIRef):
        return str(term)
    value = term.toPython() if isinstance(term, RdfLiteral) else term
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, (bool, int, float, str)) else str(term)


def rows(request: Request, query: NamedQuery, values: dict[str, Any]) -> tuple[dict, list[dict]]:
    """(the parameters it ran with, the rows as JSON values); cached per graph, which never changes."""
    kg = request.app.state.kg
    for param in query.params:
        if param.type == "id:actors" and values.get(param.name):
            values[param.name] = resolve_actor(kg.catalogue, str(values[param.name]), param.name)
    given = {k: str(v) for k, v in values.items() if v is not None}
    key = ("query", query.name, tuple(sorted(given.items())))

    def compute():
        found = run(kg.store, query, given, kg.vocabulary)
        columns = query.columns or (list(found[0]) if found else [])
        return [{c: _json(r.get(c), c in query.lists) for c in columns} for r in found]

    result = kg.remembered(key, compute)
    used = {p.name: given.get(p.name, p.default) for p in query.params}
    return used, result


# ---------------------------------------------------------------------------- routes

def _annotation(param: Param):
    kind, _, detail = param.type.partition(":")
    text = param.help + (f" (default {param.default})" if param.default else "")
    if kind == "iso3":
        base = CountryCode
    elif kind == "code":
        base = Role if detail == "role" else Literal[codes(detail)]
    elif kind == "integer":
        base = Annotated[int, Field(ge=-10**9, le=10**9)]
    elif kind == "decimal":
        base = Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]
    elif kind == "id" and detail == "actors":
        base = Annotated[str, StringConstraints(max_length=200)]
        text += " (an actor's id, name or acronym)"
    else:
        base = Annotated[str, StringConstraints(max_length=200)]
    return Annotated[base | None, Query(description=text)]


def _endpoint(query: NamedQuery, shape, paged: bool = True):
    """A route function whose signature declares the query's parameters (FastAPI reads it)."""
    parameters = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    if paged:
        parameters.append(inspect.Parameter("page", inspect.Parameter.KEYWORD_ONLY,
                                            annotation=Annotated[Page, Depends()]))
    parameters += [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                     annotation=_annotation(p)) for p in query.params]

    def endpoint(request: Request, page: Page | None = None, **values):
        used, found = rows(request, query, values)
        return shape(query, used, found, page)

    endpoint.__signature__ = inspect.Signature(parameters)
    endpoint.__name__ = "query_" + query.name.replace("-", "_")
    return endpoint


def _result(query: NamedQuery, used: dict, found: list[dict], page: Page) -> dict:
    return {"query": query.name, "title": query.title, "parameters": used,
            "columns": query.columns or (list(found[0]) if found else [])} | page(found)


def _items(query: NamedQuery, used: dict, found: list[dict], page: Page) -> dict:
    return page(found)


def _coverage(query: NamedQuery, used: dict, found: list[dict], page: Page | None) -> dict:
    filters = {k: used.get(k) for k in ("target_group", "phase")}
    cells = []
    for row in found:
        link = f"/programmes?country={row['country']}&dimension={row['dimension']}&level={row['level']}"
        link += "".join(f"&{k}={v}" for k, v in filters.items() if v)
        cells.append({k: row[k] for k in CoverageCell.model_fields if k != "programmes"} | {"programmes": link})
    empty = [f"{c['dimension']}/{c['level']}" + ("" if used.get("country") else f" ({c['country']})")
             for c in cells if c["measures"] == 0]
    return {"country": used.get("country"), **filters, "cells": cells, "empty_cells": empty}


EMPTY_NETWORK = {"actors": [], "edges": [], "communities": [], "components": [], "isolated": [], "bridges": [],
                 "cross_country": []}


def _has_actors(store, country: str | None) -> bool:
    # rkg.graph.network cannot project a graph without actors (a country with no measures)
    return any(True for _ in bipartite_graph(store, country))


def _metrics(store, country: str | None) -> dict:
    return network(store, country)[2] if _has_actors(store, country) else dict(EMPTY_NETWORK)


def _export(store, fmt: str, country: str | None) -> str:
    if _has_actors(store, country):
        return export_network(store, fmt, country)
    buffer = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(nx.Graph(), buffer)
    return buffer.getvalue().decode("utf-8")


def router() -> APIRouter:
    api = APIRouter(dependencies=[Depends(known_parameters_only)])
    queries = library()

    @api.get("/queries", response_model=m.Page[QueryInfo], tags=["named queries"],
             summary="Every named query: what it answers, its parameters and columns, its SPARQL")
    def list_queries(page: Annotated[Page, Depends()],
                     checks: Annotated[bool, Query(description="include the data checks (*-violation)")] = True):
        return page([q.as_dict() | {"path": f"/queries/{q.name}", "text": q.text}
                     for q in queries.values() if checks or not q.check])

    api.add_api_route("/gaps/coverage", _endpoint(queries["coverage-matrix"], _coverage, paged=False),
                      methods=["GET"], response_model=Coverage, tags=["gaps"],
                      summary="Coverage matrix: measures per dimension x level of a country (every cell, 0 included)",
                      description=queries["coverage-matrix"].answers)
    for path, name in GAPS.items():
        query = queries[name]
        api.add_api_route(f"/gaps/{path}", _endpoint(query, _items), methods=["GET"],
                          response_model=m.Page[dict[str, Any]], tags=["gaps"], summary=query.title,
                          description=query.answers + f" (named query `{name}`)")
    for path, name in COORDINATION.items():
        query = queries[name]
        api.add_api_route(f"/coordination/{path}", _endpoint(query, _items), methods=["GET"],
                          response_model=m.Page[dict[str, Any]], tags=["coordination"], summary=query.title,
                          description=query.answers + f" (named query `{name}`)")

    @api.get("/coordination/network", response_model=Network, tags=["coordination"],
             summary="The actor network: who works with whom (JSON with metrics, or GraphML / GEXF)",
             responses={200: {"content": {media: {} for media in NETWORK_MEDIA.values()}}})
    def get_network(request: Request,
                    country: Annotated[CountryCode | None, Query(description="only this country's measures")] = None,
                    format: Annotated[Literal["json", "graphml", "gexf"], Query(
                        description="json (metrics and edges), graphml or gexf (for Gephi, Cytoscape)")] = "json"):
        kg = request.app.state.kg
        if format == "json":
            return kg.cached(("network", country), lambda: {"country": country} | _metrics(kg.store, country))
        text = kg.cached(("network", country, format), lambda: _export(kg.store, format, country))
        return Response(text, media_type=NETWORK_MEDIA[format],
                        headers={"Content-Disposition": f'inline; filename="network{"-" + country if country else ""}.{format}"'})

    for name, query in queries.items():
        api.add_api_route(f"/queries/{name}", _endpoint(query, _result), methods=["GET"],
                          response_model=QueryResult, tags=["named queries"], summary=query.title,
                          description=query.answers + "".join(f"\n\ne.g. `{e}`" for e in query.examples))

    @api.get("/queries/{name}", response_model=QueryResult, tags=["named queries"], include_in_schema=False)
    def unknown_query(name: str):
        raise not_found("named query", name, queries)

    return api


def install(app: FastAPI) -> None:
    app.include_router(router())



