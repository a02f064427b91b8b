"""The records as resources: programmes (support measures), actors, policies, countries,
findings, recommendations, indicators and figures. Lists take `limit` and `offset` and answer
`{"items": [...], "total": N}`; their filters are the facets of api/facets.py (several values of
one filter: any matches; several filters: all must match), and `/<list>/facets` counts them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from ..errors import not_found
from ..graph.parameters import Vocabulary
from . import models as m
from . import tabular
from .caching import by_version
from .catalogue import Catalogue
from .deps import CatalogueDep, KGDep
from .errors import NOT_FOUND
from .facets import ACTORS, FIGURES, FINDINGS, LISTINGS, MEASURES, POLICIES, RECOMMENDATIONS, Listing, text
from .params import Filter, Page, filters, inject, known_parameters_only, paging

IdPath = Annotated[str, Path(max_length=200, description="the record's id")]


# ---------------------------------------------------------------------------- shaping

def _common(c: Catalogue, r: dict) -> dict:
    return {"id": r["id"], "sources": r.get("source", []), "note": r.get("note"),
            "uncertain": r.get("uncertain", [])}


def _plain(r: dict, *names: str) -> dict:
    return {name: r[name] for name in names if name in r}


def _refs(c: Catalogue, ids) -> list[dict]:
    return [c.ref(i) for i in (ids if isinstance(ids, list) else [ids] if ids else [])]


def programme(c: Catalogue, r: dict) -> dict:
    roles = {role: _refs(c, actors) for role, actors in (r.get("roles") or {}).items()}
    return _common(c, r) | _plain(r, "name", "acronym", "aliases", "types", "country", "scope", "status", "start",
                                  "end", "dimensions", "levels", "filed_under", "target_groups", "phases",
                                  "general_population", "pilot", "description", "url") | {
        "part_of": c.ref(r["part_of"]) if r.get("part_of") else None,
        "places": _refs(c, r.get("places")), "roles": roles, "role_types": r.get("role_types", {}),
        "funders": roles.get("funder", []), "implementers": roles.get("implementer", []),
        "kind": r.get("measure_kind"), "actor_sector": r.get("actor_sector"), "funder_sector": r.get("funder_sector")}


def measure_ref(c: Catalogue, rid: str) -> dict:
    r = c.get("measures", rid) or {}
    return {"id": rid, "name": r.get("name"), "country": r.get("country", []), "status": r.get("status")}


def policy_ref(c: Catalogue, rid: str) -> dict:
    r = c.get("policies", rid) or {}
    return {"id": rid, "name": r.get("name"), "kind": r.get("kind"), "status": r.get("status")}


def finding_ref(c: Catalogue, rid: str) -> dict:
    r = c.get("findings", rid) or c.get("recommendations", rid) or {}
    return {"id": rid, "name": r.get("name"), "kind": r.get("kind"), "statement": r.get("statement")}


def actor(c: Catalogue, r: dict) -> dict:
    return _common(c, r) | _plain(r, "name", "acronym", "aliases", "type", "countries", "name_uncertain",
                                  "description", "url") | {
        "state": c.is_state(r), "parent": c.ref(r["parent"]) if r.get("parent") else None}


def policy(c: Catalogue, r: dict) -> dict:
    return _common(c, r) | _plain(r, "name", "acronym", "aliases", "kind", "country", "scope", "start", "end",
                                  "status", "addresses_reintegration", "under_revision") | {
        "year": str(r["year"]) if "year" in r else None}


def finding(c: Catalogue, r: dict) -> dict:
    return _common(c, r) | _plain(r, "name", "kind", "country", "scope", "themes", "statement", "dimensions",
                                  "levels", "phases", "target_groups") | {
        "about": [c.typed_ref(i) for i in r.get("about", [])],
        "recommendations": _refs(c, c.referring(r["id"], "recommendations", "addresses"))}


def recommendation(c: Catalogue, r: dict) -> dict:
    return _common(c, r) | _plain(r, "name", "country", "scope", "themes", "statement", "dimensions", "levels",
                                  "phases", "target_groups") | {
        "addresses": [finding_ref(c, i) for i in r.get("addresses", [])],
        "about": [c.typed_ref(i) for i in r.get("about", [])]}


def figure(c: Catalogue, r: dict) -> dict:
    return _common(c, r) | _plain(r, "value", "unit", "period_start", "cumulative", "bound", "country",
                                  "scope") | {
        "date": str(r.get("date")), "indicator": c.ref(r["indicator"]),
        "place": c.ref(r["place"]) if r.get("place") else None,
        "breakdown": _refs(c, r.get("breakdown")), "about": [c.typed_ref(i) for i in r.get("about", [])]}


def indicator(c: Catalogue, r: dict) -> dict:
    values = c.referring(r["id"], "figures", "indicator")
    countries = sorted({code for f in values for code in c.kind("figures")[f].get("country", [])})
    return _plain(r, "id", "name", "unit", "definition") | {"figures": len(values), "countries": countries}


# ---------------------------------------------------------------------------- filters

def _has(r: dict, name: str, wanted) -> bool:
    """Whether the record's field matches the filter: any of the wanted values (a list), or the one."""
    if wanted is None:
        return True
    current = r.get(name)
    current = set(current) if isinstance(current, list) else {current}
    return bool(current & (set(wanted) if isinstance(wanted, list) else {wanted}))


def _record(c: Catalogue, kind: str, rid: str, label: str) -> dict:
    r = c.get(kind, rid)
    if r is None:
        raise not_found(label, rid, c.kind(kind))
    return r


# ---------------------------------------------------------------------------- filters of each list

MEASURE_FILTERS = MEASURES.filters
ACTOR_FILTERS = ACTORS.filters
POLICY_FILTERS = POLICIES.filters
COUNTRY_FILTERS = (Filter("focus", "boolean", "only the five countries of origin (true) or only the others (false)"),)
FINDING_FILTERS = FINDINGS.filters
RECOMMENDATION_FILTERS = RECOMMENDATIONS.filters
INDICATOR_FILTERS = (Filter("country", "iso3", "only indicators with figures for these countries", multiple=True),
                     Filter("unit", "code:unit", multiple=True), text("indicators").filter)
FIGURE_FILTERS = FIGURES.filters


# ---------------------------------------------------------------------------- lists and records

def list_programmes(c: Catalogue, f: dict) -> list[dict]:
    return [programme(c, r) for r in MEASURES.select(c, f)]


def get_programme(c: Catalogue, id: str) -> dict:
    r = _record(c, "measures", id, "programme")
    about = c.referring(id, "figures", "about")
    return programme(c, r) | {
        "involvements": [{"role": e["role"], "actor": c.ref(e["actor"]) if e["actor"] else None,
                          "actor_type": e["actor_type"], "words": e["words"]} for e in r.get("involvements", [])],
        "policies": [policy_ref(c, p) for p in r.get("implements", [])],
        "parts": _refs(c, c.referring(id, "measures", "part_of")),
        "successor_of": _refs(c, r.get("successor_of")),
        "successors": _refs(c, c.referring(id, "measures", "successor_of")),
        "possibly_same_as": _refs(c, sorted(set(r.get("possibly_same_as", []))
                                            | set(c.referring(id, "measures", "possibly_same_as")))),
        "findings": [finding_ref(c, f) for f in c.referring(id, "findings", "about")],
        "recommendations": [finding_ref(c, f) for f in c.referring(id, "recommendations", "about")],
        "figures": [figure(c, c.kind("figures")[f]) for f in about]}


def list_actors(c: Catalogue, f: dict) -> list[dict]:
    return [actor(c, r) for r in ACTORS.select(c, f)]


def get_actor(c: Catalogue, id: str) -> dict:
    r = _record(c, "actors", id, "actor")
    by_role: dict[str, list] = {}
    for measure, role in sorted(c.roles_of.get(id, [])):
        by_role.setdefault(role, []).append(measure_ref(c, measure))
    bodies = [c.ref(b) | {"role": "head"} for b in c.referring(id, "actors", "headed_by")]
    bodies += [c.ref(b) | {"role": "member"} for b in c.referring(id, "actors", "members")
               if b not in c.referring(id, "actors", "headed_by")]
    return actor(c, r) | {
        "measures_by_role": dict(sorted(by_role.items())), "coordination_bodies": bodies,
        "members": _refs(c, r.get("members")), "headed_by": c.ref(r["headed_by"]) if r.get("headed_by") else None,
        "subunits": _refs(c, c.referring(id, "actors", "parent")), "places": _refs(c, r.get("places")),
        "designated_by": [policy_ref(c, p) for p in c.referring(id, "policies", "designates")],
        "issued": [policy_ref(c, p) for p in c.referring(id, "policies", "issued_by")],
        "findings": [finding_ref(c, f) for f in c.referring(id, "findings", "about")],
        "recommendations": [finding_ref(c, f) for f in c.referring(id, "recommendations", "about")]}


def list_policies(c: Catalogue, f: dict) -> list[dict]:
    return [policy(c, r) for r in POLICIES.select(c, f)]


def get_policy(c: Catalogue, id: str) -> dict:
    r = _record(c, "policies", id, "policy")
    return policy(c, r) | _plain(r, "counterparts", "dimensions", "target_groups", "description") | {
        "designates": _refs(c, r.get("designates")), "issued_by": _refs(c, r.get("issued_by")),
        "under": c.ref(r["under"]) if r.get("under") else None,
        "instruments": _refs(c, c.referring(id, "policies", "under")),
        "measures": [measure_ref(c, x) for x in c.referring(id, "measures", "implements")],
        "findings": [finding_ref(c, f) for f in c.referring(id, "findings", "about")],
        "recommendations": [finding_ref(c, f) for f in c.referring(id, "recommendations", "about")]}


def list_countries(kg, f: dict) -> list[dict]:
    c, counts = kg.catalogue, kg.counts
    return [{"iso3": code, "name": country["name"], "focus": country["focus"], "wikidata": country["wikidata"],
             "measures": counts.of("measures", code), "policies": counts.of("policies", code),
             "findings": counts.of("findings", code)}
            for code, country in c.countries.items() if f.get("focus") is None or country["focus"] == f["focus"]]


def get_country(c: Catalogue, iso3: str, vocabulary: Vocabulary) -> dict:
    code = iso3.upper()
    if code not in c.countries:
        raise not_found("country", iso3, c.countries)
    country = c.countries[code]

    def of(kind: str, key: str = "country") -> list[dict]:
        return [r for r in c.kind(kind).values() if code in r.get(key, [])]

    measures = of("measures")
    dimensions, levels = sorted(vocabulary.codes["dimension"]), sorted(vocabulary.codes["level"])
    cells = []
    for dimension in dimensions:
        for level in levels:
            ids = [r["id"] for r in measures if dimension in r.get("dimensions", []) and level in r.get("levels", [])]
            cells.append({"dimension": dimension, "level": level, "measures": len(ids), "ids": ids})
    return {
        "iso3": code, "name": country["name"], "focus": country["focus"], "wikidata": country["wikidata"],
        "policies": [policy(c, r) for r in of("policies")],
        "institutions": [actor(c, r) for r in of("actors", "countries")],
        "measures": {
            "total": len(measures),
            "by_dimension": {d: sum(1 for r in measures if d in r.get("dimensions", [])) for d in dimensions},
            "by_level": {lv: sum(1 for r in measures if lv in r.get("levels", [])) for lv in levels},
            "cells": cells, "items": [programme(c, r) for r in measures]},
        "findings": [finding(c, r) for r in of("findings")],
        "recommendations": [recommendation(c, r) for r in of("recommendations")],
        "figures": [figure(c, r) for r in of("figures")]}


def list_findings(c: Catalogue, f: dict) -> list[dict]:
    return [finding(c, r) for r in FINDINGS.select(c, f)]


def list_recommendations(c: Catalogue, f: dict) -> list[dict]:
    return [recommendation(c, r) for r in RECOMMENDATIONS.select(c, f)]


def list_indicators(c: Catalogue, f: dict) -> list[dict]:
    found = c.search.ids(f["q"], "indicators") if f.get("q") else None
    items = [indicator(c, r) for r in c.kind("indicators").values()
             if (found is None or r["id"] in found) and _has(r, "unit", f.get("unit"))]
    return [i for i in items if _has({"countries": i["countries"]}, "countries", f.get("country"))]


def get_indicator(c: Catalogue, id: str) -> dict:
    r = _record(c, "indicators", id, "indicator")
    return indicator(c, r) | {"values": [figure(c, c.kind("figures")[f])
                                         for f in c.referring(id, "figures", "indicator")]}


def list_figures(c: Catalogue, f: dict) -> list[dict]:
    return [figure(c, r) for r in FIGURES.select(c, f)]


# ---------------------------------------------------------------------------- routes

def router(vocabulary: Vocabulary) -> APIRouter:
    api = APIRouter(dependencies=[Depends(known_parameters_only), Depends(by_version)])
    def listing(path: str, lister, declared, model, tags: list, summary: str, whole_kg: bool = False):
        def endpoint(kg: KGDep, page: Page, values: dict, how: tabular.Wanted) -> Any:
            return tabular.respond(how, kg, path, page(lister(kg if whole_kg else kg.catalogue, values)))

        endpoint.__name__ = lister.__name__
        api.add_api_route(path, inject(endpoint, page=paging(vocabulary), values=filters(declared, vocabulary)),
                          methods=["GET"], response_model=m.Page[model], tags=tags, summary=summary,
                          responses=tabular.RESPONSES)
        facets = next((f for f in LISTINGS.values() if f.filters == tuple(declared)), None)
        if facets is not None:
            add_facets(path, facets, tags)

    def add_facets(path: str, facets: Listing, tags: list):
        def counts(c: CatalogueDep, values: dict) -> dict:
            return facets.counts(c, values)

        counts.__name__ = f"{facets.kind}_facets"
        api.add_api_route(f"{path}/facets", inject(counts, values=filters(facets.filters, vocabulary)),
                          methods=["GET"], response_model=m.Facets, tags=tags,
                          summary=f"The filters of {path} with the count of each value, for the same parameters",
                          description="Each facet lists its values with how many records the list would give with "
                                      "that value chosen (the facet's other values dropped, the other filters as "
                                      "given); `total` is what the list gives with every filter.")

    def record(path: str, getter, model, tags: list, summary: str):
        def endpoint(c: CatalogueDep, id: IdPath):
            return getter(c, id)

        endpoint.__name__ = getter.__name__
        api.add_api_route(path, endpoint, methods=["GET"], response_model=model, tags=tags, summary=summary,
                          responses=NOT_FOUND)

    listing("/programmes", list_programmes, MEASURE_FILTERS, m.Programme, ["programmes"],
            "Support measures (programmes, schemes, services), filtered")
    record("/programmes/{id}", get_programme, m.ProgrammeDetail, ["programmes"],
           "Everything about one measure: its actors, policies, findings and figures")
    listing("/actors", list_actors, ACTOR_FILTERS, m.Actor, ["actors"],
            "Ministries, agencies, donors, NGOs, networks and coordination bodies")
    record("/actors/{id}", get_actor, m.ActorDetail, ["actors"],
           "One actor: its measures by role, countries, coordination bodies, policies")
    listing("/policies", list_policies, POLICY_FILTERS, m.Policy, ["policies"],
            "Acts, policies, plans, rules, agreements and international frameworks")
    record("/policies/{id}", get_policy, m.PolicyDetail, ["policies"],
           "One policy: the agencies it designates and the measures that implement it")
    listing("/countries", list_countries, COUNTRY_FILTERS, m.CountrySummary, ["countries"],
            "Countries with what the graph records for each", whole_kg=True)

    @api.get("/countries/{iso3}", response_model=m.CountryProfile, tags=["countries"],
             summary="A country profile: policies, institutions, measures by dimension and level, findings, "
                     "recommendations, figures", responses=NOT_FOUND)
    def country_profile(kg: KGDep, iso3: Annotated[str, Path(max_length=10, description="ISO 3166-1 alpha-3 code")]):
        return get_country(kg.catalogue, iso3, kg.vocabulary)

    listing("/findings", list_findings, FINDING_FILTERS, m.Finding, ["findings"],
            "The assessment's gaps, weaknesses and strengths")
    record("/findings/{id}", lambda c, id: finding(c, _record(c, "findings", id, "finding")), m.Finding,
           ["findings"], "One finding")
    listing("/recommendations", list_recommendations, RECOMMENDATION_FILTERS, m.Recommendation, ["findings"],
            "The assessment's recommendations and the findings they answer")
    record("/recommendations/{id}",
           lambda c, id: recommendation(c, _record(c, "recommendations", id, "recommendation")),
           m.Recommendation, ["findings"], "One recommendation")
    listing("/indicators", list_indicators, INDICATOR_FILTERS, m.Indicator, ["figures"], "What the figures measure")
    record("/indicators/{id}", get_indicator, m.IndicatorDetail, ["figures"], "One indicator with its figures")
    listing("/figures", list_figures, FIGURE_FILTERS, m.Figure, ["figures"],
            "Numbers the sources state (Data Cube observations)")
    record("/figures/{id}", lambda c, id: figure(c, _record(c, "figures", id, "figure")), m.Figure, ["figures"],
           "One figure")
    return api
