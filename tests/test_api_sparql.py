"""/sparql against a live server (uvicorn on a free 127.0.0.1 port) driven by real clients:
SPARQLWrapper for the protocol matrix (method x query form x media type), the project's own
RemoteStore, and httpx for the safety rules (read-only, no outbound connection, time and size
limits, slow queries not blocking others)."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
import xml.dom.minidom

import httpx
import pytest
from rdflib import RDFS, Graph, Literal, URIRef
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from rkg.api.app import create_app
from rkg.api.sparql_guard import GRAPH_IRI
from rkg.graph import queries as Q
from rkg.graph.build import build
from rkg.graph.store import EmbeddedStore, RemoteStore
from rkg.settings import Settings
from support import FIXTURES, fixture_settings
from support.live import LiveServer, recording_listener

ID = "https://w3id.org/reintegration-kg/id/"
PREFIXES = ("PREFIX rkg: <https://w3id.org/reintegration-kg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2.0
pytestmark = pytest.mark.server

LIMITS = fixture_settings("mini", sparql_timeout=TIMEOUT, sparql_workers=2, sparql_queue_timeout=1.0,
                           sparql_max_result_bytes=64 * 1024, sparql_max_query_chars=5000,
                           sparql_isolate_network=False)  # the guard alone must keep queries off the network


@pytest.fixture(scope="module")
def graph():
    return build(FIXTURES / "mini", FIXTURES / "sources").graph


@pytest.fixture(scope="module")
def live():
    server = LiveServer(create_app(LIMITS))
    for _ in range(2):  # both workers up before timing anything
        httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=60)
    yield server
    server.stop()


@pytest.fixture
def listener():
    """A local port that records every connection made to it."""
    with recording_listener() as (port, connections):
        yield f"http://127.0.0.1:{port}/sparql", connections


def sparql(live, method: str, fmt: str, query: str):
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(30)
    if method == "GET":
        client.setMethod(GET)
    else:
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED if method == "POST-form" else POSTDIRECTLY)
    return client.query()


def wait_for_idle_workers(live, count: int) -> None:
    deadline = time.monotonic() + 10
    while httpx.get(live.url + "/health").json()["sparql"]["idle"] != count:
        assert time.monotonic() < deadline, f"never {count} idle workers"
        time.sleep(0.05)


def error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    return response.json()["error"]


# ---------------------------------------------------------------------------- the protocol matrix

SELECT = PREFIXES + f"SELECT ?name WHERE {{ <{ID}measure/prottasha> rdfs:label ?name }}"
ASK = PREFIXES + f"ASK {{ <{ID}measure/prottasha> a rkg:SupportMeasure }}"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?m rdfs:label ?n } WHERE { ?m a rkg:SupportMeasure ; rdfs:label ?n }"
DESCRIBE = f"DESCRIBE <{ID}actor/eu>"
METHODS = ["GET", "POST-form", "POST-direct"]
MEDIA = {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml", CSV: "text/csv",
         TSV: "text/tab-separated-values", TURTLE: "text/turtle", N3: "text/turtle",
         JSONLD: "application/ld+json", RDFXML: "application/rdf+xml"}
RDFLIB_FORMAT = {TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld", RDFXML: "xml"}


def content_type(result) -> str:
    return result.info()["content-type"].split(";")[0]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select(live, method, fmt):
    result = sparql(live, method, fmt, SELECT)
    assert content_type(result) == MEDIA[fmt]
    body = result.convert()
    if fmt == JSON:
        assert [b["name"]["value"] for b in body["results"]["bindings"]] == ["Prottasha"]
    elif fmt == XML:
        assert [n.firstChild.data for n in body.getElementsByTagName("literal")] == ["Prottasha"]
    elif fmt == CSV:
        assert list(csv.reader(io.StringIO(body.decode()))) == [["name"], ["Prottasha"]]
    else:
        assert body.decode().split() == ["?name", '"Prottasha"']


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask(live, method, fmt):
    result = sparql(live, method, fmt, ASK)
    assert content_type(result) == MEDIA[fmt]
    body = result.convert()
    if fmt == JSON:
        assert body["boolean"] is True
    elif fmt == XML:
        assert body.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert body.decode().strip() == "true"
    no = sparql(live, method, JSON, PREFIXES + f"ASK {{ <{ID}measure/prottasha> a rkg:Policy }}")
    assert no.convert()["boolean"] is False


def _graph_of(result, fmt) -> Graph:
    body = result.convert()
    if isinstance(body, Graph):
        return body
    return Graph().parse(data=body if isinstance(body, (str, bytes)) else body.toxml(), format=RDFLIB_FORMAT[fmt])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML])
def test_construct(live, graph, method, fmt):
    result = sparql(live, method, fmt, CONSTRUCT)
    assert content_type(result) == MEDIA[fmt]
    expected = {(s, RDFS.label, o) for s, _, o in graph.query(CONSTRUCT)}
    assert set(_graph_of(result, fmt)) == expected and len(expected) == 2


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML])
def test_describe(live, method, fmt):
    result = sparql(live, method, fmt, DESCRIBE)
    assert content_type(result) == MEDIA[fmt]
    described = _graph_of(result, fmt)
    eu = URIRef(ID + "actor/eu")
    assert (eu, RDFS.label, Literal("European Union")) in described
    assert {s for s in described.subjects()} == {eu} and len(described) >= 4


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_n_triples_by_content_negotiation(live, query):
    response = httpx.post(live.url + "/sparql", content=query,
                          headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/n-triples"
    assert len(Graph().parse(data=response.text, format="nt")) >= 2


def test_defaults_and_not_acceptable(live):
    anything = httpx.get(live.url + "/sparql", params={"query": SELECT}, headers={"Accept": "*/*"})
    assert anything.headers["content-type"] == "application/sparql-results+json"
    graph = httpx.get(live.url + "/sparql", params={"query": CONSTRUCT})
    assert graph.headers["content-type"].startswith("text/turtle")
    refused = error(httpx.get(live.url + "/sparql", params={"query": SELECT}, headers={"Accept": "text/turtle"}), 406)
    assert refused["code"] == "not-acceptable" and "application/sparql-results+json" in refused["message"]


def test_malformed_queries_get_400_with_the_parser_message(live):
    with pytest.raises(QueryBadFormed):
        sparql(live, "GET", JSON, "SELEC ?x WHERE { ?x ?p ?o }")
    found = error(httpx.post(live.url + "/sparql", data={"query": "SELECT ?x WHERE { ?x ?p }"}), 400)
    assert found["code"] == "malformed-query" and "does not parse" in found["message"] and "col" in found["message"]
    assert error(httpx.get(live.url + "/sparql", params={"query": " "}), 400)["code"] == "missing-query"
    assert error(httpx.get(live.url + "/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]), 400)
    assert error(httpx.post(live.url + "/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}), 415)


def test_the_project_remote_store_works_against_the_endpoint(live, graph):
    """RemoteStore names the graph it wants (default-graph-uri); the endpoint serves it under that name."""
    remote = RemoteStore(live.url + "/sparql", graph=GRAPH_IRI)
    embedded = EmbeddedStore.from_graph(graph)
    assert len(remote) == len(embedded) == len(graph)
    for name in ("coverage-matrix", "overlapping-actors", "who-funds-whom"):
        query = Q.get(name)
        ours = Q.run(remote, query, {"country": "BGD"}, Q.Vocabulary.from_store(remote))
        theirs = Q.run(embedded, query, {"country": "BGD"}, Q.Vocabulary.from_store(embedded))
        assert [{k: str(v) for k, v in r.items()} for r in ours] == [{k: str(v) for k, v in r.items()} for r in theirs]


def test_from_the_served_graph_is_allowed(live):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_IRI}> WHERE {{ ?s ?p ?o }}"
    body = httpx.get(live.url + "/sparql", params={"query": query}).json()
    total = int(body["results"]["bindings"][0]["n"]["value"])
    assert total == int(httpx.get(live.url + "/health").json()["triples"])


def test_the_served_graph_is_the_default_graph_and_the_one_named_graph(live):
    """The workers hold the graph once, as the named graph that is also every query's default graph."""
    def count(query: str, **params) -> int:
        body = httpx.get(live.url + "/sparql", params={"query": query, **params}).json()
        return int(body["results"]["bindings"][0]["n"]["value"])

    triples = int(httpx.get(live.url + "/health").json()["triples"])
    assert count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == triples
    assert count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == triples
    assert count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": GRAPH_IRI}) == triples
    assert count(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{GRAPH_IRI}> WHERE {{ ?s ?p ?o }}") == 0  # SPARQL: no FROM
    graphs = httpx.get(live.url + "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert [b["g"]["value"] for b in graphs.json()["results"]["bindings"]] == [GRAPH_IRI]


# ---------------------------------------------------------------------------- read-only, no outbound connection

def test_updates_are_refused(live):
    for query in ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
                  "DELETE WHERE { ?s ?p ?o }", "CLEAR ALL", "DROP DEFAULT"):
        assert error(httpx.post(live.url + "/sparql", data={"query": query}), 403)["code"] == "read-only", query
    assert error(httpx.post(live.url + "/sparql", data={"update": "CLEAR ALL"}), 403)["code"] == "read-only"
    assert error(httpx.post(live.url + "/sparql", content="CLEAR ALL",
                            headers={"Content-Type": "application/sparql-update"}), 403)["code"] == "read-only"
    still = httpx.get(live.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    assert int(still["results"]["bindings"][0]["n"]["value"]) == httpx.get(live.url + "/health").json()["triples"]


def test_service_load_and_remote_graphs_never_leave_the_machine(live, listener):
    remote, connections = listener
    refused = {
        f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}": "service-not-allowed",
        f"SELECT * WHERE {{ SERVICE SILENT <{remote}> {{ ?s ?p ?o }} }}": "service-not-allowed",
        f"select * where {{ service <{remote}> {{ ?s ?p ?o }} }}": "service-not-allowed",
        f"SELECT * WHERE {{ VALUES ?e {{ <{remote}> }} SERVICE ?e {{ ?s ?p ?o }} }}": "service-not-allowed",
        # the parser behind the guard reads \u0022 as a quote, the engine as an escape inside a string
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = \"\\u0022\") SERVICE <" + remote + "> { ?a ?b ?c } "
        "FILTER(?o = \"\\u0022\") }": "service-not-allowed",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}": "service-not-allowed",
        # the engine reads SERVICEr:sparql as SERVICE r:sparql
        f"PREFIX r: <{remote[:-6]}> SELECT * WHERE {{ SERVICEr:sparql {{ ?s ?p ?o }} }}": "service-not-allowed",
        f"LOAD <{remote}>": "read-only",
        f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}": "graph-not-allowed",
        f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}": "graph-not-allowed",
        f"PREFIX r: <{remote[:-6]}> SELECT * FROM r:sparql WHERE {{ ?s ?p ?o }}": "graph-not-allowed",
    }
    for query, code in refused.items():
        for response in (httpx.get(live.url + "/sparql", params={"query": query}),
                         httpx.post(live.url + "/sparql", content=query,
                                    headers={"Content-Type": "application/sparql-query"})):
            assert error(response, 403)["code"] == code, query
    assert error(httpx.post(live.url + "/sparql", data={"update": f"LOAD <{remote}>"}), 403)["code"] == "read-only"
    for parameter in ("default-graph-uri", "named-graph-uri"):
        response = httpx.get(live.url + "/sparql", params={"query": "ASK { ?s ?p ?o }", parameter: remote})
        assert error(response, 403)["code"] == "graph-not-allowed"
    time.sleep(0.5)
    assert connections == []
    with socket.create_connection(("127.0.0.1", int(remote.split(":")[2].split("/")[0]))) as probe:
        probe.sendall(b"probe")  # the listener does see connections
    deadline = time.monotonic() + 5
    while not connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert connections == [b"probe"]


# ---------------------------------------------------------------------------- limits and responsiveness

@pytest.mark.slow
def test_a_runaway_query_is_stopped_while_other_clients_are_served(live):
    outcome = {}

    def runaway():
        started = time.monotonic()
        outcome["response"] = httpx.post(live.url + "/sparql", data={"query": RUNAWAY}, timeout=60)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    wait_for_idle_workers(live, 1)
    for path, params in (("/health", None), ("/programmes", {"limit": 5}), ("/sparql", {"query": "ASK { ?s ?p ?o }"}),
                         ("/gaps/coverage", {"country": "BGD"})):
        started = time.monotonic()
        response = httpx.get(live.url + path, params=params, timeout=10)
        assert response.status_code == 200, (path, response.text)
        assert time.monotonic() - started < 1.0, path
    assert "response" not in outcome  # the runaway is still running meanwhile
    thread.join()
    found = error(outcome["response"], 503)
    assert found["code"] == "query-timeout" and f"{TIMEOUT:g} s" in found["message"]
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + 3
    after = httpx.get(live.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert after.status_code == 200 and after.json()["boolean"] is True


@pytest.mark.slow
def test_when_every_worker_is_busy_a_short_query_runs_in_reserve_and_a_long_one_is_stopped_there(live):
    threads = [threading.Thread(target=httpx.post, args=(live.url + "/sparql",),
                                kwargs={"data": {"query": RUNAWAY}, "timeout": 60}) for _ in range(2)]
    for thread in threads:
        thread.start()
    wait_for_idle_workers(live, 0)
    started = time.monotonic()
    short = httpx.get(live.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert short.status_code == 200 and time.monotonic() - started < 1.0
    started = time.monotonic()
    long = httpx.post(live.url + "/sparql", data={"query": RUNAWAY}, timeout=30)
    found = error(long, 503)
    assert found["code"] == "busy" and "kept for short queries" in found["message"], found
    assert long.headers["retry-after"] == "1"
    assert 0.9 <= time.monotonic() - started < TIMEOUT  # the reserve's limit (1 s), not the whole time limit
    assert httpx.get(live.url + "/health").status_code == 200
    for thread in threads:
        thread.join()
    assert httpx.get(live.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
    sparql = httpx.get(live.url + "/health").json()["sparql"]
    assert sparql["timeouts"] >= 2 and sparql["reserve_stops"] >= 1 and sparql["reserve_queries"] >= 2


@pytest.mark.slow
def test_when_every_worker_is_busy_a_query_waits_then_gets_503():
    server = LiveServer(create_app(LIMITS.with_(sparql_workers=1, sparql_reserve_workers=0)))
    try:
        assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=60).status_code == 200
        thread = threading.Thread(target=httpx.post, args=(server.url + "/sparql",),
                                  kwargs={"data": {"query": RUNAWAY}, "timeout": 60})
        thread.start()
        wait_for_idle_workers(server, 0)
        started = time.monotonic()
        busy = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert error(busy, 503)["code"] == "busy" and busy.headers["retry-after"] == "1"
        assert 0.9 <= time.monotonic() - started < 2.0
        assert httpx.get(server.url + "/health").status_code == 200
        thread.join()
        assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
        assert httpx.get(server.url + "/health").json()["sparql"]["timeouts"] >= 1
    finally:
        server.stop()


def test_results_over_the_size_limit_end_with_a_clear_error(live):
    for query in ("SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        found = error(httpx.get(live.url + "/sparql", params={"query": query}), 400)
        assert found["code"] == "result-too-large" and "LIMIT" in found["message"]
    small = httpx.get(live.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
    assert len(small.json()["results"]["bindings"]) == 10


def test_queries_over_the_length_limit_are_refused(live):
    long = "ASK { ?s ?p ?o } # " + "x" * 6000
    assert error(httpx.post(live.url + "/sparql", data={"query": long}), 413)["code"] == "query-too-long"


def test_a_query_that_needs_too_much_memory_is_aborted(graph):
    from rkg.api.sparql_pool import WorkerPool

    pool = WorkerPool(Settings(sparql_timeout=30, sparql_workers=1, sparql_memory_mb=400))
    try:
        pool.load(EmbeddedStore.from_graph(graph).export())
        outcome = pool.run({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d ?c ?f",
                            "accept": "text/csv"})
        assert (outcome.status, outcome.code) == (503, "query-aborted") and "400 MiB" in outcome.message
        assert pool.run({"query": "ASK {}", "accept": "*/*"}).ok  # a new worker took its place
    finally:
        pool.close()


# ---------------------------------------------------------------------------- the editor

def test_a_browser_gets_the_query_editor_served_locally(live):
    page = httpx.get(live.url + "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'src="static/yasgui/yasgui.min.js"' in html and 'href="static/yasgui/yasgui.min.css"' in html
    assert "<script src=\"http" not in html and "cdn" not in html.lower()
    examples = json.loads(html.split('type="application/json">', 1)[1].split("</script>", 1)[0])
    assert {e["name"] for e in examples} == {q.name for q in Q.library().values() if not q.check}
    script = httpx.get(live.url + "/static/yasgui/yasgui.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert len(script.content) > 500_000
    assert httpx.get(live.url + "/static/yasgui/yasgui.min.css").status_code == 200
    assert "MIT" in httpx.get(live.url + "/static/yasgui/LICENSE.md").text
    # a query in the address bar opens in the editor; a SPARQL client asking for data still gets data
    assert httpx.get(live.url + "/sparql", params={"query": ASK}, headers={"Accept": "text/html"}).text == html
    assert httpx.get(live.url + "/sparql", params={"query": ASK}).json()["boolean"] is True


def test_xml_results_are_well_formed(live):
    response = httpx.get(live.url + "/sparql", params={"query": SELECT},
                         headers={"Accept": "application/sparql-results+xml"})
    assert xml.dom.minidom.parseString(response.content).documentElement.tagName == "sparql"
