"""Every report (five countries and the region, HTML, Markdown and PDF) generated from the report
fixture and opened as a reader would: the HTML in a real headless Chromium (Debian's `chromium`,
installed by `make test` through tests/setup/install-chromium.sh, driven by Playwright's Python
package), the PDF with poppler's pdftoppm and pdftotext (tests/setup/install-poppler.sh). No
console errors, no failed request, no broken image, the heatmap drawn in its colours, and the key
messages, the gap table, the named cells, the method, the glossary and the survey's scores on the
page, with the numbers of the graph."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import numpy
import pytest

from rkg.graph.build import build
from rkg.graph.store import EmbeddedStore
from rkg.reports import generate
from rkg.reports.charts import heatmap_colour
from support import FIXTURES
from support.browser import chromium, skip_without_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PDFTOPPM = shutil.which("pdftoppm")
TARGETS = ("BGD", "IND", "LKA", "NPL", "PAK", "regional")
AS_OF = dt.date(2021, 6, 1)

skip_without_chromium()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every target in every format, written to files."""
    folder = tmp_path_factory.mktemp("reports")
    data = folder / "data"
    shutil.copytree(FIXTURES / "analytics", data)
    shutil.copy(FIXTURES / "reports" / "records.yaml", data / "reports.yaml")
    store = EmbeddedStore.from_graph(build(data, FIXTURES / "sources").graph)
    written = {}
    for target in TARGETS:
        for fmt in ("html", "md", "pdf"):
            path = folder / f"{target}.{fmt}"
            path.write_bytes(generate(store, target, fmt, as_of=AS_OF))
            written[(target, fmt)] = path
    return written


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


def text_of(page, selector: str) -> str:
    return page.locator(selector).first.inner_text()


# ---------------------------------------------------------------- HTML in Chromium

def test_every_html_report_opens_without_errors_and_shows_every_part(browser, reports):
    for target in TARGETS:
        page, problems = open_report(browser, reports[(target, "html")])
        try:
            assert broken_images(page) == [], target
            assert problems == [], target
            assert page.locator("h1").inner_text().startswith("Reintegration support in"), target
            assert "1 June 2021" in text_of(page, "header"), target
            for anchor in ("key-messages", "gaps", "method", "glossary"):
                assert page.locator(f"#{anchor}").count() == 1, (target, anchor)
            assert "How complete the fields are" in text_of(page, "#method"), target
        finally:
            page.close()


def test_key_messages_gap_table_and_named_cells_in_the_browser(browser, reports):
    page, problems = open_report(browser, reports[("BGD", "html")])
    try:
        messages = page.locator("#key-messages article.message")
        assert messages.count() == 5
        assert messages.nth(2).inner_text().startswith("3 No programme for older returnees")
        assert "Government A" in messages.nth(2).inner_text()
        rows = page.locator("#gaps table").first.locator("tbody tr")
        assert rows.count() == 12
        assert "Reach older returnees" in rows.nth(4).inner_text()
        cells = page.locator("#coverage-heatmap td")
        assert cells.count() == 9
        assert "Measure One" in cells.nth(0).inner_text() and "Measure Two (completed)" in cells.nth(0).inner_text()
        assert "hangs on one programme and one actor: Government A" in cells.nth(2).inner_text()
        assert text_of(page, "#glossary table") .split("\n")[-1].startswith("UN1")
        assert problems == []
    finally:
        page.close()


def test_the_heatmap_is_drawn_in_its_colours(browser, reports):
    from PIL import Image

    page, _ = open_report(browser, reports[("BGD", "html")])
    try:
        backgrounds = page.evaluate("""[...document.querySelectorAll('#coverage-heatmap td')]
            .map(td => [td.querySelector('.count').innerText, getComputedStyle(td).backgroundColor])""")
        shot = Image.open(io.BytesIO(page.locator("#coverage-heatmap table").screenshot())).convert("RGB")
    finally:
        page.close()
    counts = [int(count) for count, _ in backgrounds]
    for count, colour in backgrounds:
        red, green, blue = (round(255 * c) for c in heatmap_colour(int(count), max(counts)))
        assert colour == f"rgb({red}, {green}, {blue})", count
    pixels = numpy.asarray(shot, dtype=int).reshape(-1, 3)

    def share(colour) -> float:
        target = numpy.array([round(255 * c) for c in colour])
        return float((numpy.abs(pixels - target).max(axis=1) <= 6).mean())

    # BGD's cells hold 1 current programme (three cells) and 0 (six cells)
    assert share(heatmap_colour(1, 1)) > 0.05, "the cells with a programme are not drawn"
    assert share(heatmap_colour(0, 1)) > 0.1, "the empty cells are not drawn"


def test_the_regional_report_shows_the_survey_scores(browser, reports):
    page, problems = open_report(browser, reports[("regional", "html")])
    try:
        assert problems == [] and broken_images(page) == []
        survey = text_of(page, "#survey")
        assert "Among all 120 respondents" in survey
        table = page.locator("#survey table tbody tr")
        assert table.nth(0).inner_text().split("\t")[:4] == ["All respondents", "120", "0.410 (0.120)", "0.520"]
        assert page.locator("#survey img").count() == 1
        assert "How returnees fare" in text_of(page, "#key-messages")
    finally:
        page.close()


def test_every_markdown_report_has_every_part(reports):
    for target in TARGETS:
        md = reports[(target, "md")].read_text(encoding="utf-8")
        for heading in ("## Contents", "## Key messages", "## Gaps, recommendations and who is responsible",
                        "## Method and limits", "### How complete the fields are", "## Acronyms"):
            assert f"\n{heading}" in md, (target, heading)
    assert "| Returnees | 100 | 0.430 | 0.530 |" in reports[("regional", "md")].read_text(encoding="utf-8")


# ---------------------------------------------------------------- PDF with poppler

def pdf_text(path: Path, first: int | None = None, last: int | None = None, raw: bool = False) -> str:
    """The text of a PDF (poppler's pdftotext): laid out as on the page, or in reading order (`raw`)."""
    pages = ["-f", str(first)] if first else []
    pages += ["-l", str(last)] if last else []
    return subprocess.run(["pdftotext", "-raw" if raw else "-layout", *pages, str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def page_images(path: Path, folder: Path, last: int = 3) -> list[Path]:
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", str(last), str(path), str(folder / "page")],
                   check=True, timeout=120)
    return sorted(folder.glob("page-*.png"))


def ink(path: Path) -> float:
    """The share of a page image that is not white."""
    from PIL import Image

    pixels = numpy.asarray(Image.open(path).convert("L"), dtype=int)
    return float((pixels < 235).mean())


@pytest.mark.skipif(PDFTOPPM is None and not os.environ.get("CI"),
                    reason="poppler's pdftoppm is not installed (make test installs it)")
def test_every_pdf_report_renders_with_its_cover_contents_and_parts(reports, tmp_path):
    for target in TARGETS:
        pdf = reports[(target, "pdf")]
        folder = tmp_path / target
        folder.mkdir()
        images = page_images(pdf, folder)
        assert len(images) == 3, target
        assert all(ink(image) > 0.01 for image in images), target  # no blank page among the first three
        cover = pdf_text(pdf, 1, 1)
        assert "Date: 1 June 2021" in cover and "Contents" in cover and "Key messages" in cover, target
        text = pdf_text(pdf)
        for words in ("Gaps, recommendations and who is responsible", "Method and limits", "How complete the fields",
                      "Acronyms"):
            assert words in text, (target, words)
    text = pdf_text(reports[("BGD", "pdf")])
    assert "No programme for older returnees" in text and "Measure Two (completed)" in text
    assert "hangs on one programme, funded only by Donor D" in " ".join(pdf_text(reports[("BGD", "pdf")], raw=True)
                                                                      .split())
    regional = pdf_text(reports[("regional", "pdf")])
    assert "Among all 120 respondents" in regional and "0.410 (0.120)" in regional
