"""The worker processes the lanes of api/lanes.py compute in: each holds a copy of the graph served
(loaded from N-Triples, with its catalogue and vocabulary: a `KG` of its own), runs one job at a
time, and is killed and replaced when a job passes its lane's time limit.

Why processes, not threads of the server: the stress test (tests/test_api_stress.py) put reloads,
runaway SPARQL queries, cold reports and varied analyses on the server at once, on two cores. With
the analyses and reports computed on threads of the server process, /health answered in 125-550 ms
at the 99th percentile: those threads held the server's GIL (matplotlib, fpdf, networkx and the
rows' shaping are Python), and under that much CPU contention a thread holding the GIL is often not
even running, so the event loop waited for it (without analyses and reports, the same load gave
13-35 ms). In processes of their own, below the server in CPU priority (`NICE`), they take no GIL
of the server's and yield the CPU to it; and a job past its time limit is stopped for good, as a
runaway SPARQL query is, instead of running on in a thread that cannot be stopped.

A job is `(function, args)`: a module-level function of the project (pickled by reference) called
as `function(kg, *args)` with the worker's KG. Its answer is pickled back; an `RkgError` is sent
back as such (404, 422...), anything else as a failure the server logs (500). A job does not
change the worker's KG beyond its caches, so a worker serves any number of jobs.

Run as `python -m rkg.api.compute FD GRAPH VERSION PARENT MODULES NAME` (a fresh interpreter, as the
SPARQL workers are: the server's own main module is never imported again).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import RkgError, Unavailable
from .children import STARTUP_SECONDS, Child, GraphFiles

log = logging.getLogger("rkg.api")

NICE = 10  # below the server: the event loop (and /health) comes first when both want a core

Job = tuple[Callable[..., Any], tuple]


class Overrun(Exception):
    """A job passed its time limit: its worker was killed."""


class JobFailed(Exception):
    """A job raised something other than an RkgError: a bug, with the worker's traceback."""


class _Worker(Child):
    def __init__(self, path: Path, version: str, generation: int, epoch: int, name: str, preload: tuple[str, ...]):
        self.generation, self.epoch = generation, epoch
        super().__init__("rkg.api.compute", [str(path), version, str(os.getpid()), ",".join(preload), name],
                         f"{name}-start")  # the name shows in `ps`


class ComputePool:
    """`size` worker processes for one lane (`name`: analyses, reports), which import the modules of
    its jobs (`preload`) before they say they are ready. Its lane never runs more than `size` jobs
    at once, so `run` finds a worker free."""

    def __init__(self, name: str, size: int, preload: tuple[str, ...] = ()):
        self.name, self.size, self.preload = name, size, preload
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self._idle: list[_Worker] = []
        self._generation, self._epoch = 0, 0
        self._version: str | None = None
        self._data: bytes | None = None
        self._started = False
        self._all: weakref.WeakSet[_Worker] = weakref.WeakSet()
        self._files = GraphFiles(self, "rkg-compute-", self._all)
        self.stats = {"jobs": 0, "killed": 0, "restarts": 0}

    def load(self, ntriples: bytes, version: str) -> None:
        """Compute on this graph from now on: idle workers are replaced at once, busy ones after their job."""
        with self._lock:
            self._generation += 1
            self._data, self._version = ntriples, version
            if self._started:
                self._write()
                stale, self._idle = self._idle, []
                for worker in stale:
                    worker.stop()
                self._idle = [self._spawn() for _ in stale]

    def _write(self) -> None:
        assert self._data is not None
        self._files.write(self._generation, self._data)

    def start(self) -> None:
        """Start the workers (the server's start does; a job does too when needed)."""
        with self._lock:
            if self._started:
                return
            if self._data is None:
                raise RuntimeError(f"load a graph into the {self.name} pool before starting it")
            self._write()
            self._epoch += 1
            self._idle = [self._spawn() for _ in range(self.size)]
            self._started = True

    def close(self) -> None:
        """Stop the workers (a busy one when its job ends) and remove their files; `start` may follow."""
        with self._lock:
            self._started = False
            for worker in self._idle:
                worker.stop()
            self._idle = []
            self._files.clear()
            self._freed.notify_all()

    def _spawn(self) -> _Worker:
        worker = _Worker(self._files.latest, self._version or "", self._generation, self._epoch, f"rkg-{self.name}",
                         self.preload)
        self._all.add(worker)
        return worker

    def _take(self) -> _Worker:
        with self._freed:
            while not self._idle:
                if not self._started:
                    raise Unavailable("the server is shutting down")
                self._freed.wait(1.0)
            return self._idle.pop(0)

    def _release(self, worker: _Worker, broken: bool = False) -> None:
        with self._lock:
            if not self._started or worker.epoch != self._epoch:
                worker.stop()
                return
            if broken or not worker.alive() or worker.generation != self._generation:
                worker.stop()
                self.stats["restarts"] += broken
                worker = self._spawn()
            self._idle.append(worker)
            self._freed.notify()

    def status(self) -> dict[str, Any]:
        return {"processes": self.size, "ready": sum(w.ready for w in list(self._idle))} | self.stats

    def run(self, job: Job, limit: float) -> Any:
        """What `function(kg, *args)` answers in a worker (blocking). Raises Overrun past `limit`
        seconds (the worker is killed and replaced), the job's RkgError, or JobFailed."""
        self.start()
        worker = self._take()
        problem = worker.wait_ready(STARTUP_SECONDS)
        if problem:
            log.error("%s: %s", self.name, problem)
            self._release(worker, broken=True)
            raise Unavailable(problem)
        self.stats["jobs"] += 1
        try:
            worker.conn.send(job)
            if not worker.conn.poll(limit):
                self.stats["killed"] += 1
                self._release(worker, broken=True)
                log.warning("%s: %s%s stopped after %g s", self.name, job[0].__name__, job[1], limit)
                raise Overrun()
            reply = worker.conn.recv()
        except (EOFError, OSError):
            code = worker.exit_code()
            self._release(worker, broken=True)
            raise Unavailable(f"the computation stopped: its worker process ended (exit code {code})") from None
        self._release(worker)
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "error":
            code, message, allowed, hint, extra = reply[1:]
            raise RkgError(message, code=code, allowed=allowed, hint=hint, **extra)
        raise JobFailed(reply[1])


# ---------------------------------------------------------------------------- the worker process

def main(conn: Connection, path: str, version: str, parent: int, preload: list[str]) -> None:
    from .sparql_worker import _die_with_parent

    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    with contextlib.suppress(OSError):
        os.nice(NICE)
    try:
        import importlib

        import pyoxigraph as ox

        from ..graph.backend import Opened
        from ..graph.store import EmbeddedStore
        from .state import KG

        store = ox.Store()
        store.load(path=path, format=ox.RdfFormat.N_TRIPLES)
        kg = KG.serve(Opened(EmbeddedStore(store), version, None))
        for module in preload:  # so that a job's time is the job's, not its imports'
            importlib.import_module(module)
    except Exception as error:  # reported to the server, which logs it
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready",))
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return
        started = time.monotonic()
        try:
            reply: tuple = ("ok", function(kg, *args))
        except RkgError as error:
            reply = ("error", error.code, error.message, error.allowed, error.hint, error.extra)
        except Exception:
            import traceback

            reply = ("failed", traceback.format_exc()[-4000:])
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as error:  # an answer that does not pickle: a bug
            conn.send(("failed", f"{function.__name__} answered what cannot be sent back: {error!r} "
                                 f"(after {time.monotonic() - started:.1f} s)"))


if __name__ == "__main__":
    fd, graph_path, data_version, parent_pid, modules = sys.argv[1:6]
    main(Connection(int(fd)), graph_path, data_version, int(parent_pid), [m for m in modules.split(",") if m])
