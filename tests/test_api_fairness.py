"""Expensive work never holds up cheap requests (issue 14, item 6): analyses and reports run in
bounded lanes with a queue time limit and a time limit, identical requests share one computation,
/health and the record routes answer at once whatever the lanes are doing, and two runaway SPARQL
queries do not make a small ASK wait for them.

A real server (`rkg serve` on a free 127.0.0.1 port) on the curated data, whose analyses and
reports take real time (the overlaps of every country about 0.1 s, a PDF report about 3 s);
settings as the server reads them from its environment; every wait is bounded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from support import ROOT
from support.live import free_port

pytestmark = [pytest.mark.slow, pytest.mark.server]

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture
def serve(tmp_path):
    """`serve(RKG_...=value, ...)`: the URL of `rkg serve` on the curated data with that environment."""
    started: list[subprocess.Popen] = []

    def start(**environment: str) -> str:
        port = free_port()
        env = dict(os.environ, TMPDIR=str(tmp_path), **{k: str(v) for k, v in environment.items()})
        with open(tmp_path / f"server-{port}.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "rkg.cli", "serve", "--data", str(ROOT / "data"),
                                        "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, \
                (tmp_path / f"server-{port}.log").read_text()[-2000:]
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        lanes = {}
        while not lanes or any(lane.get("ready", 1) < lane.get("processes", 0) for lane in lanes.values()):
            assert time.monotonic() < deadline, "the lanes' processes did not start"
            lanes = httpx.get(url + "/health", timeout=2).json().get("lanes", {"-": {}})
            time.sleep(0.1)
        return url

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def clients():
    """`clients(url, n)`: n HTTP clients, made before anything is timed."""
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


PROBE = """
import http.client, json, select, sys, time
port, paths = int(sys.argv[1]), sys.argv[2:]
seen, statuses = {path: [] for path in paths}, []
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for path in paths:  # once untimed: a route's first answer builds what it keeps
    conn.request("GET", path)
    conn.getresponse().read()
print("ready", flush=True)
while not select.select([sys.stdin], [], [], 0.02)[0]:  # until told to stop
    for path in paths:
        started = time.monotonic()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        seen[path].append(time.monotonic() - started)
        statuses.append(response.status)
print(json.dumps({"seen": seen, "statuses": statuses}))
"""


class Probe:
    """Asks the cheap routes one after the other until stopped, from a process of its own (so that
    the test's own client threads do not weigh on its figures): their latencies."""

    def __init__(self, url: str, paths=("/health", "/programmes?limit=5", "/queries?limit=1")):
        self._process = subprocess.Popen([sys.executable, "-c", PROBE, url.rsplit(":", 1)[1], *paths],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.statuses: list[int] = []
        assert self._process.stdout is not None and self._process.stdout.readline() == "ready\n"

    def stop(self) -> dict[str, list[float]]:
        out, _ = self._process.communicate("stop\n", timeout=30)
        found = json.loads(out.strip().splitlines()[-1])
        self.statuses = found["statuses"]
        return found["seen"]


def answered_at_once(path: str, seen: list[float], note: str = "") -> None:
    """9 in 10 under 100 ms and none over a second: at once, on two cores that the load shares (and
    other work on this machine may share too). Before, the cheap routes waited 1 to 8 s."""
    ordered = sorted(seen)
    assert ordered, path
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    assert p90 < 0.1 and ordered[-1] < 1.0, (path, f"p90 {p90:.3f} s", ordered[-5:], note)


def refused_honestly(response: httpx.Response) -> bool:
    """A 503 in the API's error shape with a Retry-After of whole seconds."""
    return (response.status_code == 503 and response.headers.get("retry-after", "").isdigit()
            and response.json()["error"]["code"] in ("busy", "analysis-timeout", "report-timeout"))


def lanes(url: str) -> dict:
    return httpx.get(url + "/health", timeout=10).json()["lanes"]


def test_a_flood_of_varied_analyses_never_holds_up_health_or_the_records(serve, clients):
    """64 overlap analyses of every country at once, each with its own min_score (so none is kept):
    two are computed at a time, the others wait at most a second, then get 503 with Retry-After;
    meanwhile /health, a record list and the query list answer at once. Before: the 64 ran on the
    server's threads, /health and /queries waited for them."""
    url = serve(RKG_ANALYSIS_WORKERS=2, RKG_ANALYSIS_QUEUE_TIMEOUT=1)
    flood = clients(url, 64)
    probe = Probe(url)
    time.sleep(0.3)
    started = time.monotonic()
    with ThreadPoolExecutor(64) as threads:
        answers = list(threads.map(lambda n: timed(flood[n], "/coordination/overlaps", min_score=f"0.{n + 1:03d}"),
                                   range(64)))
    seconds = time.monotonic() - started
    time.sleep(0.3)
    latencies = probe.stop()
    for path, seen in latencies.items():
        answered_at_once(path, seen, f"the flood took {seconds:.1f} s")
    assert set(probe.statuses) == {200}
    ok = [r for _, r in answers if r.status_code == 200]
    refused = [r for _, r in answers if r.status_code != 200]
    assert all(refused_honestly(r) for r in refused), [r.text for r in refused if not refused_honestly(r)][:3]
    assert ok and refused, (len(ok), len(refused))
    assert max(s for s, _ in answers) < 10, "a request waited longer than its bounds"
    status = lanes(url)["analyses"]
    assert status["refused"] == len(refused) and status["computed"] == len(ok) and status["busy"] == 0
    with httpx.Client(base_url=url, timeout=30) as client:  # the lane is free again
        assert client.get("/coordination/overlaps", params={"min_score": "0.5"}).status_code == 200


def test_an_analysis_past_its_time_limit_is_a_503_naming_the_setting(serve):
    """The overlaps of every country take about 0.1 s: past a limit of 0.03 s, the request is
    answered 503 naming RKG_ANALYSIS_TIMEOUT, and the computation's process is killed and replaced.
    Before: 200, however long it took; there was no limit."""
    url = serve(RKG_ANALYSIS_TIMEOUT="0.03")
    with httpx.Client(base_url=url, timeout=30) as client:
        seconds, response = timed(client, "/coordination/overlaps", min_score="0")
        assert refused_honestly(response), response.text
        error = response.json()["error"]
        assert error["code"] == "analysis-timeout" and "RKG_ANALYSIS_TIMEOUT" in error["message"]
        assert error["limit_seconds"] == 0.03 and error["setting"] == "RKG_ANALYSIS_TIMEOUT"
        assert seconds < 1.0
        deadline = time.monotonic() + 10
        while (status := lanes(url)["analyses"])["killed"] < 1:
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
        assert status["timeouts"] >= 1 and status["restarts"] >= 1


def test_identical_cold_analyses_are_computed_once(serve, clients):
    """30 identical requests for an analysis not computed yet: one computation, 30 identical answers.
    Before: each request computed it (and the server could not tell)."""
    url = serve()
    herd = clients(url, 30)
    with ThreadPoolExecutor(30) as threads:
        answers = list(threads.map(lambda c: c.get("/coordination/overlaps", params={"min_score": "0.33"}), herd))
    assert {r.status_code for r in answers} == {200}
    assert len({r.content for r in answers}) == 1
    status = lanes(url)["analyses"]
    assert status["computed"] == 1 and status["shared"] + status["kept"] == 29, status


def test_a_herd_of_cold_reports_is_computed_once_while_health_answers(serve, clients):
    """72 concurrent requests for the same cold PDF report: one computation, 72 identical answers,
    and /health and a record list answer at once meanwhile. Before: the 72 requests held the
    server's 40 threads while one computed the report, and /health waited with them."""
    url = serve(RKG_REPORT_TIMEOUT=60)
    herd = clients(url, 72)
    probe = Probe(url, paths=("/health", "/programmes?limit=5"))
    time.sleep(0.3)
    with ThreadPoolExecutor(72) as threads:
        answers = list(threads.map(lambda c: c.get("/reports/NPL", params={"format": "pdf"}), herd))
    latencies = probe.stop()
    for path, seen in latencies.items():
        answered_at_once(path, seen)
    assert {r.status_code for r in answers} == {200}, {r.status_code for r in answers}
    assert len({r.content for r in answers}) == 1 and answers[0].content.startswith(b"%PDF-")
    status = lanes(url)["reports"]
    assert status["computed"] == 1 and status["shared"] + status["kept"] == 71, status


def test_a_report_past_its_time_limit_is_a_503_and_the_next_one_is_served(serve):
    """A PDF report takes about 3 s: past a limit of 1.5 s it is a 503 naming RKG_REPORT_TIMEOUT, its
    process is killed and replaced, and the reports are served again (a Markdown one takes about
    1 s). Before: 200 after 3 s; there was no limit."""
    url = serve(RKG_REPORT_TIMEOUT="1.5", RKG_REPORT_QUEUE_TIMEOUT="0.5")
    with httpx.Client(base_url=url, timeout=30) as client:
        seconds, response = timed(client, "/reports/regional", format="pdf")
        assert refused_honestly(response) and response.json()["error"]["code"] == "report-timeout", response.text
        assert "RKG_REPORT_TIMEOUT" in response.json()["error"]["message"] and seconds < 2.5
        deadline = time.monotonic() + 30
        while (answer := client.get("/reports/NPL", params={"format": "md"})).status_code != 200:
            assert refused_honestly(answer) and time.monotonic() < deadline, answer.text
            time.sleep(0.5)
        assert answer.text.startswith("# ")
        assert lanes(url)["reports"]["killed"] >= 1


def test_two_runaway_sparql_queries_do_not_hold_up_a_small_ask(serve):
    """Both workers run a query that will not end before the time limit (4 s): a small ASK is still
    answered at once, by the worker kept in reserve for short queries. Before: it waited for one of
    the runaways to be stopped (about 4 s)."""
    url = serve(RKG_SPARQL_WORKERS=2, RKG_SPARQL_TIMEOUT=4, RKG_SPARQL_QUEUE_TIMEOUT=6)
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
