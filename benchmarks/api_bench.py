"""The API under load, beside rdflib-endpoint serving the same graph the same SPARQL.

On the curated data (data/), with --clients concurrent clients (default 32), each scenario runs
for --seconds (default 10) or --max-requests, whichever comes first, its requests rotating over
the five countries BGD, IND, NPL, PAK and LKA. The scenarios:

- our API: GET /gaps/coverage?country=... and GET /coordination/overlaps?country=...;
- our /sparql endpoint and rdflib-endpoint (the generic way to serve an rdflib Graph over the
  SPARQL 1.1 Protocol), each sent the very SPARQL text those two routes run: the named queries
  coverage-matrix and overlapping-actors with `country` (and the defaults) bound as
  `rkg.graph.queries.run` binds them.

`rkg serve` and rdflib-endpoint run as subprocesses on free local ports and are measured in the
same run, one after the other. First every distinct request is sent once to every server, one at
a time: that gives the first-request latency (the only uncached one for our API, which keeps
named-query results per data version) and the row counts, which must agree or the run stops.
Then each scenario: one request per client as a warm-up, then the load, from one keep-alive
HTTP/1.1 connection per client driven by asyncio in this process (a minimal client: httpx used
more CPU than the API it measured). Reported: requests answered, errors (non-200 answers, and
requests not answered within --request-timeout), median and 99th-percentile latency, throughput,
and the CPU used by the server and by the load generator. A scenario whose first request went
unanswered is not run (rdflib-endpoint on the overlap query). The servers are stopped at the
end, on failure and on Ctrl-C.

    python benchmarks/api_bench.py [--clients 32] [--seconds 10] [--json out.json]

`run(clients, seconds)` returns the figures as a dict (benchmarks/bench.py merges them into
results.json); `markdown(figures)` renders them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ["BGD", "IND", "NPL", "PAK", "LKA"]
SPARQL_RESULTS = "application/sparql-results+json"
OURS, PEER = "rkg", "rdflib-endpoint"

# API route -> (the named query behind it, the rows of the route's JSON answer); see api/analysis.py
ROUTES: dict[str, tuple[str, Callable[[dict], int]]] = {
    "/gaps/coverage": ("coverage-matrix", lambda body: len(body["cells"])),
    "/coordination/overlaps": ("overlapping-actors", lambda body: body["total"]),
}

# rdflib-endpoint's own way of serving a graph (its README), on a plain rdflib Graph, its fastest
# store; the same uvicorn and log level as `rkg serve`
PEER_APP = """
import sys
import uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint

graph = Graph().parse(sys.argv[1], format="nt")
uvicorn.run(SparqlEndpoint(graph=graph), host="127.0.0.1", port=int(sys.argv[2]), log_level="info")
"""


class BenchError(RuntimeError):
    """The benchmark cannot give meaningful figures; the message says why."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu_seconds(root: int) -> float | None:
    """CPU time used so far by a process and all its descendants (Linux), else None."""
    try:
        names = [n for n in os.listdir("/proc") if n.isdigit()]
    except OSError:
        return None
    stats = {}
    for name in names:
        try:
            text = Path("/proc", name, "stat").read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()  # state, ppid, ..., utime (12th), stime (13th)
        stats[int(name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    ticks, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            ticks += stats[pid][1]
            todo += children.get(pid, [])
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """A server in a process group of its own: stopping it stops whatever it started too."""

    def __init__(self, name: str, command: Callable[[int], list[str]], ready_path: str, log_dir: Path,
                 ready_timeout: float = 180.0):
        self.name, self.command, self.ready_path = name, command, ready_path
        self.log_path = log_dir / f"{name}.log"
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0
        self.launched = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> None:
        self.port = free_port()
        self.launched = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(self.port), cwd=ROOT, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1

    def wait_ready(self) -> float:
        """Seconds from launch until `ready_path` answers 200."""
        started = self.launched
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} stopped (exit code {self.process.returncode}) before answering:\n"
                                 + self.log_tail())
            try:
                if httpx.get(self.url + self.ready_path, timeout=5).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > self.ready_timeout:
                raise BenchError(f"{self.name} did not answer {self.ready_path} within {self.ready_timeout:.0f} s:\n"
                                 + self.log_tail())
            time.sleep(0.2)

    def restart(self) -> None:
        self.stop(grace=1)  # restarted because it is busy with abandoned requests
        self.launch()
        self.wait_ready()

    def stop(self, grace: float = 5.0) -> None:
        if self.process is None:
            return
        group, process, self.process = self.process.pid, self.process, None
        try:
            os.killpg(group, signal.SIGTERM)
            process.wait(timeout=grace)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        try:  # whatever of the group is still there (a worker busy with a query)
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def cpu_seconds(self) -> float | None:
        return tree_cpu_seconds(self.process.pid) if self.process else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def settle(servers: list[Server], limit: float = 60.0, window: float = 0.5) -> bool:
    """Wait until the servers together use under 5% of a core (a timed-out query may still be
    running); False if they were still busy after `limit` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = [s.cpu_seconds() for s in servers]
        if None in before:  # no way to tell: give them a moment
            time.sleep(2)
            return True
        time.sleep(window)
        used = sum((s.cpu_seconds() or 0) - b for s, b in zip(servers, before))
        if used < 0.05 * window:
            return True
    return False


# ---------------------------------------------------------------------------- requests

@dataclass
class Target:
    """One column of the comparison: a query asked of one server through one endpoint."""

    query: str
    endpoint: str           # as shown, e.g. "GET /gaps/coverage"
    server: Server
    route: str | None       # an API route (asked with ?country=), or None: a SPARQL endpoint
    texts: dict[str, str]   # country -> SPARQL text (SPARQL endpoints)
    count: Callable[[dict], int]

    @property
    def label(self) -> str:
        return f"{self.query} via {self.endpoint} ({self.server.name})"

    def request(self, client: httpx.AsyncClient, country: str) -> httpx.Request:
        if self.route:
            return client.build_request("GET", self.server.url + self.route, params={"country": country},
                                        headers={"Accept": "application/json"})
        return client.build_request("POST", self.server.url + self.sparql_path, content=self.texts[country].encode(),
                                    headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_RESULTS})

    @property
    def sparql_path(self) -> str:
        return "/sparql" if self.server.name == OURS else "/"

    def raw(self, country: str) -> bytes:
        """The same request as `request`, as the bytes the load generator sends."""
        host = f"Host: 127.0.0.1:{self.server.port}\r\n"
        if self.route:
            return (f"GET {self.route}?country={country} HTTP/1.1\r\n{host}"
                    "Accept: application/json\r\n\r\n").encode()
        body = self.texts[country].encode()
        return (f"POST {self.sparql_path} HTTP/1.1\r\n{host}Content-Type: application/sparql-query\r\n"
                f"Accept: {SPARQL_RESULTS}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def timed(client: httpx.AsyncClient, target: Target, country: str, timeout: float):
    """(outcome, seconds, response): outcome is "ok", "HTTP <status>", "timeout" or the error's name."""
    request = target.request(client, country)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            response = await client.send(request)
    except TimeoutError:
        return "timeout", time.perf_counter() - started, None
    except httpx.HTTPError as error:
        return type(error).__name__, time.perf_counter() - started, None
    seconds = time.perf_counter() - started
    return ("ok" if response.status_code == 200 else f"HTTP {response.status_code}"), seconds, response


async def once(target: Target, country: str, timeout: float):
    async with httpx.AsyncClient(timeout=timeout + 5) as client:
        return await timed(client, target, country, timeout)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


class Connection:
    """One keep-alive HTTP/1.1 connection of the load generator. Deliberately minimal: at 32
    clients a general-purpose client (httpx) needed more CPU than the API it was measuring, and
    became the bottleneck. Reads Content-Length and chunked bodies; reconnects when needed."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.resent = 0

    async def send(self, request: bytes) -> int:
        """The status of the answer to `request` (its body is read in full)."""
        kept_alive = self.writer is not None
        if not kept_alive:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(request)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as error:
            if not kept_alive or getattr(error, "partial", b""):
                raise
            # the server closed the kept-alive connection without answering (uvicorn does when a
            # request waits longer than its keep-alive time): send it again on a new connection,
            # as HTTP clients do; the time lost counts in its latency
            self.close()
            self.resent += 1
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"content-length" in headers:
            await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding") == b"chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        else:
            await self.reader.read()
            self.close()
        if headers.get(b"connection") == b"close":
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def exchange(connection: Connection, request: bytes, timeout: float) -> tuple[str, float]:
    """(outcome, seconds): outcome is "ok", "HTTP <status>", "timeout" or the error's name."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            status = await connection.send(request)
    except TimeoutError:
        connection.close()
        return "timeout", time.perf_counter() - started
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
        connection.close()
        return type(error).__name__, time.perf_counter() - started
    return ("ok" if status == 200 else f"HTTP {status}"), time.perf_counter() - started


async def load(target: Target, clients: int, seconds: float, max_requests: int, timeout: float) -> dict:
    """`clients` connections, each sending its next request as soon as the last one is answered,
    until `seconds` have passed or `max_requests` were sent; then the last ones are awaited."""
    requests = [target.raw(c) for c in COUNTRIES]
    connections = [Connection(target.server.port) for _ in range(clients)]
    try:
        warm = await asyncio.gather(*(exchange(c, requests[i % len(requests)], timeout)
                                      for i, c in enumerate(connections)))  # opens the connections
        failed = Counter(outcome for outcome, _ in warm if outcome != "ok")
        if failed:
            return {"skipped": "the warm-up failed: " + ", ".join(f"{n} {k}" for k, n in failed.items())}
        latencies: list[float] = []
        outcomes: Counter = Counter()
        sent = 0
        server_cpu, cpu, started = target.server.cpu_seconds(), time.process_time(), time.perf_counter()
        stop_at = started + seconds

        async def one_client(first: int, connection: Connection) -> None:
            nonlocal sent
            turn = first
            while time.perf_counter() < stop_at and sent < max_requests:
                sent += 1
                outcome, elapsed = await exchange(connection, requests[turn % len(requests)], timeout)
                turn += 1
                outcomes[outcome] += 1
                if outcome == "ok":
                    latencies.append(elapsed)

        await asyncio.gather(*(one_client(i, c) for i, c in enumerate(connections)))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        server_cpu = None if server_cpu is None else (target.server.cpu_seconds() - server_cpu) / wall
        resent = sum(c.resent for c in connections)
    finally:
        for connection in connections:
            connection.close()
    errors = {k: n for k, n in outcomes.items() if k != "ok"}
    return {"requests": len(latencies), "errors": sum(errors.values()), "error_kinds": errors, "resent": resent,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
            "p99_ms": percentile(latencies, 0.99) * 1000 if latencies else None,
            "req_per_s": len(latencies) / wall, "wall_s": wall,
            "server_cpu": server_cpu, "load_generator_cpu": cpu / wall}


# ---------------------------------------------------------------------------- the run

def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def machine() -> dict:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "?"
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform(), "load_average_before": load_average()}


def load_average() -> float | None:
    """The 1-minute load average: other work on the machine shows here."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def rkg_command(data_dir: Path) -> Callable[[int], list[str]]:
    beside = Path(sys.executable).parent / ("rkg.exe" if os.name == "nt" else "rkg")
    if not beside.exists():
        raise BenchError(f"no `rkg` beside {sys.executable}: install the project first (pip install -e .)")
    return lambda port: [str(beside), "serve", "--data", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]


def sparql_texts(data_dir: Path):
    """The graph, and for each route the SPARQL text our API runs per country (bound as
    `rkg.graph.queries.run` binds it: the query's defaults included)."""
    from rkg.graph.build import build
    from rkg.graph.parameters import Vocabulary
    from rkg.graph.queries import bindings, check_values, library
    from rkg.graph.store import EmbeddedStore, with_values

    result = build(data_dir)
    vocabulary = Vocabulary.from_store(EmbeddedStore.from_graph(result.graph))
    texts = {}
    for route, (name, _) in ROUTES.items():
        query = library()[name]
        texts[route] = {c: with_values(query.text, bindings(query, check_values(query, {"country": c}, vocabulary)))
                        for c in COUNTRIES}
    return result, texts


def check_same_graph(ours: Server, peer: Server, result) -> dict:
    health = httpx.get(ours.url + "/health", timeout=30).json()
    if health["data_version"] != result.version or health["triples"] != len(result.graph):
        raise BenchError(f"rkg serves data version {health['data_version']} ({health['triples']} triples); the "
                         f"benchmark built {result.version} ({len(result.graph)} triples): did data/ change?")
    answer = httpx.post(peer.url + "/", content=b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=60,
                        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_RESULTS})
    answer.raise_for_status()
    served = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    if served != len(result.graph):
        raise BenchError(f"rdflib-endpoint serves {served} triples, not {len(result.graph)}")
    paths = httpx.get(ours.url + "/openapi.json", timeout=30).json()["paths"]
    parameters = {}
    for route in ROUTES:
        if "get" not in paths.get(route, {}):
            raise BenchError(f"rkg serves no GET {route} (its OpenAPI lists {', '.join(sorted(paths))})")
        parameters[route] = [p["name"] for p in paths[route]["get"].get("parameters", [])]
        if "country" not in parameters[route]:
            raise BenchError(f"GET {route} takes no `country` parameter (it takes {parameters[route]})")
    return {"triples": len(result.graph), "data_version": result.version, "sparql": health.get("sparql"),
            "route_parameters": parameters}


def first_requests(targets: list[Target], timeout: float) -> list[dict]:
    """Each distinct request once to each server, one at a time, before any load. Any failure
    but a timeout stops the run; so do row counts that differ between servers."""
    rows = []
    for target in targets:
        rows.append({"query": target.query, "endpoint": target.endpoint, "server": target.server.name,
                     "ms": {}, "rows": {}, "timed_out": False})
    for country in COUNTRIES:
        for target, row in zip(targets, rows):
            if row["timed_out"]:
                continue
            outcome, seconds, response = asyncio.run(once(target, country, timeout))
            if outcome == "timeout":
                say(f"  {target.label} {country}: no answer within {timeout:.0f} s")
                row["timed_out"] = True
                row["ms"][country] = None
                if target.server.name == PEER:  # it is still computing: start afresh
                    target.server.restart()
                continue
            if outcome != "ok":
                body = response.text[:500] if response is not None else ""
                raise BenchError(f"{target.label} country={country}: {outcome} {body}")
            row["ms"][country] = seconds * 1000
            row["rows"][country] = target.count(response.json())
            say(f"  {target.label} {country}: {seconds * 1000:.1f} ms, {row['rows'][country]} rows")
    for query in dict.fromkeys(t.query for t in targets):
        for country in COUNTRIES:
            counts = {f"{r['endpoint']} ({r['server']})": r["rows"][country] for r in rows
                      if r["query"] == query and country in r["rows"]}
            if len(set(counts.values())) > 1:
                raise BenchError(f"the servers disagree on {query} for country={country}: {counts}")
    return rows


def run(clients: int = 32, seconds: float = 10.0, max_requests: int = 5000, request_timeout: float = 60.0) -> dict:
    """Start both servers, measure, stop them; the figures as a dict (see `markdown`)."""
    begun = time.perf_counter()
    data_dir = Path(os.environ.get("RKG_DATA") or ROOT / "data")
    figures = {"settings": {"clients": clients, "seconds": seconds, "max_requests": max_requests,
                            "request_timeout_s": request_timeout, "countries": COUNTRIES},
               "machine": machine(),
               "versions": {p: _version(p) for p in ("reintegration-kg", "pyoxigraph", "rdflib-endpoint", "rdflib",
                                                     "fastapi", "uvicorn", "httpx")}}
    with tempfile.TemporaryDirectory(prefix="api-bench-") as scratch:
        scratch = Path(scratch)
        ours = Server(OURS, rkg_command(data_dir), "/health", scratch)
        peer = Server(PEER, lambda port: [sys.executable, "-c", PEER_APP, str(scratch / "graph.nt"), str(port)],
                      "/", scratch)
        servers = [ours, peer]
        try:
            say(f"starting rkg serve; building the graph from {data_dir.name}/ meanwhile")
            ours.launch()
            result, texts = sparql_texts(data_dir)
            result.graph.serialize(scratch / "graph.nt", format="nt", encoding="utf-8")
            peer.launch()
            figures["startup_s"] = {OURS: ours.wait_ready(), PEER: peer.wait_ready()}
            figures["graph"] = check_same_graph(ours, peer, result)
            del result

            targets = []
            for route, (name, count) in ROUTES.items():
                sparql_count = lambda body: len(body["results"]["bindings"])
                targets += [Target(name, f"GET {route}", ours, route, {}, count),
                            Target(name, "POST /sparql", ours, None, texts[route], sparql_count),
                            Target(name, "POST /", peer, None, texts[route], sparql_count)]

            say("first requests (one at a time; row counts compared)")
            figures["first_requests"] = first_requests(targets, request_timeout)
            timed_out = {(r["query"], r["endpoint"], r["server"]) for r in figures["first_requests"] if r["timed_out"]}

            figures["load"] = []
            for target in targets:
                entry = {"query": target.query, "endpoint": target.endpoint, "server": target.server.name}
                if (target.query, target.endpoint, target.server.name) in timed_out:
                    entry["skipped"] = f"its first request was not answered within {request_timeout:.0f} s"
                else:
                    if not settle(servers):
                        entry["note"] = "the servers were still busy 60 s after the previous scenario"
                    say(f"load: {target.label}")
                    entry |= asyncio.run(load(target, clients, seconds, max_requests, request_timeout))
                    if entry.get("error_kinds", {}).get("timeout") and target.server.name == PEER:
                        peer.restart()  # it would go on computing the abandoned requests
                figures["load"].append(entry)
                say(f"  {json.dumps({k: v for k, v in entry.items() if k not in ('query', 'endpoint', 'server')})}")
            figures["restarts"] = {s.name: s.starts - 1 for s in servers}
        finally:
            for server in servers:
                server.stop()
    figures["run_s"] = time.perf_counter() - begun
    figures["machine"]["load_average_after"] = load_average()
    return figures


# ---------------------------------------------------------------------------- output

def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _load(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def markdown(figures: dict) -> str:
    s, m, v, g = figures["settings"], figures["machine"], figures["versions"], figures["graph"]
    workers = (g.get("sparql") or {}).get("workers", "?")
    lines = [f"## The API under load: {s['clients']} clients, {s['seconds']:g} s per scenario",
             "",
             f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), Python {m['python']}, {m['platform']}; "
             f"load average {_load(m.get('load_average_before'))} before the run, "
             f"{_load(m.get('load_average_after'))} after.",
             f"Graph: the curated data, {g['triples']:,} triples (data version {g['data_version']}). "
             f"rkg {v['reintegration-kg']} (pyoxigraph {v['pyoxigraph']}, {workers} /sparql workers); "
             f"rdflib-endpoint {v['rdflib-endpoint']} (rdflib {v['rdflib']}); both on uvicorn {v['uvicorn']}. "
             "Load: one keep-alive HTTP/1.1 connection per client on asyncio, one process on the same machine.",
             "",
             "| query | endpoint | server | requests | errors | p50 ms | p99 ms | req/s | req/s vs rdflib-endpoint "
             "| CPU: server + load generator |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    peer_rate = {e["query"]: e.get("req_per_s") for e in figures["load"] if e["server"] == PEER}
    for e in figures["load"]:
        head = f"| {e['query']} | {e['endpoint']} | {e['server']} |"
        if "skipped" in e:
            lines.append(f"{head} 0 | skipped: {e['skipped']} | — | — | — | — | — |")
            continue
        base = peer_rate.get(e["query"])
        ratio = f"{e['req_per_s'] / base:,.1f}×" if base else "—"
        errors = str(e["errors"]) + (" (" + ", ".join(f"{n} {k}" for k, n in e["error_kinds"].items()) + ")"
                                     if e["errors"] else "") + (f", {e['resent']} resent" if e["resent"] else "")
        server_cpu = "?" if e.get("server_cpu") is None else f"{e['server_cpu']:.2f}"
        lines.append(f"{head} {e['requests']:,} | {errors} | {_ms(e['p50_ms'])} | {_ms(e['p99_ms'])} | "
                     f"{e['req_per_s']:,.1f} | {ratio} | {server_cpu} + {e['load_generator_cpu']:.2f} |")
    lines += ["",
              "First request per distinct request: one client, one request at a time, before any load "
              "(ms; rows as answered, the same on every server):",
              "",
              "| query | endpoint | server | " + " | ".join(s["countries"]) + " | rows |",
              "|---|---|---|" + "---:|" * len(s["countries"]) + "---|"]
    for r in figures["first_requests"]:
        cells = [_ms(r["ms"][c]) if r["ms"].get(c) is not None
                 else (f"> {s['request_timeout_s']:g} s" if c in r["ms"] else "not sent") for c in s["countries"]]
        counts = " ".join(str(r["rows"].get(c, "—")) for c in s["countries"])
        lines.append(f"| {r['query']} | {r['endpoint']} | {r['server']} | " + " | ".join(cells) + f" | {counts} |")
    lines += ["",
              "- Our GET /gaps/coverage and GET /coordination/overlaps keep each named query's result per data "
              "version (`KG.remembered` in api/state.py): under load, every request after the first one per "
              "country is answered from that cache, so their rows measure the cached path users get; what an "
              "uncached request costs is in the first-request table. /sparql and rdflib-endpoint keep no results: "
              "every request runs the query; both remember the parsed query per text (/sparql in each worker), "
              "which is most of their first-request time for the coverage matrix.",
              f"- /sparql runs each query in one of {workers} worker processes; the others wait for a free one "
              "(503 after its queue time limit).",
              "- rdflib-endpoint evaluates a query inside its async request handler, so it answers one request at "
              "a time; under many clients its latency is mostly waiting in line. \"resent\": requests the server "
              "dropped unanswered with their kept-alive connection (uvicorn's keep-alive time ran out while they "
              "waited) and the load generator sent again on a new connection, as HTTP clients do; they count "
              "once, with the time lost in their latency.",
              f"- CPU is in CPUs (of {m['cpus']}) over the scenario: the server's processes (its /sparql workers "
              "included) + the load generator's. Both share the machine; the ratios compare scenarios run one "
              "after the other in the same run.",
              f"- Run time {figures['run_s']:.0f} s; servers started in "
              + ", ".join(f"{k} {t:.1f} s" for k, t in figures["startup_s"].items())
              + (("; restarted after abandoned requests: "
                  + ", ".join(f"{k} ×{n}" for k, n in figures["restarts"].items() if n))
                 if any(figures["restarts"].values()) else "") + "."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of load per scenario (default 10)")
    parser.add_argument("--max-requests", type=int, default=5000,
                        help="stop a scenario after this many requests if sooner (default 5000)")
    parser.add_argument("--request-timeout", type=float, default=60.0,
                        help="seconds after which an unanswered request counts as an error (default 60)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.max_requests < 1 or args.request_timeout <= 0:
        parser.error("--clients, --seconds, --max-requests and --request-timeout must be positive")

    benchmark = os.getpid()

    def interrupted(signum, frame):
        if os.getpid() != benchmark:  # a process forked while building the graph: just stop
            os._exit(128 + signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # stop the servers on `kill` as on Ctrl-C
    try:
        figures = run(args.clients, args.seconds, args.max_requests, args.request_timeout)
    except BenchError as error:
        say(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        say("interrupted: servers stopped")
        return 130
    print(markdown(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
