"""The HTML reports in a real headless Chromium (Debian's `chromium`, installed by `make test`
through tests/setup/install-chromium.sh), driven by Playwright's Python package: no console
errors, no failed request, no broken image, and the heatmap drawn in its colours."""

from __future__ import annotations

import io

import numpy
import pytest

from rkg.reports import generate
from rkg.reports.charts import heatmap_colour
from support.browser import chromium, skip_without_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

skip_without_chromium()


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        yield context


def open_report(browser, path):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def broken_images(page) -> list[str]:
    return page.evaluate("""[...document.images]
        .filter(i => !i.complete || i.naturalWidth === 0 || i.naturalHeight === 0)
        .map(i => i.alt.slice(0, 60))""")


def test_country_report_opens_without_errors_and_draws_its_heatmap(browser, analytics, tmp_path):
    from PIL import Image

    path = tmp_path / "bgd.html"
    path.write_bytes(generate(analytics.store, "BGD", "html"))
    page, problems = open_report(browser, path)
    try:
        assert page.evaluate("document.images.length") == 5
        assert broken_images(page) == []
        assert problems == []
        heatmap = page.locator("#coverage-heatmap img")
        box = heatmap.bounding_box()
        assert box["width"] > 300 and box["height"] > 150
        shot = Image.open(io.BytesIO(heatmap.screenshot())).convert("RGB")
    finally:
        page.close()
    pixels = numpy.asarray(shot, dtype=int).reshape(-1, 3)

    def share(colour) -> float:
        target = numpy.array([round(255 * c) for c in colour])
        return float((numpy.abs(pixels - target).max(axis=1) <= 6).mean())

    # BGD's cells hold 2 (economic x individual), 1 (three cells) and 0 (five cells)
    assert share(heatmap_colour(2, 2)) > 0.02, "the darkest cell is not drawn"
    assert share(heatmap_colour(1, 2)) > 0.04, "the middle cells are not drawn"
    assert share(heatmap_colour(0, 2)) > 0.08, "the empty cells are not drawn"
    assert share((1.0, 1.0, 1.0)) < 0.8  # not a blank image


def test_regional_and_empty_reports_open_without_errors(browser, analytics, tmp_path):
    for target, images in (("regional", 3), ("LKA", 4)):  # no actors in LKA: no network figure
        path = tmp_path / f"{target}.html"
        path.write_bytes(generate(analytics.store, target, "html"))
        page, problems = open_report(browser, path)
        try:
            assert page.evaluate("document.images.length") == images, target
            assert broken_images(page) == [], target
            assert problems == [], target
            assert page.locator("h1").inner_text().startswith("Reintegration support in")
        finally:
            page.close()
