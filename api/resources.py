"""The records as resources: programmes (support measures), actors, policies, countries,
findings, recommendations, indicators and figures. Lists take `limit` and `offset` and answer
`{"items": [...], "total": N}`; their filters combine (all must match)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ..loaders.problems import closest
from ..loaders.schema import KINDS
from . import models as m
from .catalogue import Catalogue
from .errors import invalid, not_found
from .params import (ActorType, CountryCode, Dimension, FindingKind, Level, MeasureStatus, Page, Phase,
                     PolicyKind, PolicyStatus, Role, TargetGroup, Theme, Unit, codes, known_parameters_only)

router = APIRouter(dependencies=[Depends(known_parameters_only)])

Text = Annotated[str | None, Query(max_length=200, description="text to find (case-insensitive) in names and aliases")]
Country = Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-3 code, e.g. NPL")]
IdPath = Annotated[str, Path(max_length=200, description="the record's id")]


def catalogue(request: Request) -> Catalogue:
    return request.app.state.kg.catalogue


Cat = Annotated[Catalogue, Depends(catalogue)]


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
        "places": _refs(c, r.get("places")), "roles": roles,
        "funders": roles.get("funder", []), "implementers": roles.get("implementer", [])}


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
    countries = sorted({code for f in values for code in c.get("figures", f).get("country", [])})
    return _plain(r, "id", "name", "unit", "definition") | {"figures": len(values), "countries": countries}


# ---------------------------------------------------------------------------- filters

def _text(q: str | None, r: dict, *names: str) -> bool:
    if not q:
        return True
    needle = q.casefold()
    for name in names:
        value = r.get(name)
        for text in value if isinstance(value, list) else [value]:
            if text and needle in str(text).casefold():
                return True
    return False


def _has(r: dict, name: str, value) -> bool:
    if value is None:
        return True
    current = r.get(name)
    return value in current if isinstance(current, list) else current == value


def resolve_actor(c: Catalogue, value: str, parameter: str = "actor") -> str:
    """An actor's id from its id, name, acronym or alias (case-insensitive)."""
    actors = c.kind("actors")
    if value in actors:
        return value
    wanted = value.casefold()
    for rid, r in actors.items():
        names = [rid, r.get("name"), r.get("acronym")] + list(r.get("aliases", []))
        if any(n and str(n).casefold() == wanted for n in names):
            return rid
    near = closest(value, list(actors) + [r["name"] for r in actors.values()])
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    raise invalid(parameter, f"no actor has the id or name '{value}'{hint}", allowed=list(actors))


def _known(c: Catalogue, kinds: tuple[str, ...], value: str | None, parameter: str) -> None:
    if value is None:
        return
    if not any(value in c.kind(k) for k in kinds):
        known = [rid for k in kinds for rid in c.kind(k)]
        near = closest(value, known)
        hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
        raise invalid(parameter, f"'{value}' is not the id of a {' or '.join(KINDS[k].label for k in kinds)}{hint}",
                      allowed=known)


def _record(c: Catalogue, kind: str, rid: str, label: str) -> dict:
    r = c.get(kind, rid)
    if r is None:
        raise not_found(label, rid, c.kind(kind))
    return r


# ---------------------------------------------------------------------------- programmes

@router.get("/programmes", response_model=m.Page[m.Programme], tags=["programmes"],
            summary="Support measures (programmes, schemes, services), filtered")
def list_programmes(c: Cat, page: Annotated[Page, Depends()], country: Country = None,
                    dimension: Dimension | None = None, level: Level | None = None,
                    actor: Annotated[str | None, Query(max_length=200, description="an actor's id or name")] = None,
                    role: Annotated[Role | None, Query(description="the actor's role (with `actor`), or any actor's")] = None,
                    status: MeasureStatus | None = None, target_group: TargetGroup | None = None,
                    phase: Phase | None = None, q: Text = None):
    actor_id = resolve_actor(c, actor) if actor else None
    items = []
    for r in c.kind("measures").values():
        roles = r.get("roles") or {}
        if actor_id and not (actor_id in roles.get(role, []) if role else
                             any(actor_id in actors for actors in roles.values())):
            continue
        if role and not actor_id and not roles.get(role):
            continue
        if all(_has(r, name, value) for name, value in (
                ("country", country), ("dimensions", dimension), ("levels", level), ("status", status),
                ("target_groups", target_group), ("phases", phase))) and _text(q, r, "name", "acronym", "aliases"):
            items.append(programme(c, r))
    return page(items)


@router.get("/programmes/{id}", response_model=m.ProgrammeDetail, tags=["programmes"],
            summary="Everything about one measure: its actors, policies, findings and figures")
def get_programme(c: Cat, id: IdPath):
    r = _record(c, "measures", id, "programme")
    about = c.referring(id, "figures", "about")
    return programme(c, r) | {
        "policies": [policy_ref(c, p) for p in r.get("implements", [])],
        "part_of": c.ref(r["part_of"]) if r.get("part_of") else None,
        "parts": _refs(c, c.referring(id, "measures", "part_of")),
        "successor_of": _refs(c, r.get("successor_of")),
        "successors": _refs(c, c.referring(id, "measures", "successor_of")),
        "possibly_same_as": _refs(c, sorted(set(r.get("possibly_same_as", []))
                                            | set(c.referring(id, "measures", "possibly_same_as")))),
        "findings": [finding_ref(c, f) for f in c.referring(id, "findings", "about")],
        "recommendations": [finding_ref(c, f) for f in c.referring(id, "recommendations", "about")],
        "figures": [figure(c, c.get("figures", f)) for f in about]}


# ---------------------------------------------------------------------------- actors

@router.get("/actors", response_model=m.Page[m.Actor], tags=["actors"],
            summary="Ministries, agencies, donors, NGOs, networks and coordination bodies")
def list_actors(c: Cat, page: Annotated[Page, Depends()], country: Country = None,
                type: ActorType | None = None, q: Text = None):
    return page([actor(c, r) for r in c.kind("actors").values()
                 if _has(r, "countries", country) and _has(r, "type", type)
                 and _text(q, r, "id", "name", "acronym", "aliases")])


@router.get("/actors/{id}", response_model=m.ActorDetail, tags=["actors"],
            summary="One actor: its measures by role, countries, coordination bodies, policies")
def get_actor(c: Cat, id: IdPath):
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


# ---------------------------------------------------------------------------- policies

@router.get("/policies", response_model=m.Page[m.Policy], tags=["policies"],
            summary="Acts, policies, plans, rules, agreements and international frameworks")
def list_policies(c: Cat, page: Annotated[Page, Depends()], country: Country = None,
                  kind: PolicyKind | None = None, status: PolicyStatus | None = None,
                  addresses_reintegration: bool | None = None, q: Text = None):
    return page([policy(c, r) for r in c.kind("policies").values()
                 if _has(r, "country", country) and _has(r, "kind", kind) and _has(r, "status", status)
                 and (addresses_reintegration is None or r.get("addresses_reintegration") == addresses_reintegration)
                 and _text(q, r, "name", "acronym", "aliases")])


@router.get("/policies/{id}", response_model=m.PolicyDetail, tags=["policies"],
            summary="One policy: the agencies it designates and the measures that implement it")
def get_policy(c: Cat, id: IdPath):
    r = _record(c, "policies", id, "policy")
    return policy(c, r) | _plain(r, "counterparts", "dimensions", "target_groups", "description") | {
        "designates": _refs(c, r.get("designates")), "issued_by": _refs(c, r.get("issued_by")),
        "under": c.ref(r["under"]) if r.get("under") else None,
        "instruments": _refs(c, c.referring(id, "policies", "under")),
        "measures": [measure_ref(c, x) for x in c.referring(id, "measures", "implements")],
        "findings": [finding_ref(c, f) for f in c.referring(id, "findings", "about")],
        "recommendations": [finding_ref(c, f) for f in c.referring(id, "recommendations", "about")]}


# ---------------------------------------------------------------------------- countries

@router.get("/countries", response_model=m.Page[m.CountrySummary], tags=["countries"],
            summary="Countries with what the graph records for each")
def list_countries(c: Cat, page: Annotated[Page, Depends()],
                   focus: Annotated[bool | None, Query(description="only the five countries of origin")] = None):
    items = []
    for code, country in c.countries.items():
        counts = {kind: sum(1 for r in c.kind(kind).values() if code in r.get("country", []))
                  for kind in ("measures", "policies", "findings")}
        if focus is None or country["focus"] == focus:
            items.append({"iso3": code, "name": country["name"], "focus": country["focus"],
                          "wikidata": country["wikidata"]} | counts)
    return page(items)


@router.get("/countries/{iso3}", response_model=m.CountryProfile, tags=["countries"],
            summary="A country profile: policies, institutions, measures by dimension and level, findings, "
                    "recommendations, figures")
def get_country(c: Cat, iso3: Annotated[str, Path(max_length=10, description="ISO 3166-1 alpha-3 code")]):
    code = iso3.upper()
    if code not in c.countries:
        raise not_found("country", iso3, c.countries)
    country = c.countries[code]

    def of(kind: str, key: str = "country") -> list[dict]:
        return [r for r in c.kind(kind).values() if code in r.get(key, [])]

    measures = of("measures")
    dimensions, levels = codes("dimension"), codes("level")
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


# ---------------------------------------------------------------------------- findings, recommendations

@router.get("/findings", response_model=m.Page[m.Finding], tags=["findings"],
            summary="The assessment's gaps, weaknesses and strengths")
def list_findings(c: Cat, page: Annotated[Page, Depends()], country: Country = None,
                  kind: FindingKind | None = None, theme: Theme | None = None, dimension: Dimension | None = None,
                  level: Level | None = None,
                  about: Annotated[str | None, Query(max_length=200, description="id of a measure, policy or actor")] = None,
                  q: Annotated[str | None, Query(max_length=200, description="text in the name or statement")] = None):
    _known(c, ("measures", "policies", "actors"), about, "about")
    return page([finding(c, r) for r in c.kind("findings").values()
                 if all(_has(r, n, v) for n, v in (("country", country), ("kind", kind), ("themes", theme),
                                                   ("dimensions", dimension), ("levels", level), ("about", about)))
                 and _text(q, r, "name", "statement")])


@router.get("/findings/{id}", response_model=m.Finding, tags=["findings"], summary="One finding")
def get_finding(c: Cat, id: IdPath):
    return finding(c, _record(c, "findings", id, "finding"))


@router.get("/recommendations", response_model=m.Page[m.Recommendation], tags=["findings"],
            summary="The assessment's recommendations and the findings they answer")
def list_recommendations(c: Cat, page: Annotated[Page, Depends()], country: Country = None,
                         theme: Theme | None = None, dimension: Dimension | None = None, level: Level | None = None,
                         addresses: Annotated[str | None, Query(max_length=200, description="a finding's id")] = None,
                         q: Annotated[str | None, Query(max_length=200, description="text in the name or statement")] = None):
    _known(c, ("findings",), addresses, "addresses")
    return page([recommendation(c, r) for r in c.kind("recommendations").values()
                 if all(_has(r, n, v) for n, v in (("country", country), ("themes", theme), ("dimensions", dimension),
                                                   ("levels", level), ("addresses", addresses)))
                 and _text(q, r, "name", "statement")])


@router.get("/recommendations/{id}", response_model=m.Recommendation, tags=["findings"], summary="One recommendation")
def get_recommendation(c: Cat, id: IdPath):
    return recommendation(c, _record(c, "recommendations", id, "recommendation"))


# ---------------------------------------------------------------------------- indicators, figures

@router.get("/indicators", response_model=m.Page[m.Indicator], tags=["figures"],
            summary="What the figures measure")
def list_indicators(c: Cat, page: Annotated[Page, Depends()],
                    country: Annotated[CountryCode | None, Query(description="only indicators with figures for this country")] = None,
                    unit: Unit | None = None,
                    q: Annotated[str | None, Query(max_length=200, description="text in the name or definition")] = None):
    items = [indicator(c, r) for r in c.kind("indicators").values()
             if _has(r, "unit", unit) and _text(q, r, "id", "name", "definition")]
    return page([i for i in items if country is None or country in i["countries"]])


@router.get("/indicators/{id}", response_model=m.IndicatorDetail, tags=["figures"],
            summary="One indicator with its figures")
def get_indicator(c: Cat, id: IdPath):
    r = _record(c, "indicators", id, "indicator")
    return indicator(c, r) | {"values": [figure(c, c.get("figures", f))
                                         for f in c.referring(id, "figures", "indicator")]}


@router.get("/figures", response_model=m.Page[m.Figure], tags=["figures"],
            summary="Numbers the sources state (Data Cube observations)")
def list_figures(c: Cat, page: Annotated[Page, Depends()], country: Country = None,
                 indicator: Annotated[str | None, Query(max_length=200, description="an indicator's id")] = None,
                 about: Annotated[str | None, Query(max_length=200, description="id of a measure, policy or actor")] = None,
                 unit: Unit | None = None):
    _known(c, ("indicators",), indicator, "indicator")
    _known(c, ("measures", "policies", "actors"), about, "about")
    return page([figure(c, r) for r in c.kind("figures").values()
                 if all(_has(r, n, v) for n, v in (("country", country), ("indicator", indicator),
                                                   ("about", about), ("unit", unit)))])


@router.get("/figures/{id}", response_model=m.Figure, tags=["figures"], summary="One figure")
def get_figure(c: Cat, id: IdPath):
    return figure(c, _record(c, "figures", id, "figure"))
