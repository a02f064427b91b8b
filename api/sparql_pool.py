"""The worker processes behind /sparql: each holds its own copy of the graph and runs one query
at a time; a query that passes the time limit has its worker killed and replaced.

Waiting for a worker happens on this pool's own threads, never on the event loop or on the
threads FastAPI runs the other endpoints on, so a slow query delays only the SPARQL requests
queued behind it (and only up to the queue time limit).

Short queries are never queued behind long ones. Besides its `sparql_workers` workers, on which a
query may run for the whole time limit, the pool keeps `sparql_reserve_workers` (1) in reserve: a
query that arrives while every worker is busy runs there at once, with a short time limit
(`sparql_reserve_timeout`, 1 s). A small query is answered at once however many runaways hold the
workers; a long query that lands in reserve is stopped at the short limit and answered 503 `busy`
with Retry-After, as it would have been had it waited for a worker, and the reserve is free again
for the next short query. A query's full time limit is thus what it gets while a worker is free,
and the workers it may hold never include the last one. (Other ways were weighed: a share per
client cannot tell clients apart behind one address or proxy, and stopping the longest query when
others wait would stop long queries early whenever anyone waits, and make the waiting query wait
for a new worker to load the graph.)
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from .children import STARTUP_SECONDS, Child, GraphFiles

log = logging.getLogger("rkg.api.sparql")


@dataclass
class Outcome:
    """What the endpoint answers: a body with its media type, or an error."""

    status: int
    media_type: str = ""
    body: bytes = b""
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200


def _error(status: int, code: str, message: str) -> Outcome:
    return Outcome(status, code=code, message=message)


class Worker(Child):
    """One /sparql worker: `python -m rkg.api.sparql_worker`."""

    what = "the query worker"

    def __init__(self, data_path: Path, settings: Settings, generation: int, on_ready=None, reserve: bool = False):
        self.generation = generation  # which graph it holds
        self.epoch = 0                # which start of the pool it belongs to
        self.reserve = reserve        # kept for short queries (its queries have the short time limit)
        self.isolating = settings.sparql_isolate_network
        self.isolated = False
        self._on_ready = on_ready
        super().__init__("rkg.api.sparql_worker",
                         [str(data_path), str(settings.sparql_max_result_bytes), str(settings.sparql_memory_mb),
                          "isolate" if settings.sparql_isolate_network else "no-isolate", str(os.getpid())],
                         "rkg-sparql-start")

    def started(self, message: tuple) -> None:
        super().started(message)
        if not self.ready:
            return
        self.isolated = bool(message[2])
        log.info("SPARQL worker %d started with %d triples; network isolation: %s", self.process.pid,
                 message[1], "on (a network namespace of its own)" if self.isolated else
                 "OFF (" + ("no network namespace could be made: it needs Linux with unprivileged "
                            "user namespaces, or root" if self.isolating else "not asked for") + ")")
        if self._on_ready:
            self._on_ready(self)


class WorkerPool:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)  # a worker is back
        self._idle: list[Worker] = []     # free workers
        self._spare: list[Worker] = []    # free reserve workers
        self._generation = 0
        self._data: bytes | None = None
        self._started = False
        self._epoch = 0  # counts starts: workers of an earlier start are not taken back
        self._all: weakref.WeakSet[Worker] = weakref.WeakSet()
        self._files = GraphFiles(self, "rkg-sparql-", self._all)
        self._executor: ThreadPoolExecutor | None = None
        self.stats = {"queries": 0, "timeouts": 0, "restarts": 0, "reserve_queries": 0, "reserve_stops": 0}
        self.network_isolated: bool | None = None  # as the last worker to start reported it

    # ------------------------------------------------------------------ data and workers
    def load(self, ntriples: bytes) -> None:
        """Serve this graph from now on: idle workers are replaced at once, busy ones after their query."""
        with self._lock:
            self._generation += 1
            self._data = ntriples
            if not self._started:
                return
            self._write()
            for free in (self._idle, self._spare):
                stale, free[:] = list(free), []
                for worker in stale:
                    worker.stop()
                    free.append(self._spawn(worker.reserve))

    def _write(self) -> None:
        """The current graph as an N-Triples file for workers to load (kept while the pool runs)."""
        if self._data is None:
            raise RuntimeError("load a graph into the SPARQL worker pool before starting it")
        self._files.write(self._generation, self._data)

    def start(self) -> None:
        """Start the workers (again, after `close`); queries also start them when needed."""
        with self._lock:
            if self._started:
                return
            if self._data is None:
                raise RuntimeError("load a graph into the SPARQL worker pool before starting it")
            self._write()
            self._epoch += 1
            self._idle[:] = [self._spawn() for _ in range(self.settings.sparql_workers)]
            self._spare[:] = [self._spawn(reserve=True) for _ in range(self.settings.sparql_reserve_workers)]
            workers = self.settings.sparql_workers + self.settings.sparql_reserve_workers
            self._executor = ThreadPoolExecutor(max_workers=2 * workers + 2, thread_name_prefix="rkg-sparql")
            self._started = True

    def _spawn(self, reserve: bool = False) -> Worker:
        worker = Worker(self._files.latest, self.settings, self._generation, on_ready=self._started_one, reserve=reserve)
        worker.epoch = self._epoch
        self._all.add(worker)
        return worker

    def _started_one(self, worker: Worker) -> None:
        self.network_isolated = worker.isolated

    def _release(self, worker: Worker, broken: bool = False) -> None:
        with self._lock:
            if not self._started or worker.epoch != self._epoch:
                worker.stop()  # the pool was closed (and maybe started again) meanwhile
                return
            if broken or not worker.alive() or worker.generation != self._generation:
                worker.stop()
                if broken:
                    self.stats["restarts"] += 1
                worker = self._spawn(worker.reserve)
            (self._spare if worker.reserve else self._idle).append(worker)
            self._freed.notify()

    def _take(self, deadline: float) -> Worker | None:
        """A free worker, else a free reserve worker, else the first to come back before `deadline`
        (monotonic); None past it, or when the pool is closed meanwhile."""
        with self._freed:
            while self._started:
                if self._idle or self._spare:
                    return self._idle.pop(0) if self._idle else self._spare.pop(0)  # in turn: every worker gets used
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._freed.wait(remaining)
            return None

    def status(self) -> dict:
        """Workers, how many are free now, and counts since the start (read without the lock: /health
        must not wait for a worker being replaced)."""
        started = self._started
        return {"workers": self.settings.sparql_workers, "idle": len(self._idle) if started else None,
                "reserve": self.settings.sparql_reserve_workers, "reserve_idle": len(self._spare) if started else None,
                "timeout_seconds": self.settings.sparql_timeout,
                "reserve_timeout_seconds": self.reserve_limit,
                "network_isolated": self.network_isolated} | self.stats

    @property
    def reserve_limit(self) -> float:
        return min(self.settings.sparql_reserve_timeout, self.settings.sparql_timeout)

    def close(self) -> None:
        """Stop the workers (a running query's worker stops when it ends). `start` may follow."""
        with self._lock:
            if not self._started:
                return
            self._started = False
            for worker in self._idle + self._spare:
                worker.stop()
            self._idle.clear()
            self._spare.clear()
            self._freed.notify_all()
            executor, self._executor = self._executor, None
            self._files.clear()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ queries
    async def query(self, request: dict) -> Outcome:
        queued_at = time.monotonic()
        self.start()
        executor = self._executor
        try:
            if executor is None:
                raise RuntimeError("closed")
            pending = asyncio.get_running_loop().run_in_executor(executor, self.run, request, queued_at)
        except RuntimeError:  # the pool was closed between start() and here
            return _error(503, "unavailable", "the SPARQL endpoint is shutting down")
        return await pending

    def run(self, request: dict, queued_at: float | None = None) -> Outcome:
        """Run one query on a free worker (blocking)."""
        queued_at = queued_at if queued_at is not None else time.monotonic()
        self.start()
        worker = self._take(queued_at + self.settings.sparql_queue_timeout)
        if worker is None:
            if not self._started:
                return _error(503, "unavailable", "the SPARQL endpoint is shutting down")
            return _error(503, "busy", f"every SPARQL worker has been busy for {self.settings.sparql_queue_timeout:g} s; "
                                       "try again shortly")
        problem = worker.wait_ready(STARTUP_SECONDS)
        if problem:
            log.error("SPARQL worker: %s", problem)
            self._release(worker, broken=True)
            return _error(503, "unavailable", problem)
        self.stats["queries"] += 1
        limit = self.reserve_limit if worker.reserve else self.settings.sparql_timeout
        if worker.reserve:
            self.stats["reserve_queries"] += 1
        started = time.monotonic()
        try:
            worker.conn.send(request)
            if not worker.conn.poll(limit):
                self._release(worker, broken=True)
                if worker.reserve:  # a long query in the place kept for short ones: as if it had found no worker
                    self.stats["reserve_stops"] += 1
                    log.info("SPARQL query stopped after %.1f s on the reserve worker: %.200r",
                             time.monotonic() - started, request["query"])
                    return _error(503, "busy", f"every SPARQL worker is busy with other queries, and this one ran "
                                               f"more than {limit:g} s on the worker kept for short queries "
                                               "(RKG_SPARQL_RESERVE_TIMEOUT), so it was stopped; try again shortly")
                self.stats["timeouts"] += 1
                log.warning("SPARQL query stopped after %.1f s: %.200r", time.monotonic() - started, request["query"])
                return _error(503, "query-timeout",
                              f"the query ran for more than {limit:g} s and was stopped; narrow it (filters, LIMIT) "
                              "or download the whole graph from /graph")
            reply = worker.conn.recv()
        except (EOFError, OSError):
            code = worker.exit_code()
            self._release(worker, broken=True)
            reason = ("it needed more memory than the endpoint allows "
                      f"({self.settings.sparql_memory_mb} MiB)") if code == -signal.SIGABRT else \
                f"its worker stopped (exit code {code})"
            log.warning("SPARQL query aborted, %s: %.200r", reason, request["query"])
            return _error(503, "query-aborted", f"the query was aborted: {reason}")
        self._release(worker)
        if reply[0] == "ok":
            return Outcome(200, media_type=reply[1], body=reply[2])
        return _error(*reply[1:])
