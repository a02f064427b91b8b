"""/ontology and a record's page in a real headless Chromium (Debian's `chromium`, driven by
Playwright's Python package, launched as in tests/test_reports_browser.py): every class and property
of the ontology is on the page, nothing fails, and nothing is loaded from anywhere but the API."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, URIRef

from rkg.graph.build import ontology_graph
from rkg.loaders.schema import RKG
from support import fixture_settings
from support.browser import chromium, skip_without_chromium
from support.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.server]

skip_without_chromium()


@pytest.fixture(scope="module")
def server():
    from rkg.api.app import create_app

    live = LiveServer(create_app(fixture_settings("mini", sparql_workers=1)))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        yield context


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
