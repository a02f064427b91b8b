"""Answers that depend only on the data version and the request: kept as bytes per data version,
served with a strong ETag, `Cache-Control: no-cache` and `Vary: Accept`, and a 304 to a client that
has them already (api/caching.py)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from rkg.api import caching
from rkg.api.app import create_app
from rkg.api.caching import Entry, Responses, normalized_query
from rkg.settings import Settings
from support import data_settings, replace_in

TOKEN = "test-token-123"


def test_an_analysis_carries_a_strong_etag_of_the_data_version_and_answers_304(analytics_api):
    first = analytics_api.get("/gaps/coverage", params={"country": "NPL"})
    assert first.status_code == 200
    etag = first.headers["etag"]
    version = analytics_api.get("/health").json()["data_version"]
    assert etag.startswith(f'"{version}-') and etag.endswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "no-cache" and "Accept" in first.headers["vary"]
    again = analytics_api.get("/gaps/coverage", params={"country": "NPL"})
    assert again.content == first.content and again.headers["etag"] == etag
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = analytics_api.get("/gaps/coverage", params={"country": "NPL"}, headers={"If-None-Match": condition})
        assert response.status_code == 304 and response.content == b"", condition
        assert response.headers["etag"] == etag and response.headers["cache-control"] == "no-cache"
    assert analytics_api.get("/gaps/coverage", params={"country": "NPL"},
                             headers={"If-None-Match": '"another-version-0123"'}).status_code == 200


def test_the_etag_names_the_request_and_the_format_negotiated(analytics_api):
    def tag(path, headers=None, **params):
        response = analytics_api.get(path, params=params, headers=headers or {})
        assert response.status_code == 200, response.text
        return response.headers["etag"], response.headers["content-type"]

    assert tag("/programmes?country=NPL&dimension=social") == tag("/programmes?dimension=social&country=NPL")
    assert tag("/programmes", country="NPL") != tag("/programmes", country="BGD")
    json_tag, json_type = tag("/programmes", country="NPL")
    csv_tag, csv_type = tag("/programmes", {"Accept": "text/csv"}, country="NPL")
    assert json_type == "application/json" and csv_type.startswith("text/csv") and json_tag != csv_tag
    # another Accept header that negotiates the same format: the same answer, the same tag
    assert tag("/programmes", {"Accept": "text/csv;q=0.9, application/json"}, country="NPL") == (json_tag, json_type)
    assert tag("/graph", {"Accept": "text/turtle"})[0] != tag("/graph", {"Accept": "application/n-triples"})[0]


def test_every_data_route_is_kept_and_errors_are_not(analytics_api):
    kept = ["/programmes", "/programmes/m1", "/actors/facets", "/countries/NPL", "/search?q=loan",
            "/queries/coverage-matrix", "/coordination/network", "/graph", "/exports", "/id/measure/m1",
            "/gaps/findings"]
    for path in kept:
        response = analytics_api.get(path)
        assert response.status_code == 200 and "etag" in response.headers, path
        assert analytics_api.get(path, headers={"If-None-Match": response.headers["etag"]}).status_code == 304, path
    for path in ("/health", "/sparql?query=ASK%7B%7D", "/programmes/no-such-measure", "/programmes?colour=red"):
        assert "etag" not in analytics_api.get(path, headers={"Accept": "application/json"}).headers, path


def test_answers_come_from_the_bytes_kept_for_the_graph_served(analytics_api):
    response = analytics_api.get("/gaps/coverage", params={"country": "BGD"}, headers={"Accept": "application/json"})
    kept = getattr(analytics_api.app.state.kg, caching._ATTRIBUTE)
    entry = kept.find("/gaps/coverage", "country=BGD", b"application/json")
    assert entry is not None and entry.body == response.content and entry.etag.decode() == response.headers["etag"]


def test_a_reload_changes_every_etag_and_a_failed_one_none(mini):
    app = create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        before = client.get("/programmes/prottasha")
        etag = before.headers["etag"]
        replace_in(mini / "records.yaml", "      lead: [gob]\n", "      lead: [gob-typo]\n")
        assert client.post("/admin/reload", headers=auth).status_code == 422
        assert client.get("/programmes/prottasha", headers={"If-None-Match": etag}).status_code == 304
        replace_in(mini / "records.yaml", "      lead: [gob-typo]\n", "      lead: [gob]\n")
        replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha programme\n")
        assert client.post("/admin/reload", headers=auth).status_code == 200
        after = client.get("/programmes/prottasha", headers={"If-None-Match": etag})
        assert after.status_code == 200 and after.json()["name"] == "Prottasha programme"
        assert after.headers["etag"] != etag


def test_a_report_is_kept_for_its_day_only(mini, monkeypatch):
    app = create_app(data_settings(mini, sparql_workers=1))
    client = TestClient(app)
    today = caching.today()
    first = client.get("/reports/BGD", params={"format": "md"})
    assert first.status_code == 200 and f"{today.year}".encode() in first.content

    later = dt.date(2031, 3, 4)
    monkeypatch.setattr(caching, "today", lambda: later)  # the day the route, its cache key and the cache see
    second = client.get("/reports/BGD", params={"format": "md"}, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and b"4 March 2031" in second.content
    assert second.headers["etag"] != first.headers["etag"]


def test_the_cache_is_bounded_least_recently_used_first():
    def entry(size: int) -> Entry:
        return Entry(b'"v-x"', None, b"x" * size, [], [])

    kept = Responses(max_bytes=1000)
    kept.keep("/a", "", b"", "application/json", entry(200))
    kept.keep("/b", "", b"", "application/json", entry(200))
    assert kept.find("/a", "", b"") is not None  # /a is now the most recently used
    for name in "cdefg":
        kept.keep(f"/{name}", "", b"", "application/json", entry(200))
    assert kept.size <= 1000 and kept.find("/b", "", b"") is None and kept.find("/g", "", b"") is not None
    kept.keep("/huge", "", b"", "application/json", entry(300))  # over a quarter of the cache: served, not kept
    assert kept.find("/huge", "", b"") is None


def test_the_query_string_is_normalized_by_name_only():
    assert normalized_query(b"b=2&a=1&a=0&") == "a=1&a=0&b=2"
    assert normalized_query(b"") == ""


def test_the_size_of_the_cache_is_a_setting():
    assert Settings.from_env({"RKG_RESPONSE_CACHE_MB": "8"}).response_cache_mb == 8
    assert Settings().response_cache_mb == 64
