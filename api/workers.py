"""`rkg serve --workers N`: N worker processes serving one data version from one read-only on-disk
store, and reloads that reach every one of them.

- The parent (`rkg serve`, api/cli.py) opens the graph once, as any `rkg serve` does: data/ built
  and validated into the cache (`.rkg-cache/`, graph/backend.py), or the store or endpoint given.
  It writes what to serve into `current.json` in a folder of its own (`Shared`): the store's
  path, the data version and a generation number; then uvicorn starts N worker processes on one
  listening socket, each running `worker_app` (the factory uvicorn imports by name).
- Each worker opens the store named read-only (Oxigraph lets several processes read one store)
  and serves it, with its own response cache and its own /sparql query processes. None of them
  builds at start, so all serve the same version even if data/ changes meanwhile.
- A reload (POST /admin/reload, whichever worker receives it; --watch, in the one worker holding
  the watch lock) runs as in a single process, but under a lock the workers share: the worker
  rebuilds in its bounded child (api/rebuild.py), keeps the new graph in the cache, serves it,
  and writes `current.json` with the next generation. Every worker looks at `current.json` twice
  a second (FOLLOW_SECONDS) and serves a newer generation as soon as it sees one: it opens the
  store named and swaps it in as a reload does. A reload that fails writes nothing, so no
  worker changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..graph.backend import Opened, open_graph
from ..graph.stats import data_version
from ..graph.store import EmbeddedStore, Store, StoreError, remove_stale
from ..settings import Settings

log = logging.getLogger("rkg.api.workers")

FOLLOW_SECONDS = 0.5  # how often a worker looks for a graph another one published
PREFIX = "rkg-serve-"  # the shared folder, in the system's temporary folder, named with the parent's pid


@dataclass(frozen=True)
class Published:
    generation: int
    version: str
    store: str | None  # the on-disk store; None: an endpoint, opened again from the settings


class Shared:
    """The folder the worker processes of one `rkg serve` share: `current.json` (what to serve),
    `reload.lock` (one reload at a time across the processes), `watch.lock` (who watches data/)."""

    def __init__(self, folder: Path, settings: Settings):
        self.folder = Path(folder)
        self.settings = settings
        self.serving = 0                      # the generation this process serves
        self._seen: tuple | None = None       # current.json as last looked at (inode, size, mtime)
        self._adopted: object | None = None   # the store of the generation being adopted
        self._failed = 0                      # a generation that could not be opened: not tried again
        self._watch_lock: int | None = None

    # ------------------------------------------------------------------ the parent
    @classmethod
    def create(cls, settings: Settings) -> Shared:
        """A new folder (those of killed servers are removed first: the pid in the name tells)."""
        remove_stale(Path(tempfile.gettempdir()), PREFIX)
        return cls(Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")), settings)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def current(self) -> Path:
        return self.folder / "current.json"

    def read(self) -> Published | None:
        try:
            return Published(**json.loads(self.current.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def publish(self, store, version: str) -> int:
        """Name the graph to serve from now on; its generation. Call under `exclusive()` (or
        before the workers start)."""
        path = _path(store)
        if self.settings.backend != "endpoint" and path is None:
            raise StoreError("serving with several workers needs the graph on disk, and it is held in memory "
                             "(the cache folder could not be written, or RKG_USE_CACHE is off)")
        previous = self.read()
        published = Published((previous.generation if previous else 0) + 1, version, path)
        staging = self.current.with_name(f"current.json.{os.getpid()}")
        staging.write_text(json.dumps(asdict(published)))
        staging.replace(self.current)  # atomic: a reader sees the old file or the new one
        return published.generation

    @contextlib.contextmanager
    def exclusive(self):
        """One reload at a time across the worker processes."""
        with open(self.folder / "reload.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ a worker
    def opened(self) -> Opened:
        """The graph published, for a worker starting."""
        published = self.read()
        if published is None:
            raise StoreError(f"nothing to serve: {self.current} is missing or unreadable")
        self._seen = self._stat()
        opened = self._open(published)
        self.serving = published.generation
        return opened

    def _open(self, published: Published) -> Opened:
        store: Store
        if published.store is not None:
            store = EmbeddedStore.open(Path(published.store))
            version = data_version(store)
        else:
            opened = open_graph(self.settings)
            store, version = opened.store, opened.version
        if version != published.version:
            raise StoreError(f"the graph published as data version {published.version} holds {version}")
        return Opened(store, version)

    def attach(self, graphs) -> None:
        """Make the reloads of `graphs` (api/state.py) exclusive across the processes, and publish
        what they serve."""
        graphs.exclusive = self.exclusive
        graphs.on_change.append(self._changed)

    def _changed(self, kg) -> None:
        """`graphs` is about to serve `kg`: adopted from another process, or reloaded here (then
        published, unless another process published that very graph meanwhile)."""
        if kg.store is self._adopted:
            return
        published = self.read()
        if published is not None and (published.version, published.store) == (kg.version, _path(kg.store)):
            self.serving = published.generation
            return
        self.serving = self.publish(kg.store, kg.version)
        self._seen = self._stat()
        log.info("worker %d published data version %s (generation %d) for the other workers",
                 os.getpid(), kg.version, self.serving)

    def _stat(self) -> tuple | None:
        try:
            found = self.current.stat()
        except OSError:
            return None
        return (found.st_ino, found.st_size, found.st_mtime_ns)

    def catch_up(self, app, graphs) -> bool:
        """Serve the generation published, if it is newer than this process's (blocking); whether
        it changed. A generation that cannot be opened is logged and the current graph stays."""

        def newer() -> Opened | None:
            published = self.read()
            if published is None or published.generation <= max(self.serving, self._failed):
                return None
            if (published.version, published.store) == (graphs.current.version, _path(graphs.current.store)):
                self.serving = published.generation  # the same graph, published again
                return None
            try:
                opened = self._open(published)
            except (StoreError, OSError) as error:
                self._failed = published.generation
                log.error("worker %d could not open data version %s published by another worker: %s; "
                          "still serving data version %s", os.getpid(), published.version, error,
                          graphs.current.version)
                return None
            self._adopted = opened.store
            self.serving = published.generation
            return opened

        try:
            return graphs.adopt(app, newer) is not None
        finally:
            self._adopted = None

    def _take_watch(self) -> bool:
        """Whether this process watches data/ (one worker does: the first to take the lock; if it
        ends, another takes it)."""
        if self._watch_lock is None:
            fd = os.open(self.folder / "watch.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            self._watch_lock = fd
        return True

    async def follow(self, app, graphs) -> None:
        """Serve every newer generation as soon as it is published, and watch data/ in one
        worker with --watch (runs until cancelled)."""
        import anyio

        watcher = None
        try:
            while True:
                if self.settings.watch and watcher is None and self._take_watch():
                    log.info("worker %d watches the data for changes", os.getpid())
                    watcher = asyncio.create_task(graphs.watch(app))
                seen = self._stat()
                if seen != self._seen:
                    self._seen = seen
                    await anyio.to_thread.run_sync(self.catch_up, app, graphs, abandon_on_cancel=True)
                await asyncio.sleep(FOLLOW_SECONDS)
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher


def _path(store) -> str | None:
    """The folder of an on-disk store; None for a store in memory or an endpoint."""
    path = getattr(store, "path", None)
    return str(path) if path is not None else None


def worker_app():
    """The application of one worker process (uvicorn imports this factory by name)."""
    from .app import create_app
    from .cli import log_to_stderr, settle

    settings, folder = Settings.handed_over()
    log_to_stderr()
    app = create_app(settings, shared=Shared(folder, settings))
    settle(app)
    log.info("worker %d serving data version %s", os.getpid(), app.state.kg.version)
    return app
