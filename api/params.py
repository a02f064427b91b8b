"""Typed query parameters shared by the endpoints: controlled values as enums (so /docs lists
them and a wrong value is a 422 naming the allowed ones), pagination, and the refusal of
parameters an endpoint does not know (a misspelt filter must not silently match everything)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal, get_args, get_origin

from fastapi import Query, Request
from pydantic import BeforeValidator
from rdflib import SKOS

from ..graph.build import ontology_graph
from ..loaders.schema import SCHEMES
from .errors import ApiError


@lru_cache(maxsize=None)
def codes(scheme: str) -> tuple[str, ...]:
    """The codes of a concept scheme of the ontology (`dimension`, `country`, ...)."""
    graph = ontology_graph()
    return tuple(sorted({str(code) for concept in graph.subjects(SKOS.inScheme, SCHEMES[scheme])
                         for code in graph.objects(concept, SKOS.notation)}))


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def _role(value):
    return value.replace("-", "_") if isinstance(value, str) else value


CountryCode = Annotated[Literal[codes("country")], BeforeValidator(_upper)]
Dimension = Literal[codes("dimension")]
Level = Literal[codes("level")]
Phase = Literal[codes("phase")]
TargetGroup = Literal[codes("target-group")]
ActorType = Literal[codes("actor-type")]
MeasureStatus = Literal[codes("measure-status")]
PolicyKind = Literal[codes("policy-kind")]
PolicyStatus = Literal[codes("policy-status")]
FindingKind = Literal[codes("finding-kind")]
Theme = Literal[codes("theme")]
Unit = Literal[codes("unit")]
Role = Annotated[Literal[codes("role")], BeforeValidator(_role)]

MAX_LIMIT = 1000


class Page:
    """`limit` and `offset` of every list."""

    def __init__(self, limit: Annotated[int, Query(ge=0, le=MAX_LIMIT, description="at most this many items")] = 100,
                 offset: Annotated[int, Query(ge=0, le=10**9, description="skip this many items first")] = 0):
        self.limit, self.offset = limit, offset

    def __call__(self, items: list) -> dict:
        return {"items": items[self.offset:self.offset + self.limit], "total": len(items)}


def _params(dependant, where: str) -> list:
    """The parameters (`query_params` or `path_params`) of a route's dependant and its dependencies."""
    found = list(getattr(dependant, where))
    for sub in dependant.dependencies:
        found += _params(sub, where)
    return found


def _declared(route) -> frozenset[str]:
    declared = getattr(route, "_declared_query_parameters", None)
    if declared is None:
        declared = frozenset(p.alias for p in _params(route.dependant, "query_params"))
        route._declared_query_parameters = declared
    return declared


async def known_parameters_only(request: Request) -> None:
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    declared = _declared(route)
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        raise ApiError(422, "invalid-parameter",
                       f"unknown parameter '{unknown[0]}' for {request.url.path}",
                       parameter=unknown[0], allowed=sorted(declared))


def _literals(annotation) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return [value for arg in get_args(annotation) for value in _literals(arg)]


def allowed_values(request: Request, name: str) -> list[str] | None:
    """The values a parameter of the request's route allows, when it is an enum."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return None
    for param in _params(route.dependant, "query_params") + _params(route.dependant, "path_params"):
        if param.alias == name:
            return _literals(param.field_info.annotation) or None
    return None
