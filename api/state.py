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

import hmac
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..graph.build import VERSION_QUERY, Build, build, default_data_dir
from ..graph.queries import Vocabulary
from ..graph.store import EmbeddedStore, StoreError
from ..loaders.schema import KINDS
from ..loaders.problems import LoadError
from .catalogue import Catalogue
from .errors import ApiError
from .rebuild import Cancelled

log = logging.getLogger("rkg.api")


def open_store(result: Build):
    """The store the API queries for this build: the one place a backend is chosen."""
    return EmbeddedStore.from_graph(result.graph)


def record_counts(store) -> dict[str, int]:
    """Records by kind, read from a store (what `Build.counts` says of a graph built here)."""
    rows = " ".join(f"({k.rdf_class.n3()} \"{k.iri_base}\" \"{key}\")" for key, k in KINDS.items())
    answer = store.select("SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES (?class ?base ?kind) { "
                          + rows + " } ?s a ?class FILTER(STRSTARTS(STR(?s), ?base)) } GROUP BY ?kind")
    counts = {str(row["kind"]): int(row["n"]) for row in answer}
    return {key: counts.get(key, 0) for key in KINDS}


@dataclass
class KG:
    store: object
    catalogue: Catalogue
    vocabulary: Vocabulary
    loaded_at: str
    version: str
    counts: dict
    build: Build | None = None  # None when the graph was opened from a store
    cache: dict = field(default_factory=dict, repr=False)  # exports and networks: few keys
    results: OrderedDict = field(default_factory=OrderedDict, repr=False)  # named-query results: LRU
    cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, result: Build) -> "KG":
        store = open_store(result)
        return cls(store, Catalogue.from_store(store), Vocabulary.from_store(store), _now(),
                   result.version, result.counts, result)

    @classmethod
    def from_store(cls, store) -> "KG":
        """Serve a graph some earlier `rkg build --store` or `rkg push` validated and wrote."""
        rows = store.select(VERSION_QUERY)
        if not rows:
            raise StoreError("the store holds no graph built by `rkg build` (it has no data version): "
                             "write one with `rkg build --store PATH` or `rkg push --endpoint URL`")
        return cls(store, Catalogue.from_store(store), Vocabulary.from_store(store), _now(),
                   str(rows[0]["version"]), record_counts(store))

    def serialize(self, rdf_format: str) -> bytes:
        """The whole graph in an rdflib format name (turtle, nt, json-ld, xml)."""
        if self.build is not None:
            return self.build.graph.serialize(format=rdf_format, encoding="utf-8")
        if rdf_format in ("nt", "turtle"):
            return self.store.export("nt" if rdf_format == "nt" else "ttl")
        from rdflib import Graph
        return Graph().parse(data=self.store.export("nt"), format="nt").serialize(format=rdf_format, encoding="utf-8")

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
    """Builds the graph from data/ (or opens it from a store), serves it on `app`, and rebuilds
    (or reopens) it on request."""

    def __init__(self, data_dir: Path | None, sources_dir: Path | None, open_store=None):
        """`open_store`: a callable giving the store to serve (called again on reload); without
        it the graph is built from `data_dir`."""
        self.data_dir = Path(data_dir or default_data_dir())
        self.sources_dir = Path(sources_dir) if sources_dir else self.data_dir.parent / "sources"
        self.open_store = open_store
        self.rebuild = build  # how a reload builds: create_app bounds it (a child process, rebuild.py)
        self._lock = threading.Lock()
        self.last_reload: dict | None = None
        if open_store is not None:
            self.current = KG.from_store(open_store())  # a StoreError propagates
        else:
            self.current = KG.load(build(self.data_dir, self.sources_dir))  # a LoadError propagates
        self.on_change = []  # callables given the new KG (the SPARQL workers reload)

    def _reopen(self, app, old: "KG", started: float) -> dict:
        try:
            kg = KG.from_store(self.open_store())
        except StoreError as error:
            log.error("reload refused: %s; still serving data version %s", error, old.version)
            self.last_reload = {"ok": False, "at": _now(), "errors": 1, "data_version": old.version}
            raise ApiError(422, "invalid-store", f"{error}; still serving data version {old.version}",
                           data_version=old.version) from None
        return self._serve(app, kg, old, started)

    def _serve(self, app, kg: "KG", old: "KG", started: float) -> dict:
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
                "triples": len(kg.store), "records": {k: v for k, v in kg.counts.items() if v},
                "seconds": seconds}

    def reload(self, app) -> dict:
        """Rebuild from data/ (blocking). Returns a summary; a LoadError keeps the current graph."""
        with self._lock:
            started = time.perf_counter()
            old = self.current
            if self.open_store is not None:
                return self._reopen(app, old, started)
            try:
                result = self.rebuild(self.data_dir, self.sources_dir)
            except Cancelled:
                raise ApiError(503, "unavailable", f"the server is shutting down; the rebuild was stopped "
                                                   f"(still serving data version {old.version})") from None
            except LoadError as error:
                errors = [p for p in error.problems if p.severity == "error"]
                for problem in errors:
                    log.error("reload refused: %s", problem.format())
                log.error("reload refused: %d error(s) in %s; still serving data version %s",
                          len(errors), self.data_dir, old.version)
                self.last_reload = {"ok": False, "at": _now(), "errors": len(errors),
                                    "data_version": old.version}
                raise ApiError(422, "invalid-data",
                               f"{len(errors)} error(s) in the curated data; still serving data version "
                               f"{old.version}", problems=[p.as_dict() for p in errors],
                               data_version=old.version) from None
            return self._serve(app, KG.load(result), old, started)

    def stop(self) -> None:
        """Kill a rebuild under way (the server is shutting down: it must not wait for one)."""
        if hasattr(self.rebuild, "cancel"):
            self.rebuild.cancel()

    def resume(self) -> None:
        if hasattr(self.rebuild, "resume"):
            self.rebuild.resume()

    def watched(self) -> list[Path]:
        return [p for p in (self.data_dir, self.sources_dir) if p.is_dir()]

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
            except ApiError:
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
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
