"""One error shape for every endpoint: `{"error": {"code", "message", ...}}`.

The library raises `rkg.errors.RkgError`s with a code and no HTTP status; `STATUS` is the one
table from code to status. `ApiError` is for what only HTTP knows (406, 413, 415, 401, ...).
404 for unknown ids and paths, 422 for invalid parameters (with the allowed values), and the
same shape for what FastAPI itself refuses and for the SPARQL endpoint.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import RkgError

log = logging.getLogger("rkg.api")

STATUS_CODES = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                405: "method-not-allowed", 406: "not-acceptable", 413: "too-large",
                415: "unsupported-media-type", 422: "invalid-parameter", 500: "internal-error",
                503: "unavailable"}


# library error code -> HTTP status (codes not listed answer 500)
STATUS = {"not-found": 404, "invalid-parameter": 422, "not-acceptable": 406, "invalid-data": 422,
          "invalid-store": 422, "store-unavailable": 503, "unavailable": 503, "definition-error": 500}

# the error shape, as the OpenAPI document states it for the answers routes declare
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "hint": {"type": "string"},
            "parameter": {"type": "string"}, "allowed": {"type": "array"}}}}}


def documented(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """A route's `responses` entry for an error answer in the API's error shape."""
    return {status: {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}}


NOT_FOUND = documented(404, "no record with that id")


class ApiError(Exception):
    """An error the client should see, in the API's error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.extra = status, code, message, headers, extra

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message} | self.extra}


def error_response(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse(ApiError(status, code, message, **extra).body(), status_code=status, headers=headers)


def from_library(error: RkgError) -> ApiError:
    """The HTTP error of a library error, by its code."""
    return ApiError(STATUS.get(error.code, 500), error.code, error.message,
                    **{k: v for k, v in error.as_dict().items() if k not in ("code", "message")})


def _routes(routes) -> list:
    """The routes with a path of their own, through included routers (FastAPI wraps them)."""
    found = []
    for route in routes:
        if hasattr(route, "path_regex"):
            found.append(route)
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        if inner:
            found += _routes(inner)
    return found


def _methods(request: Request) -> list[str]:
    """Every method some route of the app answers on the request's path (HEAD with GET)."""
    methods: set[str] = set()
    for route in _routes(request.app.router.routes):
        if route.path_regex.match(request.url.path):
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods | ({"HEAD"} if "GET" in methods else set()))


def install(app: FastAPI, allowed_values) -> None:
    """Register the handlers. `allowed_values(request, name)` gives the values a parameter allows,
    so that FastAPI's own validation errors say what is allowed too."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RkgError)
    async def library_error(request: Request, exc: RkgError):
        error = from_library(exc)
        if error.status >= 500:
            log.error("%s on %s: %s", exc.code, request.url.path, exc.message)
        return JSONResponse(error.body(), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = []
        for error in exc.errors():
            location = [str(part) for part in error.get("loc", ())]
            name = location[-1] if location else ""
            problem = {"parameter": name, "in": location[0] if location else "", "message": error.get("msg", "")}
            allowed = allowed_values(request, name) if location and location[0] in ("query", "path") else None
            if allowed:
                problem["allowed"] = allowed
            problems.append(problem)
        first = problems[0] if problems else {"parameter": "", "message": "invalid request"}
        message = f"parameter '{first['parameter']}': {first['message']}" if first["parameter"] else first["message"]
        extra: dict[str, Any] = {k: v for k, v in first.items() if k in ("parameter", "allowed")}
        return error_response(422, "invalid-parameter", message, None, problems=problems, **extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 404 and message == "Not Found":
            message = f"there is no endpoint {request.url.path}; see /docs"
        if exc.status_code == 405:  # Starlette names the methods of the first route of the path only
            headers["Allow"] = ", ".join(_methods(request))
            message = f"{request.url.path} answers {headers['Allow']}"
        return error_response(exc.status_code, code, message, headers=headers or None)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error_response(500, "internal-error", "the server failed to answer; the error has been logged")
