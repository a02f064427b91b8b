"""The /sparql query editor (vendored YASGUI) in a real headless Chromium: it only ever talks to
this server, whatever a share link says."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from rkg.api.app import create_app
from support import fixture_settings
from support.browser import chromium
from support.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.server]

ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def live():
    server = LiveServer(create_app(fixture_settings("mini", sparql_workers=1, sparql_isolate_network=False)))
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        yield context


def open_recording(browser, url: str):
    """`url` in a new page whose every request is recorded and, unless it goes to 127.0.0.1, refused."""
    page = browser.new_page()
    requests, messages = [], []

    def route(route):
        request = route.request
        requests.append((request.method, request.url, request.post_data or ""))
        if urlsplit(request.url).hostname == "127.0.0.1" or request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    return page, requests, messages


def posted_queries(requests, live: str) -> list[str]:
    return [parse_qs(body).get("query", [""])[0] for method, url, body in requests
            if method == "POST" and url.split("?")[0] == live + "/sparql"]


@pytest.mark.parametrize("where", ["#", "?"])
def test_a_share_link_naming_another_endpoint_queries_only_this_server(browser, live, where):
    headers = quote('{"X-Stolen": "1"}')
    link = (f"{live}/sparql{where}query={quote(ASK)}&endpoint={quote('http://elsewhere.example/sparql')}"
            f"&requestMethod=GET&headers={headers}")
    page, requests, messages = open_recording(browser, link)
    try:
        deadline = time.monotonic() + 10
        while ASK not in posted_queries(requests, live) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        page.wait_for_timeout(500)
        elsewhere = [url for _, url, _ in requests if urlsplit(url).hostname != "127.0.0.1"
                     and not url.startswith("data:")]
        assert elsewhere == [], elsewhere
        assert ASK in posted_queries(requests, live), requests  # the shared query runs, here
        assert not [m for m in messages if m.startswith(("error", "page error"))], messages
        # the editor's tabs, the one opened from the link included, all name this endpoint
        endpoints = page.evaluate("Object.values(yasgui._tabs).map(t => t.getEndpoint())")
        assert endpoints and set(endpoints) == {live + "/sparql"}, endpoints
        # and a query run from the editor goes here too, even from a tab told of another endpoint
        # (as the endpoint field, hidden, would, or a tab stored by an earlier visit)
        page.evaluate("yasgui.getTab().setEndpoint('http://elsewhere.example/sparql'), null")
        page.evaluate("yasgui.getTab().getYasqe().setValue('SELECT * WHERE { ?s ?p ?o } LIMIT 1')")
        page.evaluate("yasgui.getTab().query()")
        deadline = time.monotonic() + 10
        while "SELECT * WHERE { ?s ?p ?o } LIMIT 1" not in posted_queries(requests, live):
            assert time.monotonic() < deadline, requests
            page.wait_for_timeout(100)
        assert [url for _, url, _ in requests if urlsplit(url).hostname != "127.0.0.1"
                and not url.startswith("data:")] == []
    finally:
        page.close()


# ---------------------------------------------------------------------------- the pages under their CSP

RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));"""


def open_guarded(browser, url: str):
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def route(route):  # nothing beyond this server: a request elsewhere is refused and reported
        if urlsplit(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            problems.append(f"request off this server: {route.request.url}")
            route.abort()

    page.route("**/*", route)
    response = page.goto(url, wait_until="load")
    return page, response, problems


def test_the_query_editor_works_under_its_content_security_policy(browser, live):
    page, response, problems = open_guarded(browser, live + "/sparql")
    try:
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        page.evaluate("yasgui.getTab().getYasqe().setValue('SELECT ?s WHERE { ?s ?p ?o } LIMIT 3')")
        page.evaluate("yasgui.getTab().query()")
        page.wait_for_selector(".yasr table tbody tr", timeout=10_000)
        assert page.locator(".yasr table tbody tr").count() == 3
        page.locator("#examples").select_option(index=1)  # a named query opens in a new tab
        page.wait_for_timeout(300)
        assert len(page.evaluate("yasgui.persistentConfig.getTabs()")) >= 2
        assert page.evaluate("window.__violations") == [] and problems == [], problems
    finally:
        page.close()


def test_a_report_and_the_api_docs_raise_no_content_security_policy_violation(browser, live):
    page, response, problems = open_guarded(browser, live + "/reports/BGD")
    try:
        assert "content-security-policy" in response.headers
        assert page.evaluate("document.images.length") > 0
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert page.evaluate("window.__violations") == [] and problems == [], problems
    finally:
        page.close()
    # the API docs: Swagger UI and ReDoc, served from this package, render under the policy with
    # nothing asked of the internet (ReDoc's search runs in a worker made from a blob: URL)
    for path, rendered in (("/docs", ".swagger-ui .opblock"), ("/redoc", ".menu-content li")):
        page, response, problems = open_guarded(browser, live + path)
        try:
            assert "https:" not in response.headers["content-security-policy"]
            page.wait_for_selector(rendered, timeout=15_000)
            page.wait_for_timeout(500)
            assert page.evaluate("window.__violations") == [] and problems == [], (path, problems)
        finally:
            page.close()
