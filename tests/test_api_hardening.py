"""The server under hostile data and clients: a reload's rebuild is bounded in memory and time and
runs beside the server, not in it; no query, however malformed, stops a SPARQL worker."""

from __future__ import annotations

import contextlib
import os
import threading
import time

import httpx
import pytest

from rkg.api.app import create_app
from rkg.settings import Settings
from support import data_settings
from support.live import LiveServer

TOKEN = "hardening-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOURCE = '{document: mini-report, section: "1", quote: "Reintegration support spans economic"}'


def many_places(count: int) -> str:
    """A valid data file that takes long to build (30,000 places: about a minute in one process)."""
    return "places:\n" + "".join(f"  - {{id: p{i}, name: Place {i}, place_type: district, country: BGD, "
                                 f"source: {SOURCE}}}\n" for i in range(count))


def reload_in_background(url: str) -> tuple[threading.Thread, dict]:
    answer = {}

    def post():
        answer["response"] = httpx.post(url + "/admin/reload", headers=AUTH, timeout=120)

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, answer


@pytest.mark.slow
def test_a_rebuild_past_its_time_limit_fails_like_invalid_data_while_the_server_answers(mini):
    server = LiveServer(create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1,
                                                            rebuild_timeout=3)))
    try:
        before = httpx.get(server.url + "/health").json()["data_version"]
        (mini / "places.yaml").write_text(many_places(30_000))
        thread, answer = reload_in_background(server.url)
        time.sleep(0.5)
        started = time.monotonic()
        assert httpx.get(server.url + "/health", timeout=5).status_code == 200
        assert time.monotonic() - started < 1.0  # the rebuild runs beside the server, not in it
        thread.join(timeout=15)
        assert not thread.is_alive(), "the reload did not end within 15 s"
        refused = answer["response"]
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["code"] == "invalid-data" and error["data_version"] == before
        assert error["problems"][0]["code"] == "rebuild-time" and "longer than 3 s" in error["problems"][0]["message"]
        health = httpx.get(server.url + "/health").json()
        assert health["data_version"] == before and health["last_reload"]["ok"] is False
        assert httpx.get(server.url + "/programmes/prottasha").json()["name"] == "Prottasha"
    finally:
        server.stop()


@pytest.mark.slow
def test_a_rebuild_past_its_memory_limit_fails_like_invalid_data(mini):
    server = LiveServer(create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1,
                                                            rebuild_memory_mb=200)))
    try:
        before = httpx.get(server.url + "/health").json()["data_version"]
        # valid YAML, within the size limit, that takes about 300 MB to build
        (mini / "big.yaml").write_text("places:\n  - id: big\n    name: " + "x" * 45_000_000 + "\n")
        refused = httpx.post(server.url + "/admin/reload", headers=AUTH, timeout=60)
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["error"]["problems"]
        assert problem["code"] == "rebuild-memory" and "200 MiB" in problem["message"], problem
        assert httpx.get(server.url + "/health").json()["data_version"] == before
        (mini / "big.yaml").unlink()
        (mini / "records.yaml").write_text((mini / "records.yaml").read_text().replace(
            "    name: Prottasha\n", "    name: Prottasha bounded\n", 1))
        reloaded = httpx.post(server.url + "/admin/reload", headers=AUTH, timeout=60)
        assert reloaded.status_code == 200, reloaded.text  # within the limit, a rebuild works
        assert httpx.get(server.url + "/programmes/prottasha").json()["name"] == "Prottasha bounded"
    finally:
        server.stop()


# ---------------------------------------------------------------------------- one request, one worker

CRASHERS = ["SELECT * FROM x:y WHERE {?s ?p ?o}",  # an undeclared prefix in FROM
            'ASK { FILTER("\\U7FFFFFFF") }']       # a string escape past U+10FFFF


@pytest.fixture(scope="module")
def pool():
    """One SPARQL worker on a three-triple graph: no query can be slow on it."""
    from rkg.api.sparql_pool import WorkerPool

    workers = WorkerPool(Settings(sparql_workers=1, sparql_timeout=10, sparql_isolate_network=False))
    workers.load(b"<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
                 b"<http://example.org/b> <http://example.org/p> \"1\" .\n"
                 b"<http://example.org/b> <http://example.org/q> \"x\"@en .\n")
    workers.start()
    yield workers
    workers.close()


@pytest.mark.parametrize("query", CRASHERS)
def test_a_query_the_parser_chokes_on_is_a_400_and_the_worker_lives_on(pool, query):
    restarts = pool.stats["restarts"]
    outcome = pool.run({"query": query, "accept": "*/*"})
    assert (outcome.status, outcome.code) == (400, "malformed-query"), outcome
    assert pool.stats["restarts"] == restarts
    assert pool.run({"query": "ASK { ?s ?p ?o }", "accept": "application/json"}).ok


def test_the_endpoint_answers_400_to_them(mini):
    from fastapi.testclient import TestClient

    with TestClient(create_app(data_settings(mini, sparql_workers=1, sparql_isolate_network=False))) as client:
        for query in CRASHERS * 2:
            answer = client.get("/sparql", params={"query": query})
            assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed-query", answer.text
        assert client.get("/health").json()["sparql"]["restarts"] == 0


TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FROM", "FROM NAMED", "GRAPH", "FILTER", "BIND", "AS",
          "VALUES", "OPTIONAL", "UNION", "MINUS", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "PREFIX", "BASE", "*",
          "{", "}", "(", ")", ".", ";", ",", "?s", "?p", "?o", "$x", "x:y", ":z", "a", "<http://example.org/p>",
          "<>", "<#>", '"\\U7FFFFFFF"', '"\\U0010FFFF"', '"\\uD800"', '"\\u0000"', '"x"@en', '"1"^^x:int',
          '"""a"""', "'b'", "1", "-1.5e309", "1e-400", "0x1", "true", "REGEX(?o, \"(\")", "STRDT(?o, ?p)",
          "LANGMATCHES(?o, 1)", "COUNT(*)", "SUM(?o)", "STRLEN()", "IRI(\"::\")", "BNODE()", "NOW()", "UUID()",
          "SUBSTR(?o, -9223372036854775809)", "REPLACE(?o, \"\", \"x\")", "<<", ">>", "|", "^", "/", "!", "+"]


def test_a_fuzz_of_malformed_queries_never_stops_the_worker(pool):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    restarts, seen = pool.stats["restarts"], []
    queries = st.one_of(
        st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join),
        st.text(max_size=80),
        st.builds(lambda head, body: f"{head} {{ {body} }}", st.sampled_from(["SELECT *", "ASK", "SELECT ?s"]),
                  st.lists(st.sampled_from(TOKENS), max_size=15).map(" ".join)),
    )

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(queries)
    def run(query):
        outcome = pool.run({"query": query, "accept": "*/*"})
        seen.append(outcome.status)
        assert outcome.status in (200, 400, 403, 406), (query, outcome)

    run()
    assert len(seen) >= 300 and seen.count(400) > 100
    assert pool.stats["restarts"] == restarts


# ---------------------------------------------------------------------------- workers outlive reloads

@pytest.mark.slow
def test_workers_spawned_by_a_reload_outlive_the_thread_that_ran_it(mini):
    """The workers die with their parent (PR_SET_PDEATHSIG), which Linux reads as the *thread* that
    started them: workers started by a reload thread were killed once that thread ended, and the
    next query of each answered 503 "its worker stopped (exit code -9)"."""
    from fastapi.testclient import TestClient

    app = create_app(data_settings(mini, sparql_workers=2, sparql_isolate_network=False))
    with TestClient(app) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # the workers are up
        (mini / "records.yaml").write_text((mini / "records.yaml").read_text().replace(
            "    name: Prottasha\n", "    name: Prottasha reloaded\n", 1))

        def reload_then_idle():
            app.state.graphs.reload(app)
            time.sleep(2)  # as a server thread idles before it ends (anyio's: 10 s); the new workers start

        reloader = threading.Thread(target=reload_then_idle)
        reloader.start()
        reloader.join(timeout=60)
        assert not reloader.is_alive()
        time.sleep(0.5)  # the thread has ended: a worker tied to it would be gone by now
        query = ("SELECT ?name WHERE { <https://w3id.org/reintegration-kg/id/measure/prottasha> "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?name }")
        for _ in range(2):  # one query per worker
            answer = client.get("/sparql", params={"query": query})
            assert answer.status_code == 200, answer.text
            assert answer.json()["results"]["bindings"][0]["name"]["value"] == "Prottasha reloaded"
        assert client.get("/health").json()["sparql"]["restarts"] == 0


# ---------------------------------------------------------------------------- shutdown and leftovers

def dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def processes_mentioning(*texts: str) -> list[int]:
    """The pids of processes whose command line contains each of `texts`."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if all(text.encode() in line for text in texts):
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("trigger", ["reload", "watch"])
def test_sigterm_during_a_long_rebuild_stops_the_server_promptly_and_leaves_nothing_behind(mini, tmp_path, trigger):
    import os
    import signal
    import subprocess
    import sys

    from support.live import free_port

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = free_port()
    env = dict(os.environ, RKG_ADMIN_TOKEN=TOKEN, TMPDIR=str(scratch), RKG_SPARQL_WORKERS="1")
    command = [sys.executable, "-m", "rkg.cli", "serve", "--data", str(mini), "--port", str(port)]
    server = subprocess.Popen(command + (["--watch"] if trigger == "watch" else []), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert list(scratch.glob("rkg-sparql-*"))  # the workers' folder
        (mini / "places.yaml").write_text(many_places(30_000))  # about a minute to build
        if trigger == "reload":
            reload_in_background(url)
        time.sleep(2)
        assert processes_mentioning("rkg.api.rebuild", str(mini)), "no rebuild under way"
        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        assert time.monotonic() - stopping < 10, "SIGTERM waited for the rebuild"
        time.sleep(0.5)
        assert processes_mentioning("rkg.api.rebuild", str(mini)) == [], "the rebuild outlived the server"
        assert processes_mentioning("rkg.api.sparql_worker", str(scratch)) == [], "a worker outlived the server"
        assert list(scratch.iterdir()) == []  # the workers' folder is gone
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_the_folders_of_killed_servers_are_removed_when_a_pool_starts(tmp_path, monkeypatch):
    import tempfile

    from rkg.api.sparql_pool import WorkerPool

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead, alive = dead_pid(), os.getppid()
    left = tmp_path / f"rkg-sparql-{dead}-abc123"
    (left / "sub").mkdir(parents=True)
    (left / "graph-1.nt").write_text("<a:b> <a:c> <a:d> .\n")
    running = tmp_path / f"rkg-sparql-{alive}-def456"
    running.mkdir()
    other = tmp_path / "rkg-sparql-notapid"
    other.mkdir()
    pool = WorkerPool(Settings(sparql_workers=1))
    try:
        assert not left.exists() and running.exists() and other.exists()
        assert pool._files.folder.name.startswith(f"rkg-sparql-{os.getpid()}-")
    finally:
        pool.close()


def test_persist_removes_what_killed_persists_left_and_nothing_a_running_one_uses(mini, tmp_path):
    from rkg.graph.build import build
    from rkg.graph.store import EmbeddedStore

    graph = build(mini).graph
    folder = tmp_path / "stores"
    folder.mkdir()
    dead, alive = dead_pid(), os.getppid()
    half = folder / f"store.new-{dead}-x1"       # the staging store of a persist that was killed
    half.mkdir()
    (half / "junk").write_text("half written")
    (folder / f"store.old-{dead}-x2").mkdir()    # the store it was replacing, not yet removed
    busy = folder / f"store.new-{alive}-x3"      # another persist, still running
    busy.mkdir()
    EmbeddedStore.persist(graph, folder / "store")
    EmbeddedStore.persist(graph, folder / "store")
    assert len(EmbeddedStore.open(folder / "store")) == len(graph)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["store", busy.name])


def test_persist_puts_back_the_store_a_killed_persist_had_moved_aside(mini, tmp_path, monkeypatch):
    from rkg.graph import store as stores
    from rkg.graph.build import build

    graph = build(mini).graph
    (tmp_path / f"store.old-{dead_pid()}-x1").mkdir()  # an older leftover
    stores.EmbeddedStore.persist(graph, tmp_path / "kept")
    (tmp_path / "kept").rename(tmp_path / f"store.old-{dead_pid()}-x2")  # moved aside, never replaced
    # interrupted again right after its clean-up: the store that was there before is back in place
    monkeypatch.setattr(stores.tempfile, "mkdtemp", lambda **kw: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        stores.EmbeddedStore.persist(graph, tmp_path / "store")
    assert len(stores.EmbeddedStore.open(tmp_path / "store")) == len(graph)
    assert not list(tmp_path.glob("store.old-*"))


def test_build_out_removes_a_stale_tmp_and_leaves_none_when_interrupted(mini, tmp_path, monkeypatch):
    from rdflib import Graph

    from rkg.cli import main

    out = tmp_path / "graph.ttl"
    tmp = tmp_path / "graph.ttl.tmp"
    tmp.write_text("half a graph from a build that was killed")
    records = mini / "records.yaml"
    records.write_text(records.read_text().replace("    type: ngo\n", "    type: nongovernmental\n"))
    assert main(["build", "--data", str(mini), "--out", str(out)]) == 1
    assert not tmp.exists() and not out.exists()
    records.write_text(records.read_text().replace("    type: nongovernmental\n", "    type: ngo\n"))
    serialize = Graph.serialize

    def interrupted(self, destination=None, **kwargs):
        serialize(self, destination=destination, **kwargs)
        raise KeyboardInterrupt  # Ctrl-C once the file is written, before it is renamed into place

    monkeypatch.setattr(Graph, "serialize", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["build", "--data", str(mini), "--out", str(out)])
    assert not tmp.exists() and not out.exists()


# ---------------------------------------------------------------------------- smaller ones

def test_the_bearer_scheme_is_case_insensitive(mini):
    from fastapi.testclient import TestClient

    from rkg.api.state import token_matches

    for scheme in ("Bearer", "bearer", "BEARER", "bEaReR"):
        assert token_matches(TOKEN, f"{scheme} {TOKEN}"), scheme
    for wrong in (f"Basic {TOKEN}", TOKEN, f"Bearer{TOKEN}", f"Bearer {TOKEN}x", "Bearer ", "", None):
        assert not token_matches(TOKEN, wrong), wrong
    client = TestClient(create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1)))
    assert client.post("/admin/reload", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("path, accept", [
    ("/health", "application/json"), ("/", "application/json"), ("/sparql", "text/html"), ("/docs", "text/html"),
    ("/openapi.json", "application/json"), ("/static/yasgui/yasgui.min.js", "*/*"), ("/programmes", "*/*"),
    ("/programmes/prottasha", "*/*"), ("/graph", "text/turtle"), ("/reports/BGD", "text/html"),
    ("/programmes/nothing", "*/*"), ("/nowhere", "*/*"),
])
def test_head_is_answered_wherever_get_is_with_the_same_headers_and_no_body(mini_api, path, accept):
    got = mini_api.get(path, headers={"Accept": accept})
    head = mini_api.head(path, headers={"Accept": accept})
    assert head.status_code == got.status_code != 405, (head.status_code, got.status_code)
    assert head.content == b""
    for name in ("content-type", "content-length", "etag"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_head_is_refused_where_get_is(mini):
    from fastapi.testclient import TestClient

    client = TestClient(create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1)))
    assert client.get("/admin/reload").status_code == client.head("/admin/reload").status_code == 405


def test_every_answer_carries_the_security_headers_and_html_pages_a_content_security_policy(mini_api):
    import base64
    import hashlib
    import re

    client = mini_api
    for path, accept, html in (("/health", "*/*", False), ("/programmes", "*/*", False), ("/nowhere", "*/*", False),
                               ("/static/yasgui/yasgui.min.js", "*/*", False), ("/sparql", "text/html", True),
                               ("/reports/BGD", "text/html", True), ("/docs", "text/html", True)):
        answer = client.get(path, headers={"Accept": accept})
        assert answer.headers["x-frame-options"] == "DENY", path
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["referrer-policy"] == "no-referrer", path
        assert ("content-security-policy" in answer.headers) == html, path
    editor = client.get("/sparql", headers={"Accept": "text/html"})
    policy = dict(part.strip().split(" ", 1) for part in editor.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    for page in (editor, client.get("/docs", headers={"Accept": "text/html"}),
                 client.get("/redoc", headers={"Accept": "text/html"})):
        assert "https:" not in page.headers["content-security-policy"]  # nothing from the internet, the API docs included
    [script] = [s for s in re.findall(r"<script>(.*?)</script>", editor.text, re.S)]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"


@pytest.mark.slow
def test_a_post_to_sparql_whose_body_trickles_in_is_cut_off(mini):
    import select
    import socket

    server = LiveServer(create_app(data_settings(mini, sparql_workers=1, sparql_body_timeout=2)))
    try:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 1000\r\n\r\n")
            started, answer = time.monotonic(), b""
            while time.monotonic() - started < 10 and b"\r\n\r\n" not in answer:
                readable, _, _ = select.select([slow], [], [], 0.5)
                if readable:  # the server has answered (or closed): read it before sending more
                    try:
                        chunk = slow.recv(4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    answer += chunk
                    continue
                with contextlib.suppress(OSError):
                    slow.sendall(b"A")  # a byte every half second
            elapsed = time.monotonic() - started
            assert answer.startswith(b"HTTP/1.1 408"), (answer, elapsed)
            assert 1.5 < elapsed < 6, elapsed
            slow.settimeout(3)
            try:  # the rest of the answer, up to the close the server announced
                while chunk := slow.recv(4096):
                    answer += chunk
            except OSError:
                pass
            assert b"connection: close" in answer.lower() and b"request-timeout" in answer, answer
        # other clients were served meanwhile, and are still
        assert httpx.post(server.url + "/sparql", content="ASK {}",
                          headers={"Content-Type": "application/sparql-query"}).json()["boolean"] is True
    finally:
        server.stop()


def test_rkg_serve_limits_slow_and_idle_connections(monkeypatch):
    from rkg.cli import parser, settings_of

    captured = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: captured.update(options))
    import rkg.api.app as api_app

    monkeypatch.setattr(api_app, "create_app", lambda *args: "app")
    args = parser().parse_args(["serve"])
    assert args.func(args, settings_of(args)) == 0
    assert captured["timeout_keep_alive"] <= 5 and captured["timeout_graceful_shutdown"] <= 5
    assert captured["http"] == "h11" and captured["h11_max_incomplete_event_size"] <= 64 * 1024
    assert Settings().sparql_body_timeout == 30


@pytest.mark.parametrize("isolate", [True, False])
def test_whether_workers_are_cut_off_the_network_is_logged_and_shown_in_health(mini, caplog, isolate):
    import logging

    from fastapi.testclient import TestClient

    app = create_app(data_settings(mini, sparql_workers=2, sparql_isolate_network=isolate))
    with caplog.at_level(logging.INFO, logger="rkg.api.sparql"), TestClient(app) as client:
        assert client.get("/health").json()["sparql"]["network_isolated"] is None  # no worker has started yet
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        deadline = time.monotonic() + 30
        while len([r for r in caplog.records if "network isolation" in r.getMessage()]) < 3:  # 2 and 1 in reserve
            assert time.monotonic() < deadline, "the workers' starts were not logged"
            time.sleep(0.1)
        shown = client.get("/health").json()["sparql"]["network_isolated"]
    started = [r for r in caplog.records if "network isolation" in r.getMessage()]
    assert len(started) == 3 and all(r.levelno == logging.INFO for r in started)  # once per worker
    if not isolate:
        assert shown is False and all("OFF (not asked for)" in r.getMessage() for r in started)
        return
    # what this machine allows, as a worker finds it (a child process, so that this one stays connected)
    import subprocess
    import sys

    possible = subprocess.run([sys.executable, "-c", "from rkg.api.sparql_worker import isolate_network as i; "
                               "print(i())"], capture_output=True, text=True).stdout.strip() == "True"
    assert shown is possible
    assert all(("network isolation: on" in r.getMessage()) is possible for r in started)


# ---------------------------------------------------------------------------- the OpenAPI document is exact

@pytest.fixture(scope="module")
def described(mini_api):
    return mini_api, mini_api.get("/openapi.json").json()


def parameter(spec: dict, path: str, name: str, method: str = "get") -> dict:
    found = next(p for p in spec["paths"][path][method]["parameters"] if p["name"] == name)
    return found["schema"].get("items", found["schema"])


def test_the_openapi_document_states_the_errors_each_route_can_answer(described):
    _, spec = described
    for path in ("/programmes/{id}", "/actors/{id}", "/countries/{iso3}", "/reports/{iso3}", "/id/{rest}"):
        assert "404" in spec["paths"][path]["get"]["responses"], path
    reload = spec["paths"]["/admin/reload"]["post"]
    assert {"401", "403", "422"} <= set(reload["responses"]) and reload["security"] == [{"adminToken": []}]
    assert "415" in spec["paths"]["/sparql"]["post"]["responses"]
    assert "application/ld+json" in spec["paths"]["/ontology/context.jsonld"]["get"]["responses"]["200"]["content"]


def test_the_openapi_document_types_parameters_as_they_are_checked(described):
    _, spec = described
    assert set(parameter(spec, "/reports/{iso3}", "format")["enum"]) == {"html", "htm", "md", "markdown", "pdf"}
    assert "prottasha" in parameter(spec, "/findings", "about")["enum"]               # measures, policies, actors
    assert "enum" in parameter(spec, "/coordination/overlaps", "actor")
    assert parameter(spec, "/search", "kind")["enum"][0] == "measures"
    assert parameter(spec, "/countries", "focus") == {"type": "boolean"} | {
        k: v for k, v in parameter(spec, "/countries", "focus").items() if k not in ("type", "enum")}
    score = parameter(spec, "/coordination/overlaps", "min_score")
    assert score["type"] == "number" and score["maximum"] == 10**12 - 1
    assert "pattern" in parameter(spec, "/gaps/sustainability-risk", "as_of")


def test_the_date_pattern_of_the_document_accepts_exactly_the_dates_the_checker_accepts():
    import datetime as dt
    import re

    from rkg.errors import InvalidValue
    from rkg.graph.parameters import DATE_PATTERN, ParamType

    def accepted(text: str) -> bool:
        try:
            ParamType("date").value("as_of", text)
            return True
        except InvalidValue:
            return False

    day, days = dt.date(1896, 1, 1), []
    while day.year < 2105:
        days.append(day.isoformat())
        day += dt.timedelta(days=1)
    wrong = ["2023-02-29", "1900-02-29", "2100-02-29", "2022-04-31", "2022-13", "2022-00", "0000", "0000-01-01",
             "22", "2022-1", "2022-06-00", "2022-06-32", "2022-6-30", " 2022", "2022 ", "", "today "]
    for text in days + ["2000-02-29", "2024-02-29", "0001", "9999-12", "today", "2022"] + wrong:
        assert bool(re.fullmatch(DATE_PATTERN, text)) == accepted(text) == (text not in wrong), text


def test_an_empty_value_is_refused_where_it_names_nothing_and_an_empty_text_is_no_filter(described):
    client, _ = described
    for path, name in (("/gaps/coverage", "unit"), ("/programmes", "country"), ("/programmes", "limit"),
                       ("/coordination/overlaps", "min_score"), ("/countries", "focus")):
        refused = client.get(path, params={name: ""})
        assert refused.status_code == 422 and refused.json()["error"]["parameter"] == name, (path, name)
    assert client.get("/programmes", params={"q": ""}).json()["total"] == client.get("/programmes").json()["total"]


def test_a_405_names_every_method_of_the_path(mini_api):
    for path, allowed in (("/sparql", "GET, HEAD, POST"), ("/admin/reload", "POST"), ("/programmes/prottasha", "GET, HEAD")):
        refused = mini_api.request("DELETE", path)
        assert refused.status_code == 405 and refused.headers["allow"] == allowed, path


def test_sparql_without_a_query_describes_the_service(mini_api):
    from rdflib import Graph, Namespace, URIRef

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        answer = mini_api.get("/sparql", headers={"Accept": accept})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
        described = Graph().parse(data=answer.content, format=fmt)
        endpoint = URIRef("http://testserver/sparql")
        assert (endpoint, sd.endpoint, endpoint) in described
        assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in described
        assert not list(described.objects(endpoint, sd.feature))  # SERVICE is refused: no federation claimed
    assert mini_api.get("/sparql", headers={"Accept": "text/html"}).headers["content-type"].startswith("text/html")
    assert mini_api.get("/sparql", params={"query": ""}).status_code == 400


def test_a_search_for_text_sqlite_would_cut_short_is_answered(mini_api):
    answer = mini_api.get("/search", params={"q": "prottasha\x00"})
    assert answer.status_code == 200 and answer.json()["items"][0]["id"] == "prottasha"
