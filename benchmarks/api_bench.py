"""The API under load: our analyses and /sparql, beside Oxigraph's own server and rdflib-endpoint
serving the same graph the same SPARQL, with the same load generator.

On the curated data (data/), with --clients concurrent keep-alive connections (default 32), for
--seconds each (default 12, in whole seconds per round). The servers, one after the other (each started, measured, stopped):

- `rkg serve`, one process: GET /gaps/coverage?country=NPL (a cached analysis) and POST /sparql
  with the SPARQL text that route runs (the named query coverage-matrix with country=NPL bound as
  `rkg.graph.queries.run` binds it);
- `rkg serve` with the response cache off (RKG_RESPONSE_CACHE_MB=0): the analysis as it was
  served before api/caching.py, every request through routing, parameter checks and encoding
  (the query's rows still come from the graph's cache, as they did);
- `rkg serve --workers N` (default 2): both again;
- `oxigraph serve-read-only` on an on-disk store holding the same graph (`oxigraph load`, then
  `oxigraph optimize`), and `oxigraph serve` holding it in memory: POST /query with that text;
- rdflib-endpoint, the generic way to serve an rdflib Graph (its README): POST / with that text.

The load generator is wrk (`sh tests/setup/install-wrk.sh` installs Debian's), two threads, one
connection per client, a Lua script that sends the request and reports percentiles; without wrk,
the minimal asyncio generator below (`--generator python`), and the figures say which. First,
on each fresh server, every request once, one at a time (the first-request latency, uncached, and
the row counts, which must agree across servers or the run stops); then one second of load per
scenario that is not counted (connections opened, parsed queries and answers cached); then the
measurement, in --rounds rounds (see `run`). Reported: requests answered, errors (non-200
answers, timeouts, socket errors), median, 90th and 99th percentile latency, throughput, and the
CPU used by the server's processes and by the load generator (all on the same machine).

    python benchmarks/api_bench.py [--clients 32] [--seconds 10] [--rounds 3] [--workers 2] [--generator wrk|python]

`run(...)` returns the figures as a dict (benchmarks/bench.py merges them into results.json);
`markdown(figures)` renders them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
COUNTRY = "NPL"
ANALYSIS = f"/gaps/coverage?country={COUNTRY}"
SPARQL_RESULTS = "application/sparql-results+json"
BASELINE = (700, 950)  # issue 19: /gaps/coverage?country=NPL, req/s at 32 connections, one process, before

# rdflib-endpoint's own way of serving a graph (its README), on a plain rdflib Graph, its fastest
# store; the same uvicorn and log level as `rkg serve`
PEER_APP = """
import sys
import uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint

graph = Graph().parse(sys.argv[1], format="nt")
uvicorn.run(SparqlEndpoint(graph=graph), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""

# wrk: the request, and the figures as one line of JSON at the end (latencies in microseconds)
WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Accept"] = "{accept}"
{body}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RKG-BENCH {{"requests": %.0f, "duration_us": %.0f, "connect": %.0f, "read": %.0f, ' ..
    '"write": %.0f, "status": %.0f, "timeout": %.0f, "p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, ' ..
    '"max_us": %.0f}}\\n', summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
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
                 env: dict | None = None, ready_timeout: float = 180.0, after_start: Callable | None = None):
        self.name, self.command, self.ready_path = name, command, ready_path
        self.log_path = log_dir / f"{name.replace(' ', '-')}.log"
        self.env, self.ready_timeout, self.after_start = env, ready_timeout, after_start
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.launched = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start it and wait until `ready_path` answers 200; the seconds that took."""
        self.port = free_port()
        self.launched = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(self.port), cwd=ROOT, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                            env={**os.environ, **(self.env or {})})
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} stopped (exit code {self.process.returncode}) before answering:\n"
                                 + self.log_tail())
            try:
                if httpx.get(self.url + self.ready_path, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - self.launched > self.ready_timeout:
                raise BenchError(f"{self.name} did not answer {self.ready_path} within {self.ready_timeout:.0f} s:\n"
                                 + self.log_tail())
            time.sleep(0.1)
        seconds = time.monotonic() - self.launched
        if self.after_start:
            self.after_start(self)
        return seconds

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None:
            return
        group, process, self.process = self.process.pid, self.process, None
        try:
            os.killpg(group, signal.SIGTERM)
            process.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
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


def settle(servers: list[Server], limit: float = 30.0, window: float = 0.5) -> bool:
    """Wait until the servers together use under 5% of a core (workers starting, a query still
    running); False if they were still busy after `limit` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = [s.cpu_seconds() for s in servers]
        if None in before:
            time.sleep(2)
            return True
        time.sleep(window)
        if sum((s.cpu_seconds() or 0) - b for s, b in zip(servers, before)) < 0.05 * window:
            return True
    return False


# ---------------------------------------------------------------------------- requests

@dataclass
class Target:
    """One row of the comparison: one request asked of one server."""

    query: str                       # what is asked: "coverage-matrix (NPL)"
    endpoint: str                    # as shown: "GET /gaps/coverage?country=NPL", "POST /sparql"
    method: str
    path: str
    rows: Callable[[dict], int]      # the rows of an answer
    body: bytes = b""
    headers: dict = field(default_factory=dict)

    def raw(self, port: int) -> bytes:
        """The request as the bytes the Python load generator sends."""
        head = f"{self.method} {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
        if self.body:
            head += f"Content-Length: {len(self.body)}\r\n"
        return (head + "\r\n").encode() + self.body


def analysis_target() -> Target:
    return Target(f"coverage-matrix ({COUNTRY})", f"GET {ANALYSIS}", "GET", ANALYSIS, lambda b: len(b["cells"]),
                  headers={"Accept": "application/json"})


def sparql_target(path: str, text: str) -> Target:
    return Target(f"coverage-matrix ({COUNTRY})", f"POST {path}", "POST", path,
                  lambda b: len(b["results"]["bindings"]), text.encode(),
                  {"Content-Type": "application/sparql-query", "Accept": SPARQL_RESULTS})


def once(server: Server, target: Target, timeout: float) -> tuple[float, int]:
    """(seconds, rows) of one request on its own."""
    started = time.perf_counter()
    response = httpx.request(target.method, server.url + target.path, content=target.body or None,
                             headers=target.headers, timeout=timeout)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchError(f"{server.name} {target.endpoint}: HTTP {response.status_code} {response.text[:500]}")
    return seconds, target.rows(response.json())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


# ---------------------------------------------------------------------------- wrk

def wrk_load(server: Server, target: Target, clients: int, seconds: float, timeout: float, scratch: Path) -> dict:
    """The target under `clients` connections for `seconds`, driven by wrk."""
    body_file = scratch / "body.txt"
    body_file.write_bytes(target.body)
    headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in target.headers.items() if k != "Accept")
    script = scratch / "bench.lua"
    script.write_text(WRK_SCRIPT.format(
        method=target.method, accept=target.headers.get("Accept", "*/*"),
        body=headers + (f'\nlocal f = io.open("{body_file}", "rb")\nwrk.body = f:read("*a")\nf:close()'
                        if target.body else "")))
    command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds:g}s", f"--timeout={timeout:g}s",
               "--latency", "-s", str(script), server.url + target.path]
    server_cpu, started = server.cpu_seconds(), time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    server_cpu = None if server_cpu is None else ((server.cpu_seconds() or 0) - server_cpu) / wall
    line = next((x for x in output.splitlines() if x.startswith("RKG-BENCH ")), None)
    if process.returncode != 0 or line is None:
        errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise BenchError(f"wrk failed (exit {process.returncode}): {errors[-500:]} {output[-500:]}")
    w = json.loads(line[len("RKG-BENCH "):])
    duration = w["duration_us"] / 1e6
    kinds = {k: int(w[k]) for k in ("status", "timeout", "connect", "read", "write") if w[k]}
    answered = int(w["requests"]) - int(w["status"])
    return {"generator": "wrk", "requests": answered, "errors": sum(kinds.values()), "error_kinds": kinds,
            "p50_ms": w["p50_us"] / 1000, "p90_ms": w["p90_us"] / 1000, "p99_ms": w["p99_us"] / 1000,
            "max_ms": w["max_us"] / 1000, "req_per_s": answered / duration, "wall_s": duration,
            "server_cpu": server_cpu, "load_generator_cpu": (usage.ru_utime + usage.ru_stime) / wall}


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


# ---------------------------------------------------------------------------- the Python generator

class Connection:
    """One keep-alive HTTP/1.1 connection of the fallback load generator. Deliberately minimal: at
    32 clients a general-purpose client (httpx) needed more CPU than the API it was measuring.
    Reads Content-Length and chunked bodies; reconnects when needed."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> int:
        """The status of the answer to `request` (its body is read in full)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
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


async def _python_load(server: Server, target: Target, clients: int, seconds: float, timeout: float) -> dict:
    request = target.raw(server.port)
    connections = [Connection(server.port) for _ in range(clients)]
    latencies: list[float] = []
    outcomes: Counter = Counter()
    server_cpu, cpu, started = server.cpu_seconds(), time.process_time(), time.perf_counter()
    stop_at = started + seconds

    async def one_client(connection: Connection) -> None:
        while time.perf_counter() < stop_at:
            begun = time.perf_counter()
            try:
                async with asyncio.timeout(timeout):
                    status = await connection.send(request)
                outcome = "ok" if status == 200 else "status"
            except TimeoutError:
                connection.close()
                outcome = "timeout"
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                connection.close()
                outcome = "read"
            outcomes[outcome] += 1
            if outcome == "ok":
                latencies.append(time.perf_counter() - begun)

    try:
        await asyncio.gather(*(one_client(c) for c in connections))
    finally:
        for connection in connections:
            connection.close()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    kinds = {k: n for k, n in outcomes.items() if k != "ok"}
    return {"generator": "python", "requests": len(latencies), "errors": sum(kinds.values()), "error_kinds": kinds,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
            "p90_ms": percentile(latencies, 0.90) * 1000 if latencies else None,
            "p99_ms": percentile(latencies, 0.99) * 1000 if latencies else None,
            "max_ms": max(latencies) * 1000 if latencies else None,
            "req_per_s": len(latencies) / wall, "wall_s": wall,
            "server_cpu": None if server_cpu is None else ((server.cpu_seconds() or 0) - server_cpu) / wall,
            "load_generator_cpu": cpu / wall}


def measure(server: Server, target: Target, clients: int, seconds: float, timeout: float, generator: str,
            scratch: Path) -> dict:
    if generator == "wrk":
        return wrk_load(server, target, clients, seconds, timeout, scratch)
    return asyncio.run(_python_load(server, target, clients, seconds, timeout))


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


def beside_python(name: str) -> Path:
    found = Path(sys.executable).parent / name
    if not found.exists():
        raise BenchError(f"no `{name}` beside {sys.executable}: install the project with its test extra first")
    return found


def graph_and_text(data_dir: Path) -> tuple:
    """The curated graph, and the SPARQL text GET /gaps/coverage?country=NPL runs (bound as
    `rkg.graph.queries.run` binds it: the query's defaults included)."""
    from rkg.graph.build import build
    from rkg.graph.parameters import Vocabulary
    from rkg.graph.queries import bindings, check_values, library
    from rkg.graph.store import EmbeddedStore, with_values

    result = build(data_dir)
    vocabulary = Vocabulary.from_store(EmbeddedStore.from_graph(result.graph))
    query = library()["coverage-matrix"]
    return result, with_values(query.text, bindings(query, check_values(query, {"country": COUNTRY}, vocabulary)))


def count_triples(server: Server, path: str) -> int:
    answer = httpx.post(server.url + path, content=b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=60,
                        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_RESULTS})
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def run(clients: int = 32, seconds: float = 12.0, workers: int = 2, request_timeout: float = 30.0,
        generator: str | None = None, rounds: int = 3) -> dict:
    """Start the servers, measure them, stop them; the figures as a dict (see `markdown`).

    The servers compared are up together and measured in turn, `rounds` times over (each time for
    seconds / rounds), after waiting each time until all of them are idle: a burst of other work on
    the machine then falls on one round of each, not on one server's whole measurement. Each
    scenario is reported by its median round (by throughput), with the range of the rounds.
    rdflib-endpoint, forty times slower, is measured once, alone, at the end."""
    begun = time.perf_counter()
    generator = generator or ("wrk" if have_wrk() else "python")
    if generator == "wrk" and not have_wrk():
        raise BenchError("wrk is not installed (sh tests/setup/install-wrk.sh); use --generator python")
    data_dir = Path(os.environ.get("RKG_DATA") or ROOT / "data")
    figures: dict = {
        "settings": {"clients": clients, "seconds": seconds, "rounds": rounds, "workers": workers,
                     "request_timeout_s": request_timeout, "generator": generator, "country": COUNTRY,
                     "baseline_req_per_s": BASELINE},
        "machine": machine(),
        "versions": {p: _version(p) for p in ("reintegration-kg", "pyoxigraph", "oxigraph", "rdflib-endpoint", "rdflib",
                                              "fastapi", "uvicorn")},
        "servers": [], "first_requests": [], "load": []}
    if generator == "wrk":
        said = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        figures["versions"]["wrk"] = ((said.stdout or said.stderr).split(" [")[0].strip() or "?").removeprefix("wrk ")
    rkg, oxigraph = beside_python("rkg"), beside_python("oxigraph")
    with tempfile.TemporaryDirectory(prefix="api-bench-") as scratch_name:
        scratch = Path(scratch_name)
        say(f"building the graph from {data_dir.name}/ for the peers")
        result, text = graph_and_text(data_dir)
        nt = scratch / "graph.nt"
        result.graph.serialize(nt, format="nt", encoding="utf-8")
        triples, version_built = len(result.graph), result.version
        del result
        on_disk = scratch / "oxigraph-store"
        subprocess.run([str(oxigraph), "load", "--location", str(on_disk), "--file", str(nt)], check=True,
                       capture_output=True)
        subprocess.run([str(oxigraph), "optimize", "--location", str(on_disk)], check=True, capture_output=True)
        figures["graph"] = {"triples": triples, "data_version": version_built}

        def fill(server: Server) -> None:  # the in-memory Oxigraph server starts empty
            httpx.post(server.url + "/store?default", content=nt.read_bytes(), timeout=120,
                       headers={"Content-Type": "application/n-triples"}).raise_for_status()

        serve = [str(rkg), "serve", "--data", str(data_dir), "--host", "127.0.0.1"]
        analysis, ours = analysis_target(), sparql_target("/sparql", text)
        together = [
            (Server("rkg", lambda p: [*serve, "--port", str(p)], "/health", scratch), [analysis, ours]),
            (Server("rkg, response cache off", lambda p: [*serve, "--port", str(p)], "/health", scratch,
                    env={"RKG_RESPONSE_CACHE_MB": "0"}), [analysis]),
            (Server(f"rkg --workers {workers}", lambda p: [*serve, "--port", str(p), "--workers", str(workers)],
                    "/health", scratch), [analysis, ours]),
            (Server("oxigraph serve-read-only", lambda p: [str(oxigraph), "serve-read-only", "--location",
                                                           str(on_disk), "--bind", f"127.0.0.1:{p}"],
                    "/query?query=ASK%7B%7D", scratch), [sparql_target("/query", text)]),
            (Server("oxigraph serve (in memory)", lambda p: [str(oxigraph), "serve", "--bind", f"127.0.0.1:{p}"],
                    "/query?query=ASK%7B%7D", scratch, after_start=fill), [sparql_target("/query", text)]),
        ]
        alone = (Server("rdflib-endpoint", lambda p: [sys.executable, "-c", PEER_APP, str(nt), str(p)], "/", scratch),
                 [sparql_target("/", text)])
        rows_seen: dict[str, int] = {}

        def start(server: Server, targets: list[Target]) -> None:
            say(f"starting {server.name}")
            entry = {"server": server.name, "startup_s": server.start()}
            if server.name.startswith("rkg"):
                health = httpx.get(server.url + "/health", timeout=30).json()
                entry |= {"triples": health["triples"], "data_version": health["data_version"],
                          "sparql_workers": health["sparql"]["workers"],
                          "processes": health.get("worker", {}).get("workers", 1)}
                if health["data_version"] != version_built:
                    raise BenchError(f"{server.name} serves data version {health['data_version']}, the "
                                     f"benchmark built {version_built}: did data/ change?")
            else:
                entry["triples"] = count_triples(server, targets[0].path)
            if entry["triples"] != triples:
                raise BenchError(f"{server.name} serves {entry['triples']} triples, not {triples}")
            figures["servers"].append(entry)
            for target in targets:  # on a fresh server, one at a time: uncached
                first, rows = once(server, target, request_timeout)
                second, _ = once(server, target, request_timeout)
                figures["first_requests"].append({"server": server.name, "endpoint": target.endpoint,
                                                  "first_ms": first * 1000, "second_ms": second * 1000, "rows": rows})
                say(f"  {target.endpoint}: first request {first * 1000:.1f} ms, {rows} rows")
                rows_seen[f"{server.name} {target.endpoint}"] = rows
                if len(set(rows_seen.values())) > 1:
                    raise BenchError(f"the servers disagree on the rows of {target.query}: {rows_seen}")

        def measured(server: Server, target: Target, runs: list[dict]) -> dict:
            ranked = sorted(runs, key=lambda r: r["req_per_s"])
            median = ranked[len(ranked) // 2]
            rates = [r["req_per_s"] for r in runs]
            entry = median | {"server": server.name, "query": target.query, "endpoint": target.endpoint,
                              "processes": next((s.get("processes", 1) for s in figures["servers"]
                                                 if s["server"] == server.name), 1),
                              "rounds": len(runs), "req_per_s_range": [min(rates), max(rates)],
                              "load_averages": [r["load_average"] for r in runs]}
            say(f"  {server.name}, {target.endpoint}: " + json.dumps(
                {k: (round(v, 2) if isinstance(v, float) else v) for k, v in entry.items()
                 if k in ("requests", "errors", "p50_ms", "p99_ms", "req_per_s", "req_per_s_range")}))
            return entry

        def one_round(servers: list[Server], scenarios: list[tuple[Server, Target]], length: float) -> list[dict]:
            runs = []
            for server, target in scenarios:
                settle(servers)
                runs.append(measure(server, target, clients, length, request_timeout, generator, scratch)
                            | {"load_average": load_average()})
            return runs

        servers = [server for server, _ in together]
        try:
            for server, targets in together:
                start(server, targets)
            scenarios = [(server, target) for server, targets in together for target in targets]
            say(f"warming up: 1 s of load on each of {len(scenarios)} scenarios")
            one_round(servers, scenarios, 1)  # connections opened, parsed queries and answers cached
            results: list[list[dict]] = [[] for _ in scenarios]
            length = max(1, round(seconds / rounds))  # whole seconds: wrk takes no fractions
            for number in range(rounds):
                say(f"round {number + 1} of {rounds}: {length} s each, {clients} connections ({generator})")
                for index, run_ in enumerate(one_round(servers, scenarios, length)):
                    results[index].append(run_)
            figures["load"] += [measured(s, t, r) for (s, t), r in zip(scenarios, results)]
        finally:
            for server in servers:
                server.stop()
        server, targets = alone
        try:
            start(server, targets)
            say(f"load: {server.name} alone, {seconds:g} s")
            one_round([server], [(server, targets[0])], 1)
            figures["load"].append(measured(server, targets[0], one_round([server], [(server, targets[0])],
                                                                          max(1, round(seconds)))))
        finally:
            server.stop()
    figures["run_s"] = time.perf_counter() - begun
    figures["machine"]["load_average_after"] = load_average()
    return figures


# ---------------------------------------------------------------------------- output

def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _load(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def find(figures: dict, server: str, endpoint_start: str) -> dict | None:
    return next((e for e in figures.get("load", []) if e["server"] == server
                 and e["endpoint"].startswith(endpoint_start)), None)


def markdown(figures: dict) -> str:
    s, m, v, g = figures["settings"], figures["machine"], figures["versions"], figures["graph"]
    generator = ("wrk " + v.get("wrk", "")).strip() if s["generator"] == "wrk" else \
        "the Python load generator of benchmarks/api_bench.py (wrk was not installed)"
    rounds = s.get("rounds", 1)
    lines = [f"### The API under load: {s['clients']} connections, {s['seconds']:g} s per scenario"
             + (f" in {rounds} rounds" if rounds > 1 else "") + f", {generator}",
             "",
             f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), Python {m['python']}, {m['platform']}; "
             f"load average {_load(m.get('load_average_before'))} before the run, "
             f"{_load(m.get('load_average_after'))} after (other work on the machine shows here).",
             f"Graph: the curated data, {g['triples']:,} triples (data version {g['data_version']}), served by "
             f"rkg {v['reintegration-kg']} (pyoxigraph {v['pyoxigraph']}, uvicorn {v['uvicorn']}), Oxigraph's server "
             f"{v['oxigraph']} and rdflib-endpoint {v['rdflib-endpoint']} (rdflib {v['rdflib']}). The query: the named "
             f"query coverage-matrix for {s['country']}, the very text GET /gaps/coverage?country={s['country']} runs.",
             "",
             "| request | server | processes | requests | errors | p50 ms | p90 ms | p99 ms | p99 / p50 | req/s "
             "| req/s, rounds | CPU: server + load generator |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for e in figures["load"]:
        errors = str(e["errors"]) + (" (" + ", ".join(f"{n} {k}" for k, n in e["error_kinds"].items()) + ")"
                                     if e["errors"] else "")
        ratio = f"{e['p99_ms'] / e['p50_ms']:.1f}" if e.get("p50_ms") and e.get("p99_ms") else "—"
        server_cpu = "?" if e.get("server_cpu") is None else f"{e['server_cpu']:.2f}"
        low, high = e.get("req_per_s_range") or (e["req_per_s"], e["req_per_s"])
        spread = f"{low:,.0f}-{high:,.0f} ({e.get('rounds', 1)})" if e.get("rounds", 1) > 1 else "—"
        lines.append(f"| {e['endpoint']} | {e['server']} | {e.get('processes', 1)} | {e['requests']:,} | {errors} | "
                     f"{_ms(e['p50_ms'])} | {_ms(e.get('p90_ms'))} | {_ms(e['p99_ms'])} | {ratio} | "
                     f"{e['req_per_s']:,.1f} | {spread} | {server_cpu} + {e['load_generator_cpu']:.2f} |")
    lines += ["", "First and second request on a fresh server, one at a time, before any load (ms; the rows agree):",
              "", "| request | server | first | second | rows |", "|---|---|---:|---:|---:|"]
    for r in figures["first_requests"]:
        lines.append(f"| {r['endpoint']} | {r['server']} | {_ms(r['first_ms'])} | {_ms(r['second_ms'])} | {r['rows']} |")
    starts = ", ".join(f"{e['server']} {e['startup_s']:.1f} s" for e in figures["servers"])
    workers = {e["server"]: e.get("sparql_workers") for e in figures["servers"] if e.get("sparql_workers")}
    lines += ["",
              "- GET /gaps/coverage is answered from the bytes kept per data version (api/caching.py) from its second "
              "request on; \"response cache off\" is the same server with RKG_RESPONSE_CACHE_MB=0, every request "
              "through routing, parameter checks and JSON encoding as before (the query's rows still cached).",
              "- /sparql keeps no answers: every request runs the query, in one of the server's /sparql worker "
              "processes (" + ", ".join(f"{k}: {n} per server process" for k, n in workers.items()) + "), as "
              "Oxigraph's server and rdflib-endpoint run it every time too. `oxigraph serve-read-only` reads an "
              "on-disk (RocksDB) store; `oxigraph serve` without --location holds the graph in memory, as our "
              "/sparql workers do.",
              f"- Each row is the median of {rounds} rounds (by throughput; its latencies are that round's); the "
              "servers compared were up together and measured in turn, round after round, each time once all "
              "were idle; \"req/s, rounds\" is the range of the rounds. rdflib-endpoint was measured alone, once.",
              f"- CPU is in CPUs (of {m['cpus']}) over the round: the server's processes (its /sparql workers "
              "included) + the load generator's, on the same machine; other work on the machine takes the rest.",
              f"- Run time {figures['run_s']:.0f} s; servers answered after {starts}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--seconds", type=float, default=12.0, help="seconds of load per scenario (default 12)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of `rkg serve --workers` (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds the seconds of a scenario are split into (default 3)")
    parser.add_argument("--generator", choices=["wrk", "python"], help="default: wrk if installed")
    parser.add_argument("--request-timeout", type=float, default=30.0,
                        help="seconds after which an unanswered request counts as an error (default 30)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.request_timeout <= 0 or args.workers < 2 or args.rounds < 1:
        parser.error("--clients, --seconds, --rounds and --request-timeout must be positive, --workers at least 2")

    benchmark = os.getpid()

    def interrupted(signum, frame):
        if os.getpid() != benchmark:  # a process forked while building the graph: just stop
            os._exit(128 + signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # stop the servers on `kill` as on Ctrl-C
    try:
        figures = run(args.clients, args.seconds, args.workers, args.request_timeout, args.generator, args.rounds)
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
