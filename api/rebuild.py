"""Rebuilding the graph for a reload, in a child process with bounded memory and time.

A reload (POST /admin/reload, --watch) runs the same `build()` as `rkg validate`, but in a fresh
interpreter (`python -m rkg.api.rebuild`) whose address space is limited (RLIMIT_AS) and which is
killed past its time limit. Whatever the data does, the server keeps its own memory and time:
/health and every other endpoint keep answering during a rebuild, a rebuild past a limit fails
like invalid data (a LoadError: 422 for POST /admin/reload, logged for --watch) and the last good
graph keeps being served. The child sends the validated Build back pickled (for the curated data
about 3 MB, 0.4 s to read), or, with `into_cache`, keeps the graph in the on-disk cache itself and
sends nothing but its word, so that the graph never crosses over: the server opens the cached store
(graph.backend.cached). `cancel()` kills a rebuild under way (the server is shutting down).

This module imports only what the child needs before it limits itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

MIB = 1024 * 1024
NICE = 10  # a rebuild (and the validation processes it starts) yields the CPU to the server it runs beside


class Cancelled(Exception):
    """The rebuild was stopped from outside (the server is shutting down)."""


class Rebuilder:
    """Builds the settings' data (`build_from`) in a child limited to `memory_mb` MiB and `seconds`."""

    def __init__(self, memory_mb: int, seconds: float):
        self.memory_mb, self.seconds = memory_mb, seconds
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self._cancelled = False

    def __call__(self, settings):
        """The validated Build, or LoadError (the data's problems, or a limit passed), or Cancelled."""
        return self._run(settings, "build")

    def into_cache(self, settings):
        """Build the settings' data and keep it in the cache (graph.backend.keep), both in the child:
        None once the graph is in the cache (unpickling and storing it here took about a second of
        the server's GIL per reload, which /health waited for); the Build if the cache could not take
        it. Raises as calling the Rebuilder does."""
        return self._run(settings, "keep")

    def _run(self, settings, mode: str):
        import pickle
        from multiprocessing.connection import Connection

        from ..loaders.problems import LoadError

        data_dir = Path(settings.data_dir)
        ours, theirs = socket.socketpair()
        # the data folder is named on the command line too, so that one can tell the rebuilds apart
        command = [sys.executable, "-m", "rkg.api.rebuild", str(theirs.fileno()), str(data_dir),
                   pickle.dumps(settings).hex(), str(self.memory_mb), mode]
        with self._lock:
            if self._cancelled:
                raise Cancelled("the server is shutting down")
            # a session of its own, so that killing it reaches the processes it forks to validate
            process = subprocess.Popen(command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                       start_new_session=True)
            self._running.add(process)
        theirs.close()
        conn = Connection(ours.detach())
        started = time.monotonic()
        try:
            try:
                if not conn.poll(self.seconds):
                    raise LoadError([self._problem(data_dir, "rebuild-time",
                                                   f"the rebuild took longer than {self.seconds:g} s and was stopped",
                                                   "RKG_REBUILD_TIMEOUT sets the limit")])
                message = conn.recv()
            except (EOFError, OSError):
                if self._cancelled:
                    raise Cancelled("the server is shutting down") from None
                code = process.wait(timeout=10)
                raise LoadError([self._problem(
                    data_dir, "rebuild-failed", f"the rebuild stopped (exit code {code}) after "
                    f"{time.monotonic() - started:.1f} s", self._memory_hint)]) from None
        finally:
            _kill(process)
            conn.close()
            with self._lock:
                self._running.discard(process)
        kind = message[0]
        if kind == "built":
            return message[1]
        if kind == "kept":
            return None
        if kind == "invalid":
            raise LoadError(message[1])
        if kind == "memory":
            raise LoadError([self._problem(data_dir, "rebuild-memory", f"the rebuild needed more than {self.memory_mb} MiB "
                                           "of memory and was stopped", self._memory_hint)])
        raise LoadError([self._problem(data_dir, "rebuild-failed", f"the rebuild failed: {message[1]}", self._memory_hint)])

    @property
    def _memory_hint(self) -> str:
        return (f"a rebuild may use {self.memory_mb} MiB (RKG_REBUILD_MEMORY_MB); check data/ for unusually "
                "large files")

    @staticmethod
    def _problem(data_dir: Path, code: str, message: str, hint: str):
        from ..loaders.problems import Problem

        return Problem(str(data_dir), 0, 0, code, message, hint)

    def cancel(self) -> None:
        """Kill the rebuilds under way and refuse new ones until `resume`: their callers get Cancelled."""
        with self._lock:
            self._cancelled = True
            running = list(self._running)
        for process in running:
            _kill(process)

    def resume(self) -> None:
        with self._lock:
            self._cancelled = False


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


# ---------------------------------------------------------------------------- the child

def _child(conn, settings_hex: str, memory_mb: int, mode: str = "build") -> None:
    if sys.platform.startswith("linux"):  # die with the server
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    limit = memory_mb * MIB
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with contextlib.suppress(OSError):
        os.nice(NICE)
    try:
        import pickle

        from ..graph.backend import build_from, cache_dir, cache_key, keep
        from ..loaders.problems import LoadError

        settings = pickle.loads(bytes.fromhex(settings_hex))
        reply: tuple[str, object]
        try:
            result = build_from(settings)
            reply = ("built", result)
            if mode == "keep":
                keep(settings, result)
                if (cache_dir(settings) / cache_key(settings) / "store").is_dir():
                    reply = ("kept", result.version)  # the server opens it there
        except LoadError as error:
            reply = ("invalid", error.problems)
        conn.send(reply)
    except MemoryError:
        conn.send(("memory",))
    except BaseException as error:  # reported to the server, which logs it
        conn.send(("failed", f"{type(error).__name__}: {str(error)[:500]}"))


if __name__ == "__main__":
    from multiprocessing.connection import Connection

    fd, _data_dir, settings_hex, memory, how = sys.argv[1:6]
    _child(Connection(int(fd)), settings_hex, int(memory), how)
