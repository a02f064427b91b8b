"""Everything at once against a real server (`rkg serve` on a free 127.0.0.1 port, the whole curated
data): reloads that rebuild the graph, runaway SPARQL queries, cold reports after every reload,
analyses with ever new parameters, and the cheap requests beside them. /health must answer within
100 ms at the 99th percentile, and no request may fail that should succeed: 200 for the cheap
requests, the small SPARQL queries and the reloads; for analyses and reports a 503 with Retry-After
is an honest refusal (their lanes are saturated on purpose), and a runaway query ends with 503.

/health is timed from a process of its own, so that the load generator's threads (in this process)
do not weigh on its figures. The figures are printed (`pytest -s`) and given in any failure."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx
import pytest

from support import ROOT
from support.live import free_port

pytestmark = [pytest.mark.slow, pytest.mark.server]

TOKEN = "stress-token"
SECONDS = 30.0  # of load
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SMALL = ["ASK { ?s ?p ?o }", "SELECT ?m WHERE { ?m a <https://w3id.org/reintegration-kg/ontology#SupportMeasure> } LIMIT 5"]
REPORTS = ["BGD", "IND", "LKA", "NPL", "PAK", "regional"]
ANALYSES = ["/coordination/overlaps", "/gaps/empty-and-thin-cells", "/coordination/who-funds-whom", "/gaps/coverage",
            "/coordination/network", "/gaps/findings"]
CHEAP = ["/programmes?limit=5", "/queries?limit=3", "/actors/iom", "/countries/NPL", "/static/explorer/index.html",
         "/search?q=loan&limit=3", "/programmes/facets"]

PROBE = """
import http.client, json, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
times, statuses = [], []
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
end = time.monotonic() + seconds
while time.monotonic() < end:
    started = time.monotonic()
    try:
        conn.request("GET", "/health")
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
    except Exception as error:
        statuses.append(repr(error))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times.append(time.monotonic() - started)
    time.sleep(0.02)
print(json.dumps({"times": times, "statuses": statuses}))
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@pytest.fixture
def server(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    port = free_port()
    env = dict(os.environ, RKG_ADMIN_TOKEN=TOKEN, RKG_SPARQL_TIMEOUT="3", RKG_SPARQL_WORKERS="2",
               TMPDIR=str(tmp_path))
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "rkg.cli", "serve", "--data", str(tmp_path / "data"),
                                    "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-2000:]
            try:
                health = httpx.get(url + "/health", timeout=2).json()
                if all(lane["ready"] == lane["processes"] for lane in health["lanes"].values()):
                    break  # the lanes' processes are up too
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield url, port, tmp_path / "data"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Outcomes:
    """What each class of request got: (status, error code) -> count, and the unexpected ones."""

    def __init__(self):
        self.seen: dict[str, Counter] = {}
        self.wrong: list[str] = []
        self.lock = threading.Lock()

    def add(self, kind: str, response: httpx.Response | None, expected, error: str = "") -> None:
        if response is None:
            key, ok = ("error", error[:80]), False
        else:
            code = response.json().get("error", {}).get("code", "") if response.status_code >= 400 and \
                response.headers.get("content-type", "").startswith("application/json") else ""
            key, ok = (response.status_code, code), expected(response)
        with self.lock:
            self.seen.setdefault(kind, Counter())[key] += 1
            if not ok:
                self.wrong.append(f"{kind}: {key} {'' if response is None else response.text[:200]}")

    def summary(self) -> dict:
        return {kind: {f"{status} {code}".strip(): n for (status, code), n in sorted(counts.items(), key=str)}
                for kind, counts in sorted(self.seen.items())}


def ok(response: httpx.Response) -> bool:
    return response.status_code == 200


def ok_or_refused(response: httpx.Response) -> bool:
    """200, or the honest refusal of a saturated lane: 503 with Retry-After."""
    if response.status_code == 200:
        return True
    return (response.status_code == 503 and response.headers.get("retry-after", "").isdigit()
            and response.json()["error"]["code"] in ("busy", "analysis-timeout", "report-timeout"))


def stopped(response: httpx.Response) -> bool:
    return response.status_code == 503 and response.json()["error"]["code"] in ("query-timeout", "busy")


def test_reloads_runaways_cold_reports_and_varied_analyses_at_once(server):
    url, port, data = server
    outcomes, stop = Outcomes(), threading.Event()
    reloads: list[float] = []

    def loop(kind: str, request, expected, pause: float = 0.0):
        def run():
            with httpx.Client(base_url=url, timeout=60) as client:
                n = 0
                while not stop.is_set():
                    try:
                        response = request(client, n)
                    except httpx.HTTPError as error:
                        outcomes.add(kind, None, expected, repr(error))
                    else:
                        outcomes.add(kind, response, expected)
                    n += 1
                    stop.wait(pause)
        return threading.Thread(target=run, name=kind, daemon=True)

    def reload(client, n):
        time.sleep(4.0)  # then rebuild: a comment changes the data's version, so it is a real rebuild
        with open(data / "regional.yaml", "a") as out:
            out.write(f"# stress reload {n}\n")
        started = time.monotonic()
        response = client.post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        reloads.append(time.monotonic() - started)
        return response

    def analysis(client, n):
        path = random.choice(ANALYSES)
        params = {"min_score": f"0.{random.randrange(1, 10**6):06d}"} if path == "/coordination/overlaps" else \
            {"country": random.choice(REPORTS[:5])} if path != "/gaps/findings" else {"limit": str(random.randrange(1, 50))}
        return client.get(path, params=params)

    threads = [
        loop("reload", reload, ok),
        *(loop("sparql-runaway", lambda c, n: c.post("/sparql", data={"query": RUNAWAY}), stopped) for _ in range(2)),
        *(loop("sparql-small", lambda c, n: c.get("/sparql", params={"query": SMALL[n % 2]}), ok, 0.1) for _ in range(2)),
        *(loop("reports", lambda c, n: c.get(f"/reports/{random.choice(REPORTS)}",
                                             params={"format": random.choice(["html", "md", "pdf"])}), ok_or_refused)
          for _ in range(6)),
        *(loop("analyses", analysis, ok_or_refused) for _ in range(12)),
        *(loop("cheap", lambda c, n: c.get(CHEAP[n % len(CHEAP)]), ok, 0.05) for _ in range(3)),
    ]
    probe = subprocess.Popen([sys.executable, "-c", PROBE, str(port), str(SECONDS)], stdout=subprocess.PIPE, text=True)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    health = json.loads(probe.communicate(timeout=SECONDS + 30)[0])
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - started
    assert not [t.name for t in threads if t.is_alive()], "a client never got its answer"
    final = httpx.get(url + "/health", timeout=10).json()
    times = health["times"]
    figures = {"seconds": round(elapsed, 1), "health": {
        "requests": len(times), "p50_ms": round(1000 * percentile(times, 50), 1),
        "p99_ms": round(1000 * percentile(times, 99), 1), "max_ms": round(1000 * max(times), 1),
        "statuses": dict(Counter(map(str, health["statuses"])))},
        "reload_seconds": [round(s, 1) for s in reloads], "outcomes": outcomes.summary(),
        "lanes": final["lanes"], "sparql": {k: final["sparql"][k] for k in ("queries", "timeouts", "restarts",
                                                                          "reserve_queries", "reserve_stops")}}
    print("\nstress figures:", json.dumps(figures, indent=1))
    assert set(health["statuses"]) == {200}, figures
    assert percentile(times, 99) < 0.100, figures
    assert not outcomes.wrong, (outcomes.wrong[:10], figures)
    for kind in ("reload", "sparql-small", "reports", "analyses", "cheap"):  # every class made progress
        assert outcomes.seen[kind][(200, "")] > 0, (kind, figures)
    assert final["last_reload"]["ok"] is True
