"""The named queries over HTTP: /queries (all of them, with their typed parameters), the gap
analyses under /gaps and the coordination analyses under /coordination.

Each named query gets its own route, generated from the header of its .rq file, so /docs shows
its parameters with their types and allowed values. Values are checked and bound as RDF terms
by `rkg.graph.queries.run`, never pasted into the query text. Answers are computed in the
`analyses` lane (api/lanes.py: a few worker processes, bounded waits, a time limit, one computation
for identical requests) by the `*_job` functions here, and kept per graph and parameters.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import Response
from pydantic import Field

from ..errors import not_found
from ..graph import evidence
from ..graph.derive import UNITS
from ..graph.evidence import Measures, assess
from ..graph.network import export as export_network
from ..graph.network import network
from ..graph.parameters import Vocabulary
from ..graph.queries import NamedQuery, check_values, library, records, run_checked
from . import models as m
from . import tabular
from .caching import by_version
from .deps import KGDep, LanesDep
from .lanes import Lanes
from .links import with_links
from .params import Filter, Page, filters, inject, known_parameters_only, paging
from .state import KG

GAPS = {  # path under /gaps -> named query
    "empty-and-thin-cells": "empty-and-thin-cells", "dimension-balance": "dimension-balance",
    "phase-coverage": "phase-coverage", "target-group-coverage": "target-group-coverage",
    "policy-implementation": "policy-implementation", "policies-without-measures": "policies-without-measures",
    "countries-without-reintegration-policy": "countries-without-reintegration-policy",
    "sustainability-risk": "sustainability-risk", "completeness": "field-completeness",
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
    state: int = Field(description="measures in which a State actor (or a State body named by kind) takes part")
    non_state: int = Field(description="measures whose actors are stated and include no State actor")
    actor_not_stated: int = Field(description="measures whose sources name no actor")
    measure_ids: list[str]
    measure_names: list[str]
    programmes: str = Field(description="the list of these measures, as a link")


class Coverage(m.Model):
    country: str | None
    target_group: str | None = None
    phase: str | None = None
    unit: str = Field(description="the measures counted: dedicated (programmes), with-components, with-general or all")
    cells: list[CoverageCell]
    empty_cells: list[str] = Field(description="dimension/level cells with no measure at all")


class FindingEvidence(m.Model):
    finding: str
    name: str | None = None
    kind: str
    scope: str
    countries: list[str]
    themes: list[str]
    statement: str
    dimensions: list[str]
    levels: list[str]
    target_groups: list[str]
    phases: list[str]
    about: list[str]
    section: str | None = None
    links: dict[str, Any] = Field({}, description="the records its id columns name (api/links.py)")
    sources: list[dict[str, Any]] = Field([], description="the passages the finding comes from")
    verdict: str = Field(description="supported, contradicted or not testable by the data (rkg.graph.evidence)")
    reason: str
    evidence: list[dict[str, Any]] = Field(description="the weighing in each country: measures in scope, "
                                                       "baseline, measures, how many state a sparse field")


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

def rows(kg: KG, query: NamedQuery, checked: dict) -> list[dict]:
    """The rows as plain values, with the links and sources of their ids (api/links.py): the work."""
    return with_links(kg.catalogue, records(run_checked(kg.store, query, checked), query))


def _key(query: NamedQuery, checked: dict) -> tuple:
    return ("query", query.name, tuple(sorted(checked.items())))


def query_job(kg: KG, name: str, checked: dict) -> list[dict]:
    """A named query's rows (a job of the analyses lane: run in a worker process, on its graph)."""
    return rows(kg, library()[name], checked)


def evidence_job(kg: KG, checked: dict, unit: dict) -> list[dict]:
    """The findings, weighed against the measures (a job of the analyses lane)."""
    return assess(query_job(kg, "findings", checked), Measures.from_store(kg.store, kg.vocabulary, **unit))


def network_job(kg: KG, country: str | None, format: str) -> dict | str:
    """The actor network: metrics as JSON, or GraphML / GEXF (a job of the analyses lane)."""
    if format == "json":
        return {"country": country} | network(kg.store, country)[2]
    return export_network(kg.store, format, country)


async def answer(kg: KG, lanes: Lanes, query: NamedQuery, given: dict[str, str]) -> tuple[dict, list[dict]]:
    """(the parameters it ran with, defaults included; its rows), computed once per graph and
    parameters in the analyses lane. Invalid values are refused here, before any work."""
    checked = check_values(query, given, kg.vocabulary)
    found = await lanes.analyses.get(kg.results, _key(query, checked),
                                     lanes.analyses.job(kg, query_job, query.name, checked))
    return {p.name: checked.get(p.name) for p in query.params}, found


def _filters(query: NamedQuery) -> list[Filter]:
    return [Filter(p.name, p.type, p.help + (" (an actor's id, name or acronym)" if p.type == "id:actors" else ""),
                   default=p.default) for p in query.params]


def _endpoint(query: NamedQuery, shape, vocabulary: Vocabulary, paged: bool = True):
    """The route of a named query: its parameters declared from the query's header."""
    values = filters(_filters(query), vocabulary, check=False)
    if paged:
        async def paged_endpoint(kg: KGDep, lanes: LanesDep, page: Page, values: dict, how: tabular.Wanted) -> Any:
            return tabular.respond_rows(how, kg, query, shape(query, *await answer(kg, lanes, query, values), page))

        endpoint = inject(paged_endpoint, page=paging(vocabulary), values=values)
    else:
        async def whole_endpoint(kg: KGDep, lanes: LanesDep, values: dict) -> dict:
            return shape(query, *await answer(kg, lanes, query, values), None)

        endpoint = inject(whole_endpoint, values=values)
    endpoint.__name__ = "query_" + query.name.replace("-", "_")
    return endpoint


def _result(query: NamedQuery, used: dict, found: list[dict], page: Page) -> dict:
    return {"query": query.name, "title": query.title, "parameters": used,
            "columns": query.columns or (list(found[0]) if found else [])} | page(found)


def _items(query: NamedQuery, used: dict, found: list[dict], page: Page) -> dict:
    return page(found)


def _coverage(query: NamedQuery, used: dict, found: list[dict], page: Page | None) -> dict:
    filters = {k: used.get(k) for k in ("target_group", "phase")}
    kinds = [kind for kind, units in UNITS.items() if used["unit"] in units]
    cells = []
    for row in found:
        link = f"/programmes?country={row['country']}&dimension={row['dimension']}&level={row['level']}"
        link += "".join(f"&{k}={v}" for k, v in filters.items() if v) + "&kind=" + ",".join(kinds)
        cells.append({k: row[k] for k in CoverageCell.model_fields if k != "programmes"} | {"programmes": link})
    empty = [f"{c['dimension']}/{c['level']}" + ("" if used.get("country") else f" ({c['country']})")
             for c in cells if c["measures"] == 0]
    return {"country": used.get("country"), **filters, "unit": used["unit"], "cells": cells, "empty_cells": empty}


def router(vocabulary: Vocabulary) -> APIRouter:
    api = APIRouter(dependencies=[Depends(known_parameters_only), Depends(by_version)])
    queries = library()
    checks = [Filter("checks", "boolean", "include the data checks (*-violation)", default="true")]

    def list_queries(page: Page, options: dict) -> dict:
        return page([q.as_dict() | {"path": f"/queries/{q.name}", "text": q.text}
                     for q in queries.values() if options["checks"] or not q.check])

    api.add_api_route("/queries", inject(list_queries, page=paging(vocabulary), options=filters(checks, vocabulary)),
                      methods=["GET"], response_model=m.Page[QueryInfo], tags=["named queries"],
                      summary="Every named query: what it answers, its parameters and columns, its SPARQL")

    api.add_api_route("/gaps/coverage", _endpoint(queries["coverage-matrix"], _coverage, vocabulary, paged=False),
                      methods=["GET"], response_model=Coverage, tags=["gaps"],
                      summary="Coverage matrix: measures per dimension x level of a country (every cell, 0 included)",
                      description=queries["coverage-matrix"].answers)
    for path, name in GAPS.items():
        query = queries[name]
        api.add_api_route(f"/gaps/{path}", _endpoint(query, _items, vocabulary), methods=["GET"],
                          response_model=m.Page[dict[str, Any]], tags=["gaps"], summary=query.title,
                          responses=tabular.RESPONSES,
                          description=query.answers + f" (named query `{name}`)")
    findings = queries["findings"]
    weighing = [Filter("unit", "code:counting-unit", "the measures counted: dedicated (programmes), with-components, "
                       "with-general or all", default="dedicated")]

    async def findings_with_evidence(kg: KGDep, lanes: LanesDep, page: Page, values: dict, unit: dict) -> dict:
        checked = check_values(findings, values, kg.vocabulary)
        used = {p.name: checked.get(p.name) for p in findings.params}
        key = ("evidence", tuple(sorted(used.items())), tuple(sorted(unit.items())))
        return page(await lanes.analyses.get(kg.results, key, lanes.analyses.job(kg, evidence_job, checked, unit)))

    api.add_api_route("/gaps/findings", inject(findings_with_evidence, page=paging(vocabulary),
                                               values=filters(_filters(findings), vocabulary, check=False),
                                               unit=filters(weighing, vocabulary)),
                      methods=["GET"], response_model=m.Page[FindingEvidence], tags=["gaps"],
                      summary="The assessment's findings, each marked supported, contradicted or not testable by "
                              "the data, with the numbers",
                      description=(evidence.__doc__ or "").replace("\n\n", "\n\n").strip())
    for path, name in COORDINATION.items():
        query = queries[name]
        api.add_api_route(f"/coordination/{path}", _endpoint(query, _items, vocabulary), methods=["GET"],
                          response_model=m.Page[dict[str, Any]], tags=["coordination"], summary=query.title,
                          responses=tabular.RESPONSES,
                          description=query.answers + f" (named query `{name}`)")

    async def get_network(kg: KGDep, lanes: LanesDep, options: dict,
                          format: Annotated[Literal["json", "graphml", "gexf"], Query(
                              description="json (metrics and edges), graphml or gexf (for Gephi, Cytoscape)")] = "json"):
        country = options.get("country")
        found = await lanes.analyses.get(kg.cache, ("network", country, format),
                                         lanes.analyses.job(kg, network_job, country, format))
        if format == "json":
            return found
        return Response(found, media_type=NETWORK_MEDIA[format],
                        headers={"Content-Disposition": f'inline; filename="network{"-" + country if country else ""}.{format}"'})

    api.add_api_route("/coordination/network",
                      inject(get_network, options=filters([Filter("country", "iso3", "only this country's measures")],
                                                          vocabulary)),
                      methods=["GET"], response_model=Network, tags=["coordination"],
                      summary="The actor network: who works with whom (JSON with metrics, or GraphML / GEXF)",
                      responses={200: {"content": {media: {} for media in NETWORK_MEDIA.values()}}})

    for name, query in queries.items():
        api.add_api_route(f"/queries/{name}", _endpoint(query, _result, vocabulary), methods=["GET"], responses=tabular.RESPONSES,
                          response_model=QueryResult, tags=["named queries"], summary=query.title,
                          description=query.answers + "".join(f"\n\ne.g. `{e}`" for e in query.examples))

    @api.get("/queries/{name}", response_model=QueryResult, tags=["named queries"], include_in_schema=False)
    def unknown_query(name: str):
        raise not_found("named query", name, queries)

    return api


def install(app: FastAPI, vocabulary: Vocabulary) -> None:
    app.include_router(router(vocabulary))



