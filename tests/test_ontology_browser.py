"""/ontology and a record's page in a real headless Chromium (Debian's `chromium`, driven by
Playwright's Python package, launched as in tests/test_reports_browser.py): every class and property
of the ontology is on the page, nothing fails, and nothing is loaded from anywhere but the API."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from rdflib import OWL, RDF, URIRef

from rkg.graph.build import ontology_graph
from rkg.loaders.schema import RKG
from support import fixture_settings
from support.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.server]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server():
    from rkg.api.app import create_app

    live = LiveServer(create_app(fixture_settings("mini", sparql_workers=1)))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is missing: tests/setup/install-chromium.sh installs it"
    profile = tempfile.mkdtemp(prefix="rkg-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=FLAGS, viewport={"width": 1200, "height": 900})
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(browser, url):
    page = browser.new_page()
    problems, requested = [], []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url, wait_until="load")
    return page, problems, requested


def our_terms() -> list[str]:
    g = ontology_graph()
    return sorted({str(s)[len(str(RKG)):] for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                   for s in g.subjects(RDF.type, t) if isinstance(s, URIRef) and str(s).startswith(str(RKG))})


def test_the_ontology_page_shows_every_class_and_property(browser, server):
    page, problems, requested = open_page(browser, server.url + "/ontology")
    try:
        terms = our_terms()
        assert len(terms) > 80
        shown = page.evaluate("""names => names.filter(n => {
            const e = document.getElementById(n);
            return e && e.offsetHeight > 0 && e.querySelector('code').textContent === 'rkg:' + n; })""", terms)
        assert shown == terms
        assert page.locator("#shapes .shape").count() >= 20
        assert page.locator("#shape-SupportMeasureShape").inner_text().count("needs") >= 2  # rules with messages
        assert problems == []
        assert requested == [server.url + "/ontology"]  # no stylesheet, script or font from elsewhere
    finally:
        page.close()


def test_a_record_page_opens_and_links_within_the_api(browser, server):
    page, problems, requested = open_page(browser, server.url + "/id/measure/prottasha")
    try:
        assert page.locator("h1").inner_text() == "Prottasha"
        links = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
        assert server.url + "/id/actor/eu" in links and server.url + "/ontology" in links
        assert problems == [] and requested == [server.url + "/id/measure/prottasha"]
    finally:
        page.close()
