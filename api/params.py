"""The API's query parameters, declared from the parameter types of `rkg.graph.parameters`.

A route lists its parameters as `Filter`s; `filters(...)` turns them into one FastAPI dependency
whose signature declares each of them (so /docs shows them, with their allowed values), and
which checks every value with the same code the CLI and the reports use, against the vocabulary
of the graph being served. The answer is a dict of checked values.

One rule for every parameter: a parameter that takes one value and is given twice is refused
(nothing is silently dropped); a parameter that takes several (`multiple`) is given by repeating
it or as a comma-separated list (`country=NPL&country=LKA`, `country=NPL,LKA`) and matches any of
them. Parameters an endpoint does not declare are refused, so a misspelt filter never silently
matches everything.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

from fastapi import Depends, Query, Request

from ..errors import InvalidValue
from ..graph.parameters import Vocabulary, param_type
from .errors import ApiError

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Filter:
    name: str
    type: str                      # a parameter type of rkg.graph.parameters: "iso3", "code:dimension", ...
    description: str = ""
    multiple: bool = False         # repeated or comma-separated values, any of which matches
    default: str | None = None
    minimum: int | None = None     # for integers
    maximum: int | None = None
    choices: tuple[str, ...] | None = None  # for strings: the values allowed, where no vocabulary lists them
    required: bool = False

    def annotation(self, vocabulary: Vocabulary):
        kind = param_type(self.type)
        schema: dict[str, Any] = kind.json_schema(vocabulary)
        if self.choices is not None:
            schema = {"type": "string", "enum": list(self.choices)}
        if self.required:
            schema["minLength"] = 1
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        text = self.description or kind.describe()
        if self.default is not None:
            text += f" (default {self.default})"
        if self.multiple:
            text += "; several values: repeat the parameter or separate them with commas (any of them matches)"
            return Annotated[list[str], Query(description=text, json_schema_extra={"items": schema})]
        return Annotated[str, Query(description=text, json_schema_extra=schema)]

    def check(self, raw: str | list[str] | None, vocabulary: Vocabulary):
        """The checked value (a list for `multiple`), or None when not given."""
        kind = param_type(self.type)
        if raw == [] or kind.is_absent(raw):
            raw = self.default
            if raw is None:
                return None
        if self.multiple:
            pieces = [p.strip() for item in (raw if isinstance(raw, list) else [raw]) for p in str(item).split(",")]
            if self.choices is not None:
                return sorted({self._choice(p) for p in pieces}) or None
            return sorted({kind.value(self.name, p, vocabulary) for p in pieces}, key=str) or None
        if self.choices is not None:
            return self._choice(str(raw))
        value = kind.value(self.name, str(raw), vocabulary)
        if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
            raise InvalidValue(f"parameter '{self.name}' must be between {self.minimum} and {self.maximum}, "
                               f"not {raw}", parameter=self.name)
        return value

    def _choice(self, raw: str) -> str:
        if raw not in (self.choices or ()):
            raise InvalidValue(f"'{raw}' is not a value of parameter '{self.name}'", allowed=list(self.choices or ()),
                               parameter=self.name)
        return raw


def filters(declared: tuple[Filter, ...] | list[Filter], vocabulary: Vocabulary, check: bool = True) -> Callable:
    """A dependency declaring `declared` (documented with `vocabulary`'s values) that answers
    {name: checked value} for the parameters given, or {name: raw text} with `check=False` (for
    named queries, whose runner checks them itself)."""

    def dependency(request: Request, **raw) -> dict[str, Any]:
        served = request.app.state.kg.vocabulary
        out = {}
        for item in declared:
            if not check:
                if not param_type(item.type).is_absent(raw.get(item.name)):
                    out[item.name] = raw[item.name]  # an empty number, code or date is refused by the runner
                continue
            value = item.check(raw.get(item.name), served)
            if value is not None:
                out[item.name] = value
        return out

    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
        + [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, annotation=f.annotation(vocabulary),
                             default=inspect.Parameter.empty if f.required else None)
           for f in declared])
    return dependency


def inject(endpoint: Callable, **dependencies: Callable) -> Callable:
    """`endpoint` with the parameters named in `dependencies` filled by those FastAPI dependencies.
    The endpoint keeps plain annotations (`page: Page`, `values: dict`) that type checkers read;
    FastAPI reads the signature set here."""
    hints = get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    parameters = [p.replace(annotation=Annotated[hints[p.name], Depends(dependencies[p.name])])
                  if p.name in dependencies else p.replace(annotation=hints.get(p.name, p.annotation))
                  for p in signature.parameters.values()]
    endpoint.__signature__ = signature.replace(parameters=parameters,  # type: ignore[attr-defined]
                                               return_annotation=inspect.Signature.empty)
    return endpoint


PAGE = (Filter("limit", "integer", "at most this many items", default="100", minimum=0, maximum=MAX_LIMIT),
        Filter("offset", "integer", "skip this many items first", default="0", minimum=0, maximum=10**9))


class Page:
    """`limit` and `offset` of a list."""

    def __init__(self, limit: int = 100, offset: int = 0):
        self.limit, self.offset = limit, offset

    def __call__(self, items: list) -> dict:
        return {"items": items[self.offset:self.offset + self.limit], "total": len(items)}


def paging(vocabulary: Vocabulary) -> Callable:
    """The dependency giving a route's `Page` from `limit` and `offset`."""

    def page(values: dict) -> Page:
        return Page(values["limit"], values["offset"])

    return inject(page, values=filters(PAGE, vocabulary))


# ---------------------------------------------------------------------------- the parameters a route takes

def _params(dependant, where: str) -> list:
    """The parameters (`query_params` or `path_params`) of a route's dependant and its dependencies."""
    found = list(getattr(dependant, where))
    for sub in dependant.dependencies:
        found += _params(sub, where)
    return found


def _is_list(param) -> bool:
    annotation = param.field_info.annotation
    return get_origin(annotation) is list or any(get_origin(a) is list for a in get_args(annotation))


def _declared(route) -> tuple[frozenset[str], frozenset[str]]:
    """(every query parameter of the route, those taking several values)."""
    declared = getattr(route, "_declared_query_parameters", None)
    if declared is None:
        params = _params(route.dependant, "query_params")
        declared = (frozenset(p.alias for p in params), frozenset(p.alias for p in params if _is_list(p)))
        route._declared_query_parameters = declared
    return declared


async def known_parameters_only(request: Request) -> None:
    """Refuse parameters the route does not declare, and single-valued ones given twice."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    declared, lists = _declared(route)
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        raise ApiError(422, "invalid-parameter", f"unknown parameter '{unknown[0]}' for {request.url.path}",
                       parameter=unknown[0], allowed=sorted(declared))
    for name in sorted(set(request.query_params) - lists):
        given = request.query_params.getlist(name)
        if len(given) > 1:
            raise ApiError(422, "invalid-parameter",
                           f"parameter '{name}' is given {len(given)} times; it takes one value",
                           parameter=name)


def allowed_values(request: Request, name: str) -> list[str] | None:
    """The values a parameter of the request's route allows, for FastAPI's own validation errors."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return None
    for param in _params(route.dependant, "query_params") + _params(route.dependant, "path_params"):
        if param.alias == name:
            extra = param.field_info.json_schema_extra or {}
            enum = extra.get("enum") or (extra.get("items") or {}).get("enum") or _literals(param.field_info.annotation)
            return list(enum) if enum else None
    return None


def _literals(annotation) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return [value for arg in get_args(annotation) for value in _literals(arg)]
