"""The one error model of the library: what went wrong, in words a user can act on.

Every error the library raises for a user to see is an `RkgError`: a `code` (a stable, short
word such as `not-found` or `invalid-parameter`), a `message`, the `allowed` values when the
problem is a value outside a list, and a `hint` saying how to fix it. No HTTP status and no exit
code here: the API maps codes to statuses in one table (`rkg.api.errors.STATUS`) and the CLI to
exit codes in one place (`rkg.cli.main`).
"""

from __future__ import annotations


class RkgError(Exception):
    """An error a user should see. Subclasses fix the default code."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, allowed: list[str] | None = None,
                 hint: str = "", **extra):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.allowed = list(allowed or [])
        self.hint = hint
        self.extra = extra

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.allowed:
            body["allowed"] = self.allowed
        if self.hint:
            body["hint"] = self.hint
        return body | self.extra


class NotFound(RkgError):
    """A named thing (a query, a record, a country) does not exist."""

    code = "not-found"


class InvalidValue(RkgError):
    """A value given by the user is not acceptable."""

    code = "invalid-parameter"


class Unavailable(RkgError):
    """Something the library depends on (a store, an endpoint, a worker) cannot answer now."""

    code = "unavailable"


class DefinitionError(RkgError):
    """A file of the project itself (a named query, a shape) is wrong: a bug, not a user error."""

    code = "definition-error"


def not_found(kind: str, value: str, known) -> NotFound:
    """An unknown id, with the nearest known ones as suggestions."""
    from .loaders.problems import closest

    near = closest(value, known)
    hint = f"did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    return NotFound(f"there is no {kind} '{value}'" + (f"; {hint}" if hint else ""), hint=hint, suggestions=near)
