"""Reports on the real curated data: they render, agree with the named queries, and the examples
in docs/examples/ are what `make reports` gives for the current data."""

from __future__ import annotations

import re

import pytest

from rkg.graph.build import build
from rkg.graph.queries import get, run
from rkg.graph.store import EmbeddedStore
from rkg.reports import country_report, generate, regional_report
from support import ROOT

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def real():
    result = build(ROOT / "data", ROOT / "sources")
    return result, EmbeddedStore.from_graph(result.graph)


@pytest.fixture(scope="module")
def nepal_html(real):
    return generate(real[1], "NPL", "html")


def test_country_report_on_the_curated_data_agrees_with_the_queries(real):
    result, store = real
    report = country_report(store, "NPL")
    assert report.version == result.version and report.has_data
    coverage = next(s for s in report.sections if s.anchor == "coverage")
    chart = next(b for b in coverage.blocks if b.kind == "chart")
    rows = run(store, get("coverage-matrix"), {"country": "NPL"})
    assert sum(int(r[2]) for r in chart.table.rows) == sum(int(r["measures"].toPython()) for r in rows)
    appendix = next(s for s in report.sections if s.anchor == "appendix")
    summary = next(s for s in report.sections if s.anchor == "summary")
    measures = dict(next(b for b in summary.blocks if b.kind == "table").rows)["support measures"]
    assert len([b for b in appendix.blocks if b.kind == "entry"]) == int(measures) > 20


def test_reports_on_the_curated_data_say_nothing_undefined(real, nepal_html):
    _, store = real
    markdown = generate(store, "NPL", "md").decode()
    regional = generate(store, "regional", "html").decode()
    for text in (nepal_html.decode(), markdown, regional):
        visible = re.sub(r"data:image/[^\"']+", "", text)
        assert not re.search(r"\b(None|nan|NaN|Undefined)\b", visible)
    for name in ("Bangladesh", "India", "Nepal", "Pakistan", "Sri Lanka"):
        assert name in regional
    assert len(regional_report(store).sections) == 7


def test_the_examples_are_the_reports_of_the_current_data(real, nepal_html):
    result, store = real
    examples = ROOT / "docs" / "examples"
    stored = (examples / "report-NPL.html").read_bytes()
    version = re.search(rb'<meta name="data-version" content="([0-9a-f]+)">', stored).group(1).decode()
    if version != result.version:
        pytest.skip(f"docs/examples is of data version {version}, the data is now {result.version}: "
                    "run `make reports`")
    # the words and numbers must be today's; the charts' bytes may differ with another matplotlib
    assert without_images(stored) == without_images(nepal_html), "docs/examples is out of date: run `make reports`"
    regional = (examples / "report-regional.html").read_bytes()
    assert without_images(regional) == without_images(generate(store, "regional", "html")), \
        "docs/examples is out of date: run `make reports`"


def without_images(html: bytes) -> bytes:
    return re.sub(rb"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", b"", html)
