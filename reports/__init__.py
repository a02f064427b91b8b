"""Gap reports generated from the graph (per country and regional).

    from rkg.reports import generate
    html = generate(store, "NPL", "html", as_of=date(2026, 12, 6))   # bytes; "regional" for the region

Every number and statement in a report comes from the named queries (queries/*.rq), the report's
own small queries (reports/queries/*.rq) and the evidence rkg.graph.evidence weighs, run on the
store; the templates hold only headings and explanations. A report is a function of the graph's
data version and of its date (`as_of`, default today): the date is printed on the cover and is
the reference date of the sustainability section, so the same data and date give a byte-identical
report from the CLI and over HTTP.
"""

from __future__ import annotations

import datetime as dt

from .facts import Facts, ReportError
from .model import Report
from .render import EXTENSIONS, FORMATS, render

REGIONAL = "regional"


def country_report(store, country: str, version: str | None = None, as_of: dt.date | None = None) -> Report:
    from .country import country_report as build

    return build(Facts(store, version, as_of), country)


def regional_report(store, version: str | None = None, as_of: dt.date | None = None) -> Report:
    from .regional import regional_report as build

    return build(Facts(store, version, as_of))


def build_report(store, target: str, version: str | None = None, as_of: dt.date | None = None) -> Report:
    """The report on `target`: an ISO alpha-3 code of a country of origin, or "regional"."""
    if target.strip().lower() == REGIONAL:
        return regional_report(store, version, as_of)
    return country_report(store, target, version, as_of)


def generate(store, target: str, fmt: str = "html", version: str | None = None,
             as_of: dt.date | None = None) -> bytes:
    """The report on `target` rendered as html, md or pdf, dated `as_of` (default today)."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format '{fmt}'", allowed=sorted(FORMATS), code="not-acceptable")
    return render(build_report(store, target, version, as_of), fmt)


__all__ = ["EXTENSIONS", "FORMATS", "REGIONAL", "Report", "ReportError", "build_report", "country_report",
           "generate", "regional_report", "render"]
