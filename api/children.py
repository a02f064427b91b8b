"""The child processes of the server, as the /sparql pool (sparql_pool.py) and the lanes' compute
pool (compute.py) run them: a fresh interpreter per child (`python -m MODULE FD ...`, no
multiprocessing start method, so the server's own main module is never imported again), talking
over a socket pair, started from one long-lived thread, loading the graph from an N-Triples file
in a private folder that goes with its pool.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import weakref
from concurrent.futures import Future
from multiprocessing.connection import Connection
from pathlib import Path

from ..graph.store import remove_stale

STARTUP_SECONDS = 60.0


class _Spawner:
    """Starts the children from one thread that lives as long as the server process.

    A child dies with its parent (PR_SET_PDEATHSIG), and Linux takes the parent to be the
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
                self._thread = threading.Thread(target=self._serve, name="rkg-spawner", daemon=True)
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


class Child:
    """One child: `python -m module FD *args`. Its first message, ("ready", ...) or ("failed", why),
    is awaited at once on a thread of its own, not when a job first needs it. A subclass sets what
    `started` reads before calling this constructor."""

    what = "a worker process"  # in the messages of a child that does not start

    def __init__(self, module: str, args: list[str], thread_name: str):
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", module, str(theirs.fileno()), *args]
        self.process = _spawner.run(lambda: subprocess.Popen(command, pass_fds=(theirs.fileno(),),
                                                             stdin=subprocess.DEVNULL))
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.problem: str | None = None
        self._started = threading.Event()
        threading.Thread(target=self._await_start, name=thread_name, daemon=True).start()

    def started(self, message: tuple) -> None:
        """The child's first message."""
        if message[0] == "ready":
            self.ready = True
        else:
            self.problem = f"{self.what} could not load the graph: {message[1]}"

    def _await_start(self) -> None:
        try:
            if not self.conn.poll(STARTUP_SECONDS):
                self.problem = f"{self.what} did not start within {STARTUP_SECONDS:g} s"
            else:
                self.started(self.conn.recv())
        except (EOFError, OSError):
            self.problem = f"{self.what} stopped while starting (exit code {self.process.poll()})"
        finally:
            self._started.set()

    def wait_ready(self, timeout: float) -> str | None:
        """None once the child has loaded the graph, or what went wrong."""
        if not self._started.wait(timeout):
            return f"{self.what} did not start within {timeout:g} s"
        return self.problem

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


def _cleanup(children, directory: str) -> None:
    for child in list(children):
        child.stop()
    shutil.rmtree(directory, ignore_errors=True)


class GraphFiles:
    """A pool's private folder (`prefix` + the server's pid, in the temporary folder) with the graph
    its children load, one N-Triples file per generation. The folders of killed servers (the pid in
    the name tells) are removed when a pool is made; the pool's own, and its children, go with it."""

    def __init__(self, owner, prefix: str, children: weakref.WeakSet):
        remove_stale(Path(tempfile.gettempdir()), prefix)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
        self._paths: list[Path] = []
        weakref.finalize(owner, _cleanup, children, str(self.folder))

    def write(self, generation: int, data: bytes) -> None:
        path = self.folder / f"graph-{generation}.nt"
        if not path.exists():
            self.folder.mkdir(mode=0o700, exist_ok=True)
            path.write_bytes(data)
            self._paths.append(path)
        while len(self._paths) > 2:  # the one before may still be read by a child starting up
            self._paths.pop(0).unlink(missing_ok=True)

    @property
    def latest(self) -> Path:
        return self._paths[-1]

    def clear(self) -> None:
        """Remove the files (children have loaded them; a new start writes them again)."""
        self._paths.clear()
        shutil.rmtree(self.folder, ignore_errors=True)
