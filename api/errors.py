"""One error shape for every endpoint: `{"error": {"code", "message", ...}}`.

404 for unknown ids and paths, 422 for invalid parameters (with the allowed values), and the
same shape for what FastAPI itself refuses and for the SPARQL endpoint.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..graph.queries import QueryError
from ..loaders.problems import closest

log = logging.getLogger("rkg.api")

STATUS_CODES = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                405: "method-not-allowed", 406: "not-acceptable", 413: "too-large",
                415: "unsupported-media-type", 422: "invalid-parameter", 500: "internal-error",
                503: "unavailable"}


class ApiError(Exception):
    """An error the client should see, in the API's error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.extra = status, code, message, headers, extra

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message} | self.extra}


def error_response(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse(ApiError(status, code, message, **extra).body(), status_code=status, headers=headers)


def not_found(kind: str, value: str, known) -> ApiError:
    """404 for an unknown id, with the nearest known ids as suggestions."""
    near = closest(value, known)
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    return ApiError(404, "not-found", f"there is no {kind} '{value}'{hint}", suggestions=near)


def invalid(parameter: str, message: str, allowed=None) -> ApiError:
    extra = {"parameter": parameter}
    if allowed is not None:
        extra["allowed"] = sorted(allowed)
    return ApiError(422, "invalid-parameter", message, **extra)


def install(app: FastAPI, allowed_values) -> None:
    """Register the handlers. `allowed_values(request, name)` gives the values a parameter allows,
    so that FastAPI's own validation errors say what is allowed too."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError):
        extra = {"allowed": exc.allowed} if exc.allowed else {}
        code = "not-found" if exc.status == 404 else "invalid-parameter"
        return error_response(exc.status, code, str(exc), **extra)

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
        extra = {k: v for k, v in first.items() if k in ("parameter", "allowed")}
        return error_response(422, "invalid-parameter", message, problems=problems, **extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"there is no endpoint {request.url.path}; see /docs"
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error_response(500, "internal-error", "the server failed to answer; the error has been logged")
