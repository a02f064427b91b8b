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
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


class Memo:
    """Values computed once per key and kept (the `size` most recently used, or all), with single
    flight: while one caller computes a key, the others asking for it wait for that computation
    instead of starting their own, so a herd of identical cold requests computes once. A
    computation that raises is given to every caller waiting for it, and not kept. `compute` must
    not ask its own memo for its own key (it would wait for itself)."""

    def __init__(self, size: int | None = None):
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._flights: dict[Hashable, Future] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def claim(self, key: Hashable) -> tuple[Future, bool]:
        """(a future of the value of `key`, whether the caller must compute it with `settle`): a future
        already done when the value is kept, the computation under way when there is one."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                kept: Future = Future()
                kept.set_result(self._values[key])
                return kept, False
            flight = self._flights.get(key)
            if flight is not None:
                return flight, False
            flight = Future()
            flight.set_running_or_notify_cancel()  # nobody can cancel it: others may be waiting for it
            self._flights[key] = flight
            return flight, True

    def settle(self, key: Hashable, flight: Future, compute: Callable[[], Any]) -> Any:
        """Compute the value of `key` for the caller whose claim leads: kept, and given to every caller
        waiting for it (an exception too, raised here as well)."""
        try:
            value = compute()
        except BaseException as error:
            self.abandon(key, flight, error)
            raise
        with self._lock:
            self._values[key] = value
            while self.size is not None and len(self._values) > self.size:
                self._values.popitem(last=False)
            self._flights.pop(key, None)
        flight.set_result(value)
        return value

    def abandon(self, key: Hashable, flight: Future, error: BaseException) -> None:
        """The computation of a claim that leads will not happen: its waiters get `error`."""
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]
        if not flight.done():
            flight.set_exception(error)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value of `key`: kept, or waited for, or computed now by this caller (blocking)."""
        flight, leads = self.claim(key)
        if leads:
            return self.settle(key, flight, compute)
        return flight.result()


@dataclass
class KG:
    store: Store
    catalogue: Catalogue
    vocabulary: Vocabulary
    loaded_at: str
    version: str
    counts: RecordCounts
    triples: int  # counted once: a remote store's count is a query, and /health must not wait for one
    build: Build | None = None  # None when the graph was opened from a store
    cache: Memo = field(default_factory=Memo, repr=False)  # exports, networks, the graph's bytes: few keys
    results: Memo = field(default_factory=lambda: Memo(256), repr=False)  # named-query results and pages: LRU

    @classmethod
    def serve(cls, opened: Opened) -> KG:
        store = opened.store
        return cls(store, Catalogue.from_store(store), Vocabulary.from_store(store), _now(), opened.version,
                   record_counts(store), len(store), opened.build)

    def serialize(self, fmt: ox.RdfFormat) -> bytes:
        """The whole graph in `fmt`."""
        if isinstance(self.store, EmbeddedStore):
            return self.store.export(fmt)
        # an endpoint's Graph Store answers the formats it likes: read N-Triples, write the rest here
        local = ox.Store()
        local.load(self.store.export(ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
        return EmbeddedStore(local).export(fmt)

    def cached(self, key, compute):
        """What `compute()` gives for this graph, computed once (the graph never changes); callers
        asking while it is computed wait for it (single flight). The API's expensive routes ask
        through a lane instead (api/lanes.py), which waits without holding a thread."""
        return self.cache.get(key, compute)

    def remembered(self, key, compute):
        """Like `cached`, for keys without bound (parameter values): the 256 most recent are kept."""
        return self.results.get(key, compute)


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
                 kg.version, old.version, kg.triples, seconds)
        self.last_reload = {"ok": True, "at": _now(), "errors": 0, "data_version": kg.version}
        return {"status": "reloaded", "data_version": kg.version, "previous_version": old.version,
                "triples": kg.triples, "records": kg.counts.nonzero(), "seconds": seconds}

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
            found = cached(settings)
            if found is None and hasattr(self.rebuild, "into_cache"):  # the child stores it: see rebuild.py
                built = self.rebuild.into_cache(settings)
                found = cached(settings) if built is None else keep(settings, built)
            return found or keep(settings, self.rebuild(settings))
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
