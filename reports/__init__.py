"""Gap reports generated from the graph (per country and regional).

    from rkg.reports import generate
    html = generate(store, "NPL", "html")        # bytes; "regional" for the regional report

Every number and statement in a report comes from the named queries (queries/*.rq) and the
report's own small queries (reports/queries/*.rq) run on the store; the templates hold only
headings and explanations. A report is dated by the graph's data version, never by the clock,
so the same data gives a byte-identical report from the CLI and over HTTP.
"""

from __future__ import annotations

from .facts import Facts, ReportError
from .model import Report
from .render import EXTENSIONS, FORMATS, render

REGIONAL = "regional"


def country_report(store, country: str, version: str | None = None) -> Report:
    from .country import country_report as build

    return build(Facts(store, version), country)


def regional_report(store, version: str | None = None) -> Report:
    from .regional import regional_report as build

    return build(Facts(store, version))


def build_report(store, target: str, version: str | None = None) -> Report:
    """The report on `target`: an ISO alpha-3 code of a country of origin, or "regional"."""
    if target.strip().lower() == REGIONAL:
        return regional_report(store, version)
    return country_report(store, target, version)


def generate(store, target: str, fmt: str = "html", version: str | None = None) -> bytes:
    """The report on `target` rendered as html, md or pdf."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format '{fmt}'", allowed=sorted(FORMATS), code="not-acceptable")
    return render(build_report(store, target, version), fmt)


__all__ = ["EXTENSIONS", "FORMATS", "REGIONAL", "Report", "ReportError", "build_report", "country_report",
           "generate", "regional_report", "render"]
