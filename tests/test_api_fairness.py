"""Expensive work never holds up cheap requests (issue 14, item 6): analyses and reports run in
bounded lanes with a queue time limit and a time limit, identical requests share one computation,
/health and the record routes answer at once whatever the lanes are doing, and two runaway SPARQL
queries do not make a small ASK wait for them.

A real uvicorn server (in a thread of this process, so that a test can make an analysis or a
report slow on purpose: `slowed`) on the analytics fixture; every wait is bounded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from rkg.api import analysis, reports
from rkg.api.app import create_app
from rkg.settings import Settings
from support import FIXTURES
from support.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.server]

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def settings(**options) -> Settings:
    """The analytics fixture, with `options` as the server reads them from its environment."""
    return Settings.from_env({}, data_dir=FIXTURES / "analytics", sources_dir=FIXTURES / "sources", use_cache=False,
                             sparql_isolate_network=False, **options)


@pytest.fixture
def serve():
    servers = []

    def start(**options) -> str:
        server = LiveServer(create_app(settings(**options)))
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def slowed(monkeypatch):
    """Make the named queries (or the reports) of the server take `seconds` more, and count the runs."""
    runs: list[str] = []

    def slow(module, name: str, seconds: float):
        original = getattr(module, name)

        def slower(*args, **kwargs):
            runs.append(name)
            time.sleep(seconds)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, slower)

    slow.runs = runs
    return slow


@pytest.fixture
def clients():
    """`clients(url, n)`: n HTTP clients, made before the test times anything (making one takes a few
    milliseconds of this process, the server's: 72 made at once would slow the server down)."""
    made: list[httpx.Client] = []

    def make(url: str, n: int, timeout: float = 60) -> list[httpx.Client]:
        made.extend(httpx.Client(base_url=url, timeout=timeout) for _ in range(n))
        return made[-n:]

    yield make
    for client in made:
        client.close()


def timed(client: httpx.Client, path: str, **params) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = client.get(path, params=params or None)
    return time.monotonic() - started, response


def probe(url: str, stop: threading.Event, paths=("/health", "/programmes?limit=5", "/queries?limit=1")) -> dict:
    """Ask the cheap routes one after the other until `stop`: their latencies, in a dict filled as it runs."""
    seen: dict[str, list[float]] = {path: [] for path in paths}
    statuses: list[int] = []

    def run():
        with httpx.Client(base_url=url, timeout=10) as client:
            while not stop.is_set():
                for path in paths:
                    seconds, response = timed(client, path)
                    seen[path].append(seconds)
                    statuses.append(response.status_code)
                time.sleep(0.02)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    seen["_thread"] = thread  # type: ignore[assignment]
    seen["_statuses"] = statuses  # type: ignore[assignment]
    return seen


def refused_honestly(response: httpx.Response) -> bool:
    """A 503 in the API's error shape with a Retry-After of whole seconds."""
    return (response.status_code == 503 and response.headers.get("retry-after", "").isdigit()
            and response.json()["error"]["code"] in ("busy", "analysis-timeout", "report-timeout"))


def test_a_flood_of_varied_analyses_never_holds_up_health_or_the_records(serve, slowed, clients):
    """64 overlap analyses, each with its own min_score (so none is cached), each taking 1 s: at most
    two run at once, the others wait at most a second and get 503 with Retry-After; meanwhile
    /health, a record list and the query list answer at once. Before: 40 threads slept in the
    analyses and /health waited for one of them (1 s and more)."""
    url = serve(analysis_workers=2, analysis_queue_timeout=1.0, analysis_timeout=5.0)
    slowed(analysis, "run_checked", 1.0)
    stop = threading.Event()
    flood = clients(url, 64)
    with httpx.Client(base_url=url, timeout=30) as warm:
        assert warm.get("/health").status_code == 200
    latencies = probe(url, stop)

    def ask(n: int) -> tuple[float, httpx.Response]:
        return timed(flood[n - 1], "/coordination/overlaps", min_score=f"0.{n:03d}")

    started = time.monotonic()
    with ThreadPoolExecutor(64) as threads:
        answers = list(threads.map(ask, range(1, 65)))
    seconds = time.monotonic() - started
    stop.set()
    latencies["_thread"].join(timeout=10)
    for path in ("/health", "/programmes?limit=5", "/queries?limit=1"):
        assert latencies[path], path
        assert max(latencies[path]) < 0.3, (path, sorted(latencies[path])[-5:], f"the flood took {seconds:.1f} s")
    assert set(latencies["_statuses"]) == {200}
    ok = [r for _, r in answers if r.status_code == 200]
    refused = [r for _, r in answers if r.status_code != 200]
    assert all(refused_honestly(r) for r in refused), [r.text for r in refused if not refused_honestly(r)][:3]
    assert ok and refused, (len(ok), len(refused))
    assert max(seconds for seconds, _ in answers) < 8, "a request waited longer than its bounds"
    with httpx.Client(base_url=url, timeout=30) as client:  # the lane is free again: a new analysis is answered
        assert client.get("/coordination/overlaps", params={"min_score": "0.5"}).status_code == 200
        assert client.get("/health").json()["lanes"]["analyses"]["refused"] == len(refused)


def test_an_analysis_past_its_time_limit_is_a_503_naming_the_setting_and_its_answer_is_kept(serve, slowed):
    """Before: the client waited the whole 2.5 s; there was no limit."""
    url = serve(analysis_timeout=1.0)
    slowed(analysis, "run_checked", 2.5)
    with httpx.Client(base_url=url, timeout=30) as client:
        seconds, response = timed(client, "/coordination/overlaps", min_score="0.25")
        assert refused_honestly(response), response.text
        error = response.json()["error"]
        assert error["code"] == "analysis-timeout" and "RKG_ANALYSIS_TIMEOUT" in error["message"]
        assert error["limit_seconds"] == 1.0 and error["setting"] == "RKG_ANALYSIS_TIMEOUT"
        assert 0.9 < seconds < 2.0
        time.sleep(2.0)  # the computation ran on to its end meanwhile, and its answer was kept
        seconds, again = timed(client, "/coordination/overlaps", min_score="0.25")
        assert again.status_code == 200 and seconds < 0.5, (seconds, again.text)
        assert slowed.runs == ["run_checked"]


def test_identical_cold_analyses_are_computed_once(serve, slowed, clients):
    """Before: each of the 30 requests ran the query (30 runs)."""
    url = serve()
    slowed(analysis, "run_checked", 0.5)
    herd = clients(url, 30)
    with ThreadPoolExecutor(30) as threads:
        answers = list(threads.map(lambda client: client.get("/coordination/overlaps", params={"min_score": "0.33"}),
                                   herd))
    assert {r.status_code for r in answers} == {200}
    assert len({r.content for r in answers}) == 1
    assert slowed.runs == ["run_checked"]


def test_a_herd_of_cold_reports_is_computed_once_while_health_answers(serve, slowed, clients):
    """72 concurrent requests for the same cold report: one computation, 72 identical answers, and
    /health answers at once meanwhile. Before: the report was computed once, but its 72 requests
    held the server's 40 threads while they waited, and /health waited with them."""
    url = serve(report_timeout=30.0)
    slowed(reports, "generate", 1.5)
    stop = threading.Event()
    herd = clients(url, 72)
    with httpx.Client(base_url=url, timeout=30) as warm:
        assert warm.get("/health").status_code == 200
    latencies = probe(url, stop, paths=("/health", "/programmes?limit=5"))
    with ThreadPoolExecutor(72) as threads:
        answers = list(threads.map(lambda client: client.get("/reports/BGD", params={"format": "md"}), herd))
    stop.set()
    latencies["_thread"].join(timeout=10)
    assert {r.status_code for r in answers} == {200}, {r.status_code for r in answers}
    assert len({r.content for r in answers}) == 1
    assert slowed.runs == ["generate"]
    for path in ("/health", "/programmes?limit=5"):
        assert max(latencies[path]) < 0.3, (path, sorted(latencies[path])[-5:])


def test_a_report_past_its_time_limit_is_a_503_and_other_reports_wait_at_most_their_queue_time(serve, slowed):
    url = serve(report_timeout=1.0, report_queue_timeout=0.5)
    slowed(reports, "generate", 3.0)
    with httpx.Client(base_url=url, timeout=30) as client:
        seconds, response = timed(client, "/reports/BGD", format="md")
        assert refused_honestly(response) and response.json()["error"]["code"] == "report-timeout", response.text
        assert "RKG_REPORT_TIMEOUT" in response.json()["error"]["message"] and seconds < 2.0
        # the one report slot is still taken by the BGD report running to its end: NPL waits 0.5 s, then 503
        seconds, busy = timed(client, "/reports/NPL", format="md")
        assert refused_honestly(busy) and busy.json()["error"]["code"] == "busy", busy.text
        assert 0.4 < seconds < 1.5
        assert timed(client, "/health")[0] < 0.3


def test_two_runaway_sparql_queries_do_not_hold_up_a_small_ask(serve):
    """Both workers run a query that will not end before the time limit (4 s): a small ASK is still
    answered at once, by the worker kept in reserve for short queries. Before: it waited for one of
    the runaways to be stopped (about 4 s)."""
    url = serve(sparql_workers=2, sparql_timeout=4.0, sparql_queue_timeout=6.0)
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(3):  # every worker up before timing anything
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        runaways = [threading.Thread(target=httpx.post, args=(url + "/sparql",),
                                     kwargs={"data": {"query": RUNAWAY}, "timeout": 60}) for _ in range(2)]
        for thread in runaways:
            thread.start()
        deadline = time.monotonic() + 10
        while client.get("/health").json()["sparql"]["idle"] != 0:
            assert time.monotonic() < deadline, "the runaways never took both workers"
            time.sleep(0.05)
        for _ in range(3):
            seconds, answer = timed(client, "/sparql", query="ASK { ?s ?p ?o }")
            assert answer.status_code == 200 and answer.json()["boolean"] is True, answer.text
            assert seconds < 1.0, f"a small ASK waited {seconds:.1f} s behind two runaways"
        for thread in runaways:
            thread.join(timeout=30)
