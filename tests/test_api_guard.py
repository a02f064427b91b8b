"""The checks a /sparql query passes before it runs (rkg.api.sparql_guard), and the worker's own
network isolation: why they are needed (the engine does follow SERVICE) and what they refuse."""

from __future__ import annotations

import subprocess
import sys
import time

import pyoxigraph as ox
import pytest

from rkg.api import sparql_guard as guard
from support.live import recording_listener


@pytest.fixture
def listener():
    with recording_listener() as (port, seen):
        yield port, seen


def test_without_the_guard_the_engine_would_call_out(listener):
    port, seen = listener
    store = ox.Store()
    list(store.query(f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"))
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen and seen[0].startswith(b"POST /sparql")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SeRvIcE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE ?endpoint { ?s ?p ?x } } }",
    "ASK { { SELECT * WHERE { SERVICE <http://example.org/> {} } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = \"\\u0022\") SERVICE <http://example.org/> {} FILTER(?o = \"\\u0022\") }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:p\\# SERVICE <http://example.org/> { ?a ?b ?c } }",
    "SELECT * WHERE {?s ?p ?o}SERVICE<http://example.org/>{?a ?b ?c}",
    # Oxigraph matches keywords without a word boundary: these are SERVICE calls to it
    "PREFIX x: <http://example.org/> SELECT * WHERE { SERVICEx:sparql { ?s ?p ?o } }",
    "PREFIX : <http://example.org/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICESILENT<http://example.org/> { ?s ?p ?o } }",
    # an unterminated long string is, to Oxigraph, an empty string and the start of another
    'SELECT * WHERE { ?s ?p """, " x" . SERVICE <http://example.org/> { ?a ?b ?c } }',
    # refused although harmless: a prefix that starts with "service"
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:p ?o }",
])
def test_service_is_refused_wherever_it_hides(query):
    with pytest.raises(guard.Refused) as refused:
        guard.check(query)
    assert refused.value.status in (400, 403)
    if refused.value.status == 403:
        assert refused.value.code == "service-not-allowed"


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/> {}" }',
    "SELECT * WHERE { ?s ?p '''a\nSERVICE\n''' }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/> {}",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?service }",
    "PREFIX ex: <http://example.org/> SELECT ?service WHERE { ?service ex:SERVICE ex:service }",
    'SELECT * WHERE { ?s ?p ?name FILTER(CONTAINS(LCASE(?name), "employment service")) }',
])
def test_the_word_service_elsewhere_is_fine(query):
    assert guard.check(query).form == "select"


def test_forms_updates_and_syntax_errors():
    assert guard.check("ASK {}").form == "ask"
    assert guard.check("CONSTRUCT WHERE { ?s ?p ?o }").form == "construct"
    assert guard.check("DESCRIBE <http://example.org/x>").form == "describe"
    for update in ("INSERT DATA { <http://a.org/a> <http://a.org/b> 1 }", "LOAD <http://example.org/data.ttl>",
                   "CLEAR ALL", "DROP GRAPH <http://example.org/g>"):
        with pytest.raises(guard.Refused) as refused:
            guard.check(update)
        assert (refused.value.status, refused.value.code) == (403, "read-only"), update
    with pytest.raises(guard.Refused) as refused:
        guard.check("SELECT * WHERE { ?s ?p }")
    assert (refused.value.status, refused.value.code) == (400, "malformed-query")
    assert "line:1" in refused.value.message or "col" in refused.value.message


def test_only_the_served_graph_may_be_named():
    ours = guard.GRAPH_IRI
    assert guard.check(f"SELECT * FROM <{ours}> WHERE {{ ?s ?p ?o }}").form == "select"
    assert guard.check(f"PREFIX g: <{ours.rsplit('/', 1)[0]}/> SELECT * FROM NAMED g:graph WHERE {{ ?s ?p ?o }}")
    plan = guard.check("ASK {}", default_graphs=[ours])
    assert plan.default_graphs == (ours,) and plan.named_graphs is None
    for query, graphs in (("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", {}),
                          (f"SELECT * FROM <{ours}> FROM NAMED <http://example.org/g> WHERE {{ ?s ?p ?o }}", {}),
                          ("ASK {}", {"default_graphs": ["http://example.org/g"]}),
                          ("ASK {}", {"named_graphs": [ours, "file:///etc/passwd"]})):
        with pytest.raises(guard.Refused) as refused:
            guard.check(query, **graphs)
        assert refused.value.code == "graph-not-allowed" and "never fetches" in refused.value.message


ISOLATION_PROBE = """
import socket, sys
from rkg.api.sparql_worker import isolate_network
if not isolate_network():
    print("unavailable"); sys.exit(0)
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    print("connected")
except OSError:
    print("blocked")
"""


def test_workers_cut_themselves_off_the_network_where_the_system_allows(listener):
    port, seen = listener
    outcome = subprocess.run([sys.executable, "-c", ISOLATION_PROBE, str(port)], capture_output=True, text=True,
                             timeout=60).stdout.strip()
    if outcome == "unavailable":
        pytest.skip("this system allows no network namespace to an unprivileged process")
    assert outcome == "blocked" and seen == []
