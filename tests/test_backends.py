"""The same named-query suite on every backend: in-memory Oxigraph, the on-disk store, and real
SPARQL 1.1 servers reached over HTTP through SPARQLWrapper: Oxigraph's (from PyPI) and Virtuoso
(Debian's virtuoso-opensource, installed by tests/setup/install-virtuoso.sh; skipped without it).
The servers are started by tests/support/servers.py, each on free local ports with a data directory
of its own."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from rkg.cli import main
from rkg.graph import queries as Q
from rkg.graph.build import build
from rkg.graph.stats import data_version
from rkg.graph.store import EmbeddedStore, RemoteStore, StoreError, _from_json, derived_endpoints
from support import FIXTURES, fixture_settings, servers

pytestmark = [pytest.mark.slow, pytest.mark.server]

SAMPLE_PARAMS = {"country": "BGD", "actor": "un-1", "funder": "donor-d", "target_group": "women",
                 "min_countries": "1"}
# legitimately empty on the curated data: every country of origin has a policy on reintegration
EMPTY_ON_CURATED = {"countries-without-reintegration-policy"}

SERVERS = {"oxigraph": servers.oxigraph, "virtuoso": servers.virtuoso}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def remote_server(request, tmp_path_factory):
    """A running SPARQL 1.1 server, one kind after the other (pytest groups the tests by kind)."""
    with SERVERS[request.param](tmp_path_factory.mktemp(request.param)) as server:
        yield server


@pytest.fixture(scope="module")
def fixture_build(analytics_build):
    return analytics_build


@pytest.fixture(scope="module")
def backends(fixture_build, remote_server, tmp_path_factory):
    disk = EmbeddedStore.persist(fixture_build.graph, tmp_path_factory.mktemp("disk") / "store")
    remote = remote_server.store()
    remote.push(fixture_build.graph)
    return {"embedded": EmbeddedStore.from_graph(fixture_build.graph),
            "persistent": EmbeddedStore.open(disk),
            "remote": remote}


def answers(store, query, params=None):
    if params is None:
        params = {p.name: SAMPLE_PARAMS[p.name] for p in query.params if p.name in SAMPLE_PARAMS}
    rows = Q.run(store, query, params)
    return [{k: (None if v is None else str(v)) for k, v in row.items()} for row in rows]


def same_answers(got, expected, query) -> bool:
    if "ORDER BY" in query.text:
        return got == expected
    return sorted(map(str, got)) == sorted(map(str, expected))


def test_every_backend_holds_the_same_triples(backends, fixture_build):
    assert {name: len(store) for name, store in backends.items()} == {
        name: len(fixture_build.graph) for name in backends}


@pytest.mark.parametrize("name", sorted(Q.library()))
def test_the_named_query_suite_gives_the_same_answers_on_every_backend(backends, name):
    query = Q.get(name)
    expected = answers(backends["embedded"], query)
    assert bool(expected) != query.check, "a comparison of no rows would prove nothing"
    for backend in ("persistent", "remote"):
        got = answers(backends[backend], query)
        if "ORDER BY" in query.text:
            assert got == expected, (backend, name)
        else:
            assert sorted(map(str, got)) == sorted(map(str, expected)), (backend, name)


@pytest.fixture(scope="module")
def curated_graph(curated_build):
    return curated_build.graph


def test_the_named_query_suite_gives_the_same_answers_on_the_curated_data(remote_server, curated_graph):
    """The fixture is small; the curated data has the long names, ties and many-actor cells that
    tell engines apart (Virtuoso orders long strings by a prefix, joins sub-selects its own way)."""
    remote = remote_server.store(graph="https://example.org/graph/curated")
    remote.push(curated_graph)
    embedded = EmbeddedStore.from_graph(curated_graph)
    expected = {name: answers(embedded, query, {}) for name, query in Q.library().items()}
    assert sorted(name for name, query in Q.library().items()
                  if not query.check and not expected[name]) == sorted(EMPTY_ON_CURATED)
    differing = [name for name, query in sorted(Q.library().items())
                 if not same_answers(answers(remote, query, {}), expected[name], query)]
    assert differing == []


def test_the_data_version_travels_with_the_graph(backends, fixture_build):
    for store in backends.values():
        assert data_version(store) == fixture_build.version


def test_the_server_gives_back_the_graph_it_was_given(backends, fixture_build):
    exported = Graph().parse(data=backends["remote"].export(), format="nt")
    assert isomorphic(exported, fixture_build.graph)


def test_push_replaces_the_graph_atomically_and_keeps_it_on_failure(remote_server, fixture_build):
    remote = remote_server.store(graph="https://example.org/graph/replace")
    remote.push(fixture_build.graph)
    before = len(remote)
    assert before == len(fixture_build.graph)
    smaller = fixture_build.graph.__class__()
    smaller += fixture_build.graph
    for triple in list(smaller)[:100]:
        smaller.remove(triple)
    remote.push(smaller)
    assert len(remote) == before - 100  # replaced, not merged
    assert not [g for g in remote_server.graphs() if "staging" in g]  # no staging graph is left behind
    broken = remote_server.store(graph="https://example.org/graph/replace",
                                 store_endpoint=remote_server.endpoint.rsplit("/", 1)[0] + "/no-such-route")
    with pytest.raises(StoreError, match="refused"):
        broken.push(fixture_build.graph)
    assert len(remote) == before - 100  # the failed push left the last good graph


def test_a_server_behind_a_login_turns_away_wrong_credentials(remote_server, fixture_build):
    if not remote_server.user:
        pytest.skip(f"the {remote_server.name} server of the tests has no login")
    graph = "https://example.org/graph/login"
    remote_server.store(graph=graph).push(fixture_build.graph)
    intruder = RemoteStore(remote_server.endpoint, graph=graph, user=remote_server.user, password="wrong")
    with pytest.raises(StoreError, match="(?s)refused: HTTP 401.*RKG_ENDPOINT_USER"):
        intruder.push(build(FIXTURES / "mini").graph)
    with pytest.raises(StoreError, match="RKG_ENDPOINT_USER"):
        len(intruder)
    assert len(remote_server.store(graph=graph)) == len(fixture_build.graph)


def test_an_answer_the_server_cut_short_is_refused(fixture_build, tmp_path):
    with servers.virtuoso(tmp_path, max_rows=100) as server:
        remote = server.store()
        remote.push(fixture_build.graph)
        assert len(remote.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 99")) == 99
        with pytest.raises(StoreError, match="cut short.*100 rows.*ResultSetMaxRows"):
            remote.select("SELECT ?s WHERE { ?s ?p ?o }")


def test_errors_are_mapped_to_clear_messages(remote_server):
    with pytest.raises(StoreError, match="cannot reach the SPARQL endpoint"):
        RemoteStore(f"http://127.0.0.1:{servers.free_port()}/query", timeout=2).select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(StoreError, match="the query failed"):
        remote_server.store().select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(StoreError, match="no SPARQL Update endpoint is known"):
        RemoteStore("http://127.0.0.1:1/somewhere/else/sparql-x").push(build(FIXTURES / "mini").graph)
    with pytest.raises(StoreError, match="no Graph Store Protocol endpoint"):
        RemoteStore("http://127.0.0.1:1/somewhere/else/sparql-x",
                    update_endpoint="http://127.0.0.1:1/update").push(build(FIXTURES / "mini").graph)


def test_cli_push_and_query_against_the_server(remote_server, capsys, tmp_path, monkeypatch):
    for variable, value in remote_server.env.items():
        monkeypatch.setenv(variable, value)
    data = ["--data", str(FIXTURES / "analytics"), "--sources", str(FIXTURES / "sources")]
    graph = "https://example.org/graph/cli"
    assert main(["push", *data, "--endpoint", remote_server.endpoint, "--graph", graph]) == 0
    assert "pushed" in capsys.readouterr().out
    assert main(["query", "run", "who-funds-whom", "--endpoint", remote_server.endpoint, "--graph", graph,
                 "--param", "country=BGD", "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("donor-d") == 2
    assert main(["build", *data, "--store", str(tmp_path / "store")]) == 0
    assert main(["query", "run", "who-funds-whom", "--store", str(tmp_path / "store"), "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("donor-d") == 3  # BGD: ngo-x and un-1; NPL: un-1


def test_the_update_and_graph_store_endpoints_follow_the_server_layout():
    assert derived_endpoints("http://h:7878/query") == ("http://h:7878/update", "http://h:7878/store")
    assert derived_endpoints("http://h:3030/rkg/query") == ("http://h:3030/rkg/update", "http://h:3030/rkg/data")
    assert derived_endpoints("http://h:8890/sparql") == ("http://h:8890/sparql", "http://h:8890/sparql-graph-crud")
    assert derived_endpoints("http://h:8890/sparql-auth") == ("http://h:8890/sparql-auth",
                                                              "http://h:8890/sparql-graph-crud-auth")
    assert derived_endpoints("http://h/elsewhere/x") == (None, None)


def test_booleans_written_as_numbers_are_read_as_the_same_booleans():
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    for written, value in (("1", True), ("0", False), ("true", True), ("false", False)):
        term = _from_json({"type": "typed-literal", "datatype": boolean, "value": written})
        assert term == Literal(value) and str(term) == str(value).lower()
    number = _from_json({"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                         "value": "1"})
    assert str(number) == "1" and number.datatype == URIRef("http://www.w3.org/2001/XMLSchema#integer")


def test_persist_replaces_a_store_only_when_the_new_one_is_complete(fixture_build, tmp_path):
    path = tmp_path / "store"
    EmbeddedStore.persist(fixture_build.graph, path)
    assert len(EmbeddedStore.open(path)) == len(fixture_build.graph)
    with pytest.raises(AttributeError):
        EmbeddedStore.persist("not a graph", path)  # fails before anything is replaced
    assert len(EmbeddedStore.open(path)) == len(fixture_build.graph)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    with pytest.raises(StoreError, match="rkg build --store"):
        EmbeddedStore.open(tmp_path / "missing")


def test_the_api_serves_a_graph_from_the_server_as_it_serves_one_built_here(backends, fixture_build, remote_server):
    """`rkg serve --endpoint URL`: the API on the remote store answers what it answers on the
    graph built from data/."""
    from fastapi.testclient import TestClient

    from rkg.api.app import create_app

    remote = TestClient(create_app(remote_server.settings()))
    built = TestClient(create_app(fixture_settings("analytics")))
    health = remote.get("/health").json()
    assert (health["data_version"], health["triples"]) == (fixture_build.version, len(fixture_build.graph))
    assert health["records"] == built.get("/health").json()["records"]
    for url in ("/gaps/coverage?country=BGD", "/coordination/overlaps?country=BGD", "/actors/un-1",
                "/findings?limit=20"):
        assert remote.get(url).json() == built.get(url).json(), url
