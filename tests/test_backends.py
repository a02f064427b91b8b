"""The same named-query suite on every backend: in-memory Oxigraph, the on-disk store, and a real
SPARQL 1.1 server (Oxigraph's, from PyPI) reached over HTTP through SPARQLWrapper."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rkg.cli import main
from rkg.graph import queries as Q
from rkg.graph.build import VERSION_QUERY, build
from rkg.graph.store import EmbeddedStore, RemoteStore, StoreError

from conftest import FIXTURES

SAMPLE_PARAMS = {"country": "BGD", "actor": "un-1", "funder": "donor-d", "target_group": "women",
                 "theme": "data", "min_countries": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.fail("the `oxigraph` server (PyPI package oxigraph, a test dependency) is not installed")
    return found


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the Oxigraph server did not start: " + process.stderr.read().decode()[:500])
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def fixture_build():
    return build(FIXTURES / "analytics", FIXTURES / "sources")


@pytest.fixture(scope="module")
def backends(fixture_build, oxigraph_server, tmp_path_factory):
    disk = EmbeddedStore.persist(fixture_build.graph, tmp_path_factory.mktemp("disk") / "store")
    remote = RemoteStore(oxigraph_server + "/query")
    remote.push(fixture_build.graph)
    return {"embedded": EmbeddedStore.from_graph(fixture_build.graph),
            "persistent": EmbeddedStore.open(disk),
            "remote": remote}


def answers(store, query):
    params = {p.name: SAMPLE_PARAMS[p.name] for p in query.params if p.name in SAMPLE_PARAMS}
    rows = Q.run(store, query, params, Q.Vocabulary.from_store(store))
    return [{k: (None if v is None else str(v)) for k, v in row.items()} for row in rows]


def test_every_backend_holds_the_same_triples(backends, fixture_build):
    assert {name: len(store) for name, store in backends.items()} == {
        name: len(fixture_build.graph) for name in backends}


@pytest.mark.parametrize("name", sorted(Q.library()))
def test_the_named_query_suite_gives_the_same_answers_on_every_backend(backends, name):
    query = Q.get(name)
    expected = answers(backends["embedded"], query)
    for backend in ("persistent", "remote"):
        got = answers(backends[backend], query)
        if "ORDER BY" in query.text:
            assert got == expected, (backend, name)
        else:
            assert sorted(map(str, got)) == sorted(map(str, expected)), (backend, name)


def test_the_data_version_travels_with_the_graph(backends, fixture_build):
    for store in backends.values():
        assert str(store.select(VERSION_QUERY)[0]["version"]) == fixture_build.version


def test_push_replaces_the_graph_atomically_and_keeps_it_on_failure(oxigraph_server, fixture_build, tmp_path):
    remote = RemoteStore(oxigraph_server + "/query", graph="https://example.org/graph/replace")
    remote.push(fixture_build.graph)
    before = len(remote)
    smaller = fixture_build.graph.__class__()
    smaller += fixture_build.graph
    for triple in list(smaller)[:100]:
        smaller.remove(triple)
    remote.push(smaller)
    assert len(remote) == before - 100  # replaced, not merged
    # no staging graph is left behind
    graphs = httpx.get(oxigraph_server + "/query", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"},
                       headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert not [g for g in graphs if "staging" in g["g"]["value"]]
    broken = RemoteStore(oxigraph_server + "/query", graph="https://example.org/graph/replace",
                         store_endpoint=oxigraph_server + "/no-such-route")
    with pytest.raises(StoreError, match="refused"):
        broken.push(fixture_build.graph)
    assert len(remote) == before - 100  # the failed push left the last good graph


def test_errors_are_mapped_to_clear_messages(oxigraph_server):
    with pytest.raises(StoreError, match="cannot reach the SPARQL endpoint"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(StoreError, match="the query failed"):
        RemoteStore(oxigraph_server + "/query").select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(StoreError, match="no SPARQL Update endpoint is known"):
        RemoteStore("http://127.0.0.1:1/somewhere/else/sparql-x").push(build(FIXTURES / "mini").graph)
    with pytest.raises(StoreError, match="no Graph Store Protocol endpoint"):
        RemoteStore("http://127.0.0.1:1/somewhere/else/sparql-x",
                    update_endpoint="http://127.0.0.1:1/update").push(build(FIXTURES / "mini").graph)


def test_cli_push_and_query_against_the_server(oxigraph_server, capsys, tmp_path):
    data = ["--data", str(FIXTURES / "analytics"), "--sources", str(FIXTURES / "sources")]
    graph = "https://example.org/graph/cli"
    assert main(["push", *data, "--endpoint", oxigraph_server + "/query", "--graph", graph]) == 0
    assert "pushed" in capsys.readouterr().out
    assert main(["query", "run", "who-funds-whom", "--endpoint", oxigraph_server + "/query", "--graph", graph,
                 "--param", "country=BGD", "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("donor-d") == 2
    assert main(["build", *data, "--store", str(tmp_path / "store")]) == 0
    assert main(["query", "run", "who-funds-whom", "--store", str(tmp_path / "store"), "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("donor-d") == 3  # BGD: ngo-x and un-1; NPL: un-1


def test_persist_replaces_a_store_only_when_the_new_one_is_complete(fixture_build, tmp_path):
    path = tmp_path / "store"
    EmbeddedStore.persist(fixture_build.graph, path)
    assert len(EmbeddedStore.open(path)) == len(fixture_build.graph)
    with pytest.raises(Exception):
        EmbeddedStore.persist("not a graph", path)  # fails before anything is replaced
    assert len(EmbeddedStore.open(path)) == len(fixture_build.graph)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    with pytest.raises(StoreError, match="rkg build --store"):
        EmbeddedStore.open(tmp_path / "missing")
