"""The graph being served, and replacing it when the curated data changes.

`app.state.kg` is a `KG`: the `store` the graph is queried in, its data version and record
counts, and what the endpoints derive from them once (the records, the allowed parameter
values). The graph comes either from data/ (built and validated at start, the default) or from
a store that already holds a validated graph: an on-disk store written by `rkg build --store`
(opened read-only) or a SPARQL endpoint filled by `rkg push`. A reload builds (or reopens) a new
graph aside and swaps `app.state.kg` in one assignment, so a request sees the old graph or the
new one, never a mix; a reload that fails changes nothing.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from ..errors import RkgError
from ..graph.backend import Opened, build_from, cached, keep, open_graph
from ..graph.build import Build
from ..graph.parameters import Vocabulary
from ..graph.stats import RecordCounts, record_counts
from ..graph.store import EmbeddedStore, Store, StoreError
from ..loaders.problems import LoadError
from ..settings import Settings
from .catalogue import Catalogue
from .rebuild import Cancelled

log = logging.getLogger("rkg.api")


@dataclass
class KG:
    store: Store
    catalogue: Catalogue
    vocabulary: Vocabulary
    loaded_at: str
    version: str
    counts: RecordCounts
    build: Build | None = None  # None when the graph was opened from a store
    cache: dict = field(default_factory=dict, repr=False)  # exports and networks: few keys
    results: OrderedDict = field(default_factory=OrderedDict, repr=False)  # named-query results: LRU
    cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def serve(cls, opened: Opened) -> KG:
        store = opened.store
        return cls(store, Catalogue.from_store(store), Vocabulary.from_store(store), _now(), opened.version,
                   record_counts(store), opened.build)

    def serialize(self, fmt: ox.RdfFormat) -> bytes:
        """The whole graph in `fmt`."""
        if isinstance(self.store, EmbeddedStore):
            return self.store.export(fmt)
        # an endpoint's Graph Store answers the formats it likes: read N-Triples, write the rest here
        local = ox.Store()
        local.load(self.store.export(ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
        return EmbeddedStore(local).export(fmt)

    def cached(self, key, compute):
        """What `compute()` gives for this graph, computed once (the graph never changes)."""
        with self.cache_lock:
            if key in self.cache:
                return self.cache[key]
        value = compute()  # outside the lock: a slow export must not hold up other look-ups
        with self.cache_lock:
            return self.cache.setdefault(key, value)

    def remembered(self, key, compute, size: int = 256):
        """Like `cached`, for keys without bound (parameter values): the `size` most recent are kept."""
        with self.cache_lock:
            if key in self.results:
                self.results.move_to_end(key)
                return self.results[key]
        value = compute()
        with self.cache_lock:
            self.results[key] = value
            while len(self.results) > size:
                self.results.popitem(last=False)
        return value


class Graphs:
    """Opens the graph the settings name (built from data/, or a validated store or endpoint),
    serves it on `app`, and rebuilds (or reopens) it on request."""

    def __init__(self, settings: Settings, opened: Opened | None = None):
        self.settings = settings
        self.rebuild = build_from  # how a reload builds: create_app bounds it (a child process, rebuild.py)
        self._lock = threading.Lock()
        self.exclusive = contextlib.nullcontext  # held around a reload: api/workers.py makes it span the processes
        self.last_reload: dict | None = None
        # `opened`: what api/workers.py gives a worker process; a LoadError or StoreError propagates
        self.current = KG.serve(opened or open_graph(settings))
        self.on_change: list = []  # callables given the new KG (the SPARQL workers reload)

    def _serve(self, app, kg: KG, old: KG, started: float) -> dict:
        """Serve `kg` from now on (the SPARQL workers too); the reload's summary."""
        for callback in self.on_change:
            callback(kg)
        self.current = kg
        app.state.kg = kg
        seconds = round(time.perf_counter() - started, 2)
        log.info("reloaded data version %s (was %s): %d triples in %.1f s",
                 kg.version, old.version, len(kg.store), seconds)
        self.last_reload = {"ok": True, "at": _now(), "errors": 0, "data_version": kg.version}
        return {"status": "reloaded", "data_version": kg.version, "previous_version": old.version,
                "triples": len(kg.store), "records": kg.counts.nonzero(), "seconds": seconds}

    def reload(self, app) -> dict:
        """Rebuild from data/ or reopen the store (blocking). Returns a summary; an error keeps the
        current graph and is raised again with what the client needs to know."""
        with self._lock, self.exclusive():
            started = time.perf_counter()
            old = self.current
            try:
                kg = KG.serve(self._reopen())
            except Cancelled:
                raise RkgError(f"the server is shutting down; the rebuild was stopped (still serving data version "
                               f"{old.version})", code="unavailable") from None
            except LoadError as error:
                for problem in error.errors:
                    log.error("reload refused: %s", problem.format())
                log.error("reload refused: %d error(s) in %s; still serving data version %s",
                          len(error.errors), self.settings.data_dir, old.version)
                self.last_reload = {"ok": False, "at": _now(), "errors": len(error.errors),
                                    "data_version": old.version}
                error.message = f"{error.message}; still serving data version {old.version}"
                error.extra["data_version"] = old.version
                raise error from None
            except StoreError as error:
                log.error("reload refused: %s; still serving data version %s", error, old.version)
                self.last_reload = {"ok": False, "at": _now(), "errors": 1, "data_version": old.version}
                raise RkgError(f"{error}; still serving data version {old.version}", code="invalid-store",
                               data_version=old.version) from None
            return self._serve(app, kg, old, started)

    def adopt(self, app, newer) -> dict | None:
        """Serve the graph `newer()` opens, if it opens one (another server process built it:
        api/workers.py), swapped in as a reload swaps; under the reload lock, so the two never mix."""
        with self._lock:
            started = time.perf_counter()
            opened = newer()
            if opened is None:
                return None
            return self._serve(app, KG.serve(opened), self.current, started)

    def stop(self) -> None:
        """Kill a rebuild under way (the server is shutting down: it must not wait for one)."""
        if hasattr(self.rebuild, "cancel"):
            self.rebuild.cancel()

    def resume(self) -> None:
        if hasattr(self.rebuild, "resume"):
            self.rebuild.resume()

    def _reopen(self) -> Opened:
        """The graph to serve after a reload: the data rebuilt (bounded, see rebuild.py) unless an
        identical build is cached, or the store or endpoint opened again."""
        settings = self.settings
        if settings.backend != "build":
            return open_graph(settings)
        if settings.use_cache:
            return cached(settings) or keep(settings, self.rebuild(settings))
        result = self.rebuild(settings)
        return Opened(EmbeddedStore.from_graph(result.graph), result.version, result)

    def watched(self) -> list[Path]:
        return [p for p in (Path(self.settings.data_dir), self.settings.sources) if p.is_dir()]

    async def watch(self, app) -> None:
        """Reload whenever a data or source file changes (runs until cancelled)."""
        import anyio
        from watchfiles import awatch

        def relevant(change, path: str) -> bool:
            return path.endswith((".yaml", ".yml", ".txt"))

        log.info("watching %s for changes", ", ".join(map(str, self.watched())))
        async for changes in awatch(*self.watched(), watch_filter=relevant):
            log.info("%d file(s) changed: rebuilding", len(changes))
            try:
                # abandoned if cancelled: shutting down kills the rebuild (stop) rather than wait for it
                await anyio.to_thread.run_sync(self.reload, app, abandon_on_cancel=True)
            except RkgError:
                pass  # logged; the last good graph stays
            except Exception:
                log.exception("reload failed; the last good graph stays")


def token_matches(expected: str | None, authorization: str | None) -> bool:
    """Whether `Authorization: Bearer <token>` gives the expected token (the scheme's name is
    case-insensitive, RFC 7235: `bearer` and `BEARER` are `Bearer`)."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
