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
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ..graph.store import remove_stale
from ..settings import Settings

log = logging.getLogger("rkg.api.sparql")

STARTUP_SECONDS = 60.0


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


class _Spawner:
    """Starts the workers from one thread that lives as long as the server process.

    A worker dies with its parent (PR_SET_PDEATHSIG), and Linux takes the parent to be the
    *thread* that started it: workers started from a reload's thread (anyio retires an idle
    thread after 10 s) or from a query's were killed when that thread ended, and the next query
    of each answered 503 "its worker stopped (exit code -9)"."""

    def __init__(self):
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def run(self, start):
        """`start()` (which starts a process) run on the spawning thread; its result."""
        if threading.current_thread() is self._thread:
            return start()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="rkg-sparql-spawner", daemon=True)
                self._thread.start()
        done: Future = Future()
        self._jobs.put((start, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            start, done = self._jobs.get()
            try:
                done.set_result(start())
            except BaseException as error:  # given to the caller
                done.set_exception(error)


_spawner = _Spawner()


def _cleanup(workers, directory: str) -> None:
    for worker in list(workers):
        worker.stop()
    shutil.rmtree(directory, ignore_errors=True)


class Worker:
    """One worker: a fresh interpreter running `python -m rkg.api.sparql_worker` (no multiprocessing
    start method, so the server's own main module is never imported again), talking over a socket pair."""

    def __init__(self, data_path: Path, settings: Settings, generation: int, on_ready=None, reserve: bool = False):
        self.generation = generation  # which graph it holds
        self.epoch = 0                # which start of the pool it belongs to
        self.reserve = reserve        # kept for short queries (its queries have the short time limit)
        self.isolating = settings.sparql_isolate_network
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "rkg.api.sparql_worker", str(theirs.fileno()), str(data_path),
                   str(settings.sparql_max_result_bytes), str(settings.sparql_memory_mb),
                   "isolate" if settings.sparql_isolate_network else "no-isolate", str(os.getpid())]
        self.process = _spawner.run(lambda: subprocess.Popen(command, pass_fds=(theirs.fileno(),),
                                                             stdin=subprocess.DEVNULL))
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.isolated = False
        self._started, self._on_ready = threading.Event(), on_ready
        self._problem: str | None = None
        # its start is awaited (and logged) at once, not when a query first needs it
        threading.Thread(target=self._await_start, name="rkg-sparql-start", daemon=True).start()

    def _await_start(self) -> None:
        try:
            if not self.conn.poll(STARTUP_SECONDS):
                self._problem = f"the query worker did not start within {STARTUP_SECONDS:g} s"
            else:
                message = self.conn.recv()
                if message[0] != "ready":
                    self._problem = f"the query worker could not load the graph: {message[1]}"
                else:
                    self.ready, self.isolated = True, bool(message[2])
                    log.info("SPARQL worker %d started with %d triples; network isolation: %s", self.process.pid,
                             message[1], "on (a network namespace of its own)" if self.isolated else
                             "OFF (" + ("no network namespace could be made: it needs Linux with unprivileged "
                                        "user namespaces, or root" if self.isolating else "not asked for") + ")")
                    if self._on_ready:
                        self._on_ready(self)
        except (EOFError, OSError):
            self._problem = f"the query worker stopped while starting (exit code {self.process.poll()})"
        finally:
            self._started.set()

    def wait_ready(self, timeout: float) -> str | None:
        """None once the worker has loaded the graph, or what went wrong."""
        if not self._started.wait(timeout):
            return f"the query worker did not start within {timeout:g} s"
        return self._problem

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_code(self, wait: float = 5.0) -> int | None:
        try:
            return self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.exit_code()
        self.conn.close()


class WorkerPool:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)  # a worker is back
        self._idle: list[Worker] = []     # free workers
        self._spare: list[Worker] = []    # free reserve workers
        self._generation = 0
        self._paths: list[Path] = []
        self._data: bytes | None = None
        self._started = False
        self._epoch = 0  # counts starts: workers of an earlier start are not taken back
        # the folders of servers that were killed (SIGKILL) are removed; the pid in the name tells
        remove_stale(Path(tempfile.gettempdir()), "rkg-sparql-")
        self._dir = Path(tempfile.mkdtemp(prefix=f"rkg-sparql-{os.getpid()}-"))
        self._all: weakref.WeakSet[Worker] = weakref.WeakSet()
        weakref.finalize(self, _cleanup, self._all, str(self._dir))
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
        path = self._dir / f"graph-{self._generation}.nt"
        if self._data is None:
            raise RuntimeError("load a graph into the SPARQL worker pool before starting it")
        if not path.exists():
            self._dir.mkdir(mode=0o700, exist_ok=True)
            path.write_bytes(self._data)
            self._paths.append(path)
        while len(self._paths) > 2:  # the one before may still be read by a worker starting up
            self._paths.pop(0).unlink(missing_ok=True)

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
        worker = Worker(self._paths[-1], self.settings, self._generation, on_ready=self._started_one, reserve=reserve)
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
            self._paths.clear()
            shutil.rmtree(self._dir, ignore_errors=True)  # workers have loaded it; a new start writes it again
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
