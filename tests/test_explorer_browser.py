"""The explorer in a real headless Chromium (Debian's `chromium`, driven by Playwright from the venv)
on the curated data, with the network cut off: every request is routed, and none may leave
127.0.0.1. A person's path through it: search and open a result; Nepal's heatmap and why a cell is
thin or empty; measures by type and by place; a measure's quote; an actor's overlaps; the network;
a named question; a CSV download. Each view: its elements, a screenshot that is not blank, and no
serious or critical accessibility violation (axe-core, vendored in tests/support/vendor).

Screenshots go to a temporary folder, or to $RKG_SCREENSHOTS (docs/screenshots/ is made so)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support import ROOT
from support.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.server]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).parent / "support" / "vendor" / "axe-core" / "axe.min.js"
LAPTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server():
    from rkg.api.app import create_app
    from rkg.settings import Settings

    live = LiveServer(create_app(Settings(data_dir=ROOT / "data", sparql_workers=1)))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("RKG_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is missing: tests/setup/install-chromium.sh installs it"
    profile = tempfile.mkdtemp(prefix="rkg-chromium-")
    left: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                                                       viewport=LAPTOP, accept_downloads=True)

        def gate(route):
            host = urlsplit(route.request.url).hostname
            if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                route.continue_()
            else:
                left.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        context.left = left  # type: ignore[attr-defined]
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)
    assert left == [], f"requests left 127.0.0.1: {left}"


class View:
    """A page of the explorer with the problems it reported."""

    def __init__(self, browser, server, path: str, viewport=LAPTOP):
        self.page = browser.new_page()
        self.page.set_viewport_size(viewport)
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url[:100]}"))
        self.page.goto(server.url + path)
        self.ready()

    def ready(self):
        self.page.wait_for_selector("main[aria-busy=false]", state="attached", timeout=20000)

    def check(self, shots: Path, name: str, *selectors: str) -> None:
        """The view's elements are there, its screenshot is not blank, axe finds nothing serious."""
        from PIL import Image

        for selector in selectors:
            assert self.page.locator(selector).first.is_visible(), (name, selector)
        assert self.page.locator("p.error").count() == 0, self.page.locator("p.error").first.inner_text()
        path = shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        image = Image.open(path).convert("L")
        colours = image.getcolors(maxcolors=1 << 16) or []
        assert len(colours) > 20 and image.getextrema()[0] < 80, f"{name}: the screenshot looks blank"
        # evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not govern
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                               .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""")
        assert result == [], f"{name}: accessibility violations {result}"
        assert self.problems == [], (name, self.problems)

    def close(self):
        self.page.close()


def test_search_and_open_a_result(browser, server, shots):
    view = View(browser, server, "/")
    page = view.page
    page.get_by_label("Search every record").fill("psychosocial")
    page.keyboard.press("Enter")
    page.wait_for_selector("#hits li")
    view.ready()
    assert "records match" in page.locator("main").inner_text()
    assert page.locator("#hits mark").first.inner_text().lower().startswith("psychosocial")
    view.check(shots, "search", "#hits", "#hits mark")
    first = page.locator("#hits li a").first
    name = first.inner_text()
    first.click()
    page.wait_for_function("document.querySelector('main h1') && !location.hash.startsWith('#/search')")
    view.ready()
    assert page.locator("main h1").inner_text() == name
    view.close()


@pytest.mark.parametrize("viewport,name", [(LAPTOP, "country-NPL"), (PHONE, "country-NPL-phone")])
def test_nepal_heatmap_and_why_a_cell_is_thin_or_empty(browser, server, shots, viewport, name):
    view = View(browser, server, "/#/country/NPL", viewport)
    page = view.page
    assert page.locator("table.heatmap button.cell").count() == 9
    thin = page.locator("table.heatmap button.heat-0, table.heatmap button.heat-1").first
    label = thin.get_attribute("data-label")
    thin.focus()
    page.keyboard.press("Enter")  # the keyboard works as well as a click
    page.wait_for_selector("#cell-detail .why")
    view.ready()
    why = page.locator("#cell-detail .why").inner_text()
    assert why.startswith(("Thin:", "No ")), why
    assert label in page.locator("#cell-title").inner_text()
    view.check(shots, name, "table.heatmap", "#cell-detail .why", "text=How complete are these measures?")
    assert verdicts_shown(page) == verdicts_served(server, "dedicated")
    page.get_by_label("component of another measure").check()
    page.wait_for_function("location.hash.includes('component')")
    view.ready()
    assert verdicts_shown(page) == verdicts_served(server, "with-components")
    view.close()


def verdicts_shown(page) -> list[str]:
    """The data's verdict on each finding of the country's findings table, as the page shows it."""
    rows = page.locator("table:has(caption:has-text('Findings of the assessment')) tbody tr")
    return sorted(row.locator("td").nth(3).inner_text() for row in rows.all())


def verdicts_served(server, unit: str) -> list[str]:
    import httpx

    found = httpx.get(server.url + "/gaps/findings", params={"country": "NPL", "unit": unit, "limit": 1000}).json()
    return sorted(f["verdict"] for f in found["items"])


def test_measures_by_type_and_by_place(browser, server, shots):
    view = View(browser, server, "/#/measures")
    page = view.page
    everything = int(page.locator("#result-count strong").inner_text().split()[0])
    page.locator("label", has_text="returnee database").first.locator("input").check()
    page.wait_for_function("location.hash.includes('type=returnee-database')")
    view.ready()
    databases = int(page.locator("#result-count strong").inner_text().split()[0])
    assert 0 < databases < everything
    view.check(shots, "measures-by-type", ".facets", "#result-count", "table")
    page.goto(server.url + "/#/measures?place=ind-kerala")
    view.ready()
    assert page.locator("#result-count").inner_text().startswith("13 measures")
    with page.expect_download() as download:
        page.locator("button.csv").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["name", "country", "types"] and len(rows) == 14
    assert all(row[1] == "IND" for row in rows[1:])
    view.close()


def test_a_measure_shows_its_roles_and_its_quote(browser, server, shots):
    view = View(browser, server, "/#/measure/bgd-prottasha")
    page = view.page
    assert page.locator("blockquote").count(), page.locator("main").inner_text()[:500]
    assert page.locator("blockquote").first.inner_text().startswith("“")
    assert "funded by the European Union" in page.locator("main").inner_text()
    view.check(shots, "measure", "main h1", "blockquote", "text=Roles")
    view.close()


def test_an_actor_and_its_overlaps(browser, server, shots):
    view = View(browser, server, "/#/actor/un-women")
    page = view.page
    assert page.locator("h2", has_text="Overlaps, ranked").is_visible()
    overlaps = page.locator("table", has_text="Overlapping actors").locator("tbody tr")
    assert overlaps.count() > 0
    view.check(shots, "actor", "text=Roles by country", "text=Who it funds")
    view.close()


def test_the_network_and_a_click_on_a_node(browser, server, shots):
    view = View(browser, server, "/#/network?country=NPL")
    page = view.page
    nodes = page.locator("svg.network a.node")
    assert nodes.count() >= 10
    view.check(shots, "network", "svg.network", ".legend")
    node = nodes.first
    actor = node.get_attribute("data-id")
    node.locator("circle").click()
    page.wait_for_function(f"location.hash === '#/actor/{actor}'")
    view.ready()
    assert page.locator("main h1").is_visible()
    view.close()


def test_a_named_question_runs_and_its_answer_downloads(browser, server, shots):
    view = View(browser, server, "/#/queries/who-funds-whom")
    page = view.page
    page.get_by_label("country:").select_option("NPL")
    page.locator("#run-query").click()
    page.wait_for_function("location.hash.includes('run=1')")
    view.ready()
    table = page.locator("table", has_text="Who funds whom")
    assert table.locator("tbody tr").count() >= 2
    assert table.locator("em, td", has_text="").count() > 0
    view.check(shots, "question", "table", "text=Open the SPARQL editor")
    with page.expect_download() as download:
        page.locator("button.csv").first.click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["country", "funder_id", "funder_name"] and {r[0] for r in rows[1:]} == {"NPL"}
    view.close()


def test_compare_and_the_start_page(browser, server, shots):
    view = View(browser, server, "/#/compare?countries=BGD,NPL,LKA")
    assert view.page.locator(".compare section").count() == 3
    view.check(shots, "compare", ".compare table.heatmap")
    view.close()
    view = View(browser, server, "/")
    view.check(shots, "home", "text=Questions to start with")
    view.close()
