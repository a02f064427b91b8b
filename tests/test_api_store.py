"""Serving a graph that is already in a store (`rkg serve --store PATH`): the API opens the on-disk
store read-only, answers as it does on a graph built from data/, and reopens the store on reload,
keeping the last good graph when there is nothing valid to reopen."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from rkg.api.app import create_app
from rkg.cli import main
from rkg.graph.build import build
from rkg.graph.stats import record_counts
from rkg.graph.store import EmbeddedStore
from rkg.settings import Settings
from support import FIXTURES, fixture_settings

TOKEN = "store-token"


@pytest.fixture
def served(analytics_build, tmp_path):
    path = EmbeddedStore.persist(analytics_build.graph, tmp_path / "store")
    app = create_app(Settings(store=path, admin_token=TOKEN))
    return path, TestClient(app)


def test_the_store_counts_records_as_the_build_does(analytics_build, tmp_path):
    """Counted on the store (by class), the records are those the YAML holds (counted here by id)."""
    counts = record_counts(EmbeddedStore.open(EmbeddedStore.persist(analytics_build.graph, tmp_path / "store")))
    text = (FIXTURES / "analytics" / "records.yaml").read_text()
    written = {kind: 0 for kind in counts.by_kind}
    kind = None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            kind = line.rstrip(":")
        elif line.lstrip().startswith("- ") and "id:" in line and kind:
            written[kind] += 1
    documents = (FIXTURES / "analytics" / "documents.yaml").read_text().count("- id:")
    assert counts.nonzero() == {k: v for k, v in written.items() if v} | {"documents": documents}
    assert counts.of("measures", "BGD") == 5 and counts.of("measures", "NPL") == 2


def test_a_served_store_answers_like_the_graph_built_from_data(served, analytics_build):
    _, client = served
    built = TestClient(create_app(fixture_settings("analytics")))
    health = client.get("/health").json()
    assert health["data_version"] == analytics_build.version
    assert health["triples"] == len(analytics_build.graph)
    assert health["records"] == built.get("/health").json()["records"]
    for url in ("/gaps/coverage?country=BGD", "/coordination/overlaps?country=BGD", "/programmes?limit=50",
                "/actors/un-1", "/queries/who-funds-whom?country=BGD"):
        assert client.get(url).json() == built.get(url).json(), url
    nt = client.get("/graph", params={"format": "nt"}).text
    assert len([line for line in nt.splitlines() if line.strip()]) == len(analytics_build.graph)
    answer = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                        headers={"Accept": "application/sparql-results+json"}).json()
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == len(analytics_build.graph)


def test_reload_reopens_the_store_and_keeps_the_last_good_graph(served, analytics_build):
    path, client = served
    headers = {"Authorization": f"Bearer {TOKEN}"}
    mini = build(FIXTURES / "mini", FIXTURES / "sources")
    EmbeddedStore.persist(mini.graph, path)  # what `rkg build --store PATH` does to a served store
    answer = client.post("/admin/reload", headers=headers).json()
    assert (answer["previous_version"], answer["data_version"]) == (analytics_build.version, mini.version)
    assert client.get("/health").json()["triples"] == len(mini.graph)

    shutil.rmtree(path)
    refused = client.post("/admin/reload", headers=headers)
    assert refused.status_code == 422 and "rkg build --store" in refused.json()["error"]["message"]
    assert client.get("/health").json()["data_version"] == mini.version


def test_a_store_without_a_built_graph_is_refused(tmp_path, capsys):
    from rdflib import Graph, Literal, URIRef
    stray = Graph()
    stray.add((URIRef("https://example.org/a"), URIRef("https://example.org/b"), Literal("c")))
    EmbeddedStore.persist(stray, tmp_path / "stray")
    assert main(["serve", "--store", str(tmp_path / "stray")]) == 1
    assert "no data version" in capsys.readouterr().err
    assert main(["serve", "--store", str(tmp_path / "missing")]) == 1
    assert "rkg build --store" in capsys.readouterr().err
    EmbeddedStore.persist(build(FIXTURES / "mini", FIXTURES / "sources").graph, tmp_path / "good")
    assert main(["serve", "--store", str(tmp_path / "good"), "--watch"]) == 2
    assert "POST /admin/reload" in capsys.readouterr().err
