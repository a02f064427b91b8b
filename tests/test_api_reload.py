"""Reloading: POST /admin/reload (token from the environment) and `--watch` rebuild the graph
when data/ changes; a reload that fails validation logs the errors and keeps the last good graph,
in the resource endpoints and in the SPARQL workers alike."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi.testclient import TestClient

from rkg.api.app import create_app
from rkg.cli import parser, settings_of
from rkg.settings import Settings
from support import data_settings, replace_in

TOKEN = "test-token-123"
LABEL = ("SELECT ?name WHERE { <https://w3id.org/reintegration-kg/id/measure/prottasha> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?name }")


def sparql_name(client) -> str:
    body = client.get("/sparql", params={"query": LABEL}).json()
    return body["results"]["bindings"][0]["name"]["value"]


def wait_until(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_reloading_over_http_needs_the_admin_token(mini):
    closed = TestClient(create_app(data_settings(mini, admin_token=None)))
    assert closed.post("/admin/reload").json()["error"]["code"] == "forbidden"
    client = TestClient(create_app(data_settings(mini, admin_token=TOKEN)))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = client.post("/admin/reload", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert client.post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_the_admin_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("RKG_ADMIN_TOKEN", TOKEN)
    monkeypatch.setenv("RKG_SPARQL_TIMEOUT", "3.5")
    settings = Settings.from_env(watch=True)
    assert settings.admin_token == TOKEN and settings.sparql_timeout == 3.5 and settings.watch
    assert TOKEN not in repr(settings)


@pytest.mark.slow
def test_a_reload_with_broken_data_keeps_serving_the_last_good_graph(mini, caplog):
    app = create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        before = client.get("/health").json()["data_version"]
        replace_in(mini / "records.yaml", "      lead: [gob]\n", "      lead: [gob-typo]\n")
        with caplog.at_level(logging.ERROR, logger="rkg.api"):
            refused = client.post("/admin/reload", headers=auth)
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert error["code"] == "invalid-data" and error["data_version"] == before
        problem = error["problems"][0]
        assert problem["file"].endswith("records.yaml") and problem["line"] > 0 and "gob-typo" in problem["message"]
        assert any("gob-typo" in r.getMessage() and "records.yaml" in r.getMessage() for r in caplog.records)

        health = client.get("/health").json()
        assert health["data_version"] == before
        assert health["last_reload"]["ok"] is False and health["last_reload"]["errors"] >= 1
        prottasha = client.get("/programmes/prottasha").json()
        assert prottasha["roles"]["lead"] == [{"id": "gob", "name": "Government of Bangladesh"}]
        assert sparql_name(client) == "Prottasha"

        replace_in(mini / "records.yaml", "      lead: [gob-typo]\n", "      lead: [gob]\n")
        replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha programme\n")
        reloaded = client.post("/admin/reload", headers=auth)
        assert reloaded.status_code == 200, reloaded.text
        body = reloaded.json()
        assert body["status"] == "reloaded" and body["previous_version"] == before != body["data_version"]
        assert client.get("/health").json()["data_version"] == body["data_version"]
        assert client.get("/programmes/prottasha").json()["name"] == "Prottasha programme"
        assert client.get("/programmes", params={"q": "programme"}).json()["total"] == 1
        assert sparql_name(client) == "Prottasha programme"  # the SPARQL workers serve the new graph too


@pytest.mark.slow
def test_watch_rebuilds_when_data_changes_and_survives_broken_data(mini):
    app = create_app(data_settings(mini, watch=True, sparql_workers=1))
    with TestClient(app) as client:
        before = client.get("/health").json()["data_version"]
        time.sleep(0.5)  # let the watcher start
        replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha watched\n")
        changed = wait_until(lambda: (v := client.get("/health").json()["data_version"]) != before and v)
        assert client.get("/programmes/prottasha").json()["name"] == "Prottasha watched"

        replace_in(mini / "records.yaml", "    status: ongoing\n", "    status: going-on\n")
        last = wait_until(lambda: (r := client.get("/health").json().get("last_reload")) and r["ok"] is False and r)
        assert last["data_version"] == changed and last["errors"] >= 1
        assert client.get("/health").json()["data_version"] == changed
        assert client.get("/programmes/prottasha").json()["status"] == "ongoing"
        assert sparql_name(client) == "Prottasha watched"


def test_serve_takes_its_options(monkeypatch):
    args = parser().parse_args(["serve", "--port", "9123", "--host", "0.0.0.0", "--watch", "--sparql-timeout", "4",
                                "--sparql-workers", "1"])
    assert (args.port, args.host, args.watch, args.sparql_timeout, args.sparql_workers) == (9123, "0.0.0.0", True, 4.0, 1)
    captured = {}
    monkeypatch.setattr("uvicorn.run", lambda app, host, port, log_level, **limits:
                        captured.update(app=app, host=host, port=port, limits=limits))
    import rkg.api.app as api_app

    monkeypatch.setattr(api_app, "create_app", lambda settings: captured.update(settings=settings) or "app")
    assert args.func(args, settings_of(args)) == 0
    assert captured["port"] == 9123 and captured["settings"].watch and captured["settings"].sparql_timeout == 4.0
    assert captured["settings"].backend == "build"  # built from data/


@pytest.mark.slow
def test_a_cached_reload_is_built_and_stored_by_the_child_and_opened_from_the_cache(mini, tmp_path):
    """With the cache on (as `rkg serve` runs), the rebuild child keeps the new graph in the cache and
    the server opens it there: the graph never crosses over to the server's process."""
    cache = tmp_path / "cache"
    app = create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1, use_cache=True, cache_dir=cache))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        before = client.get("/health").json()["data_version"]
        replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha cached\n")
        reloaded = client.post("/admin/reload", headers=auth)
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["previous_version"] == before != reloaded.json()["data_version"]
        assert client.get("/programmes/prottasha").json()["name"] == "Prottasha cached"
        assert sparql_name(client) == "Prottasha cached"
        assert app.state.kg.build is None  # opened from the cache, not handed over
        assert len([p for p in cache.iterdir() if (p / "store").is_dir()]) == 2
        replace_in(mini / "records.yaml", "      lead: [gob]\n", "      lead: [gob-typo]\n")
        refused = client.post("/admin/reload", headers=auth)  # invalid data: nothing is stored
        assert refused.status_code == 422 and refused.json()["error"]["data_version"] == reloaded.json()["data_version"]
        assert len([p for p in cache.iterdir() if (p / "store").is_dir()]) == 2
