"""GET /reports/{iso3} and /reports/regional on an app of our own serving the analytics fixture."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rkg.api.caching import ResponseCache
from rkg.api.errors import install
from rkg.api.reports import router
from rkg.cli import main
from rkg.graph.build import build
from rkg.graph.store import EmbeddedStore
from rkg.reports import generate
from support import FIXTURES


@pytest.fixture(scope="module")
def served():
    result = build(FIXTURES / "analytics", FIXTURES / "sources")
    app = FastAPI()
    app.state.kg = SimpleNamespace(build=result, version=result.version, store=EmbeddedStore.from_graph(result.graph))
    install(app, lambda request, name: None)
    app.add_middleware(ResponseCache, max_bytes=64 << 20)  # as create_app does: ETags, answers kept
    app.include_router(router)
    return TestClient(app), app.state.kg


def test_html_by_default_and_identical_to_the_cli(served, tmp_path):
    client, kg = served
    response = client.get("/reports/BGD")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    assert response.headers["content-disposition"] == f'inline; filename="rkg-report-BGD-{kg.build.version}.html"'
    out = tmp_path / "bgd.html"
    assert main(["report", "--data", str(FIXTURES / "analytics"), "--sources", str(FIXTURES / "sources"),
                 "--country", "BGD", "--out", str(out)]) == 0
    assert response.content == out.read_bytes()


def test_markdown_and_pdf_by_accept_header(served):
    client, kg = served
    md = client.get("/reports/bgd", headers={"Accept": "text/markdown"})
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.content == generate(kg.store, "BGD", "md")
    pdf = client.get("/reports/regional", headers={"Accept": "application/pdf, text/html;q=0.5"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and kg.build.version.encode() in pdf.content
    html = client.get("/reports/regional", headers={"Accept": "text/*"})
    assert html.headers["content-type"].startswith("text/html")


def test_format_parameter_wins_over_the_accept_header(served):
    client, kg = served
    response = client.get("/reports/NPL?format=md", headers={"Accept": "application/pdf"})
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.content == generate(kg.store, "NPL", "md")
    assert client.get("/reports/NPL", params={"format": "markdown"}).headers["content-type"].startswith(
        "text/markdown")


def test_refusals_in_the_api_error_shape(served):
    client, _ = served
    unknown = client.get("/reports/XYZ")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not-found"
    assert unknown.json()["error"]["allowed"] == ["BGD", "IND", "LKA", "NPL", "PAK"]
    refused = client.get("/reports/BGD", headers={"Accept": "application/json"})
    assert refused.status_code == 406 and refused.json()["error"]["code"] == "not-acceptable"
    bad = client.get("/reports/BGD?format=docx")
    assert bad.status_code == 422 and bad.json()["error"]["allowed"] == ["html", "md", "pdf"]


def test_etag_answers_not_modified(served):
    client, _ = served
    first = client.get("/reports/LKA", params={"format": "md"})
    assert b"No dedicated programme is recorded for Sri Lanka" in first.content
    again = client.get("/reports/LKA", params={"format": "md"}, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
