"""Opening the graph to query, whatever holds it: the one place a backend is chosen.

- the curated data in `settings.data_dir`, built and validated now, in an in-memory Oxigraph
  store (the default);
- an on-disk store written by `rkg build --store` (`settings.store`), opened read-only;
- a SPARQL 1.1 endpoint filled by `rkg push` (`settings.endpoint`).

A store or endpoint must hold a graph `rkg build` validated: one without a data version is
refused, so nothing unvalidated is ever served.

A graph built here is cached on disk (`settings.cache_dir`, by default `.rkg-cache/` beside the
data folder) as an Oxigraph store, keyed by the bytes of everything the build reads: the curated
data, the source texts, the ontology and the code that turns them into the graph. The next
command with the same inputs opens the cached store read-only instead of building again; any change
rebuilds it, and a build that fails never replaces it (it raises before anything is written).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..settings import Settings
from .build import Build, build, data_files, ontology_dir
from .stats import data_version
from .store import EmbeddedStore, RemoteStore, Store, StoreError


@dataclass
class Opened:
    store: Store
    version: str
    build: Build | None = None  # the build, when the graph was built here from data/


def remote(settings: Settings) -> RemoteStore:
    """The endpoint of the settings, with its graph, URLs, time limit and login."""
    if not settings.endpoint:
        raise ValueError("no endpoint is set")
    return RemoteStore(settings.endpoint, graph=settings.graph, update_endpoint=settings.update_endpoint,
                       store_endpoint=settings.store_endpoint, timeout=settings.endpoint_timeout,
                       user=settings.endpoint_user, password=settings.endpoint_password)


def build_from(settings: Settings) -> Build:
    """The curated data of the settings, built and validated (a LoadError lists every problem)."""
    return build(Path(settings.data_dir), settings.sources, settings.validation_workers, settings.shacl_engine,
                 settings.max_data_bytes)


CACHE_KEEP = 3  # cached graphs kept (the newest), so that switching back and forth stays quick
_CODE = ("loaders", "graph")  # the packages whose code shapes the graph built


def cache_key(settings: Settings) -> str:
    """A hash of every byte the build of these settings reads: data, sources, ontology, code."""
    digest = hashlib.sha256()
    sources = settings.sources
    inputs = [("data", p, Path(settings.data_dir)) for p in data_files(Path(settings.data_dir))]
    inputs += [("sources", p, sources) for p in sorted(sources.glob("*")) if p.is_file()] if sources.is_dir() else []
    inputs += [("ontology", p, ontology_dir()) for p in sorted(ontology_dir().glob("*.ttl"))]
    for package in _CODE:
        folder = Path(str(resources.files(f"rkg.{package}")))
        inputs += [(package, p, folder) for p in sorted(folder.glob("*.py"))]
    for kind, path, root in inputs:
        digest.update(f"{kind}/{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    digest.update(f"engine={settings.shacl_engine or ''}".encode())
    return digest.hexdigest()[:20]


def cache_dir(settings: Settings) -> Path:
    return Path(settings.cache_dir) if settings.cache_dir else Path(settings.data_dir).resolve().parent / ".rkg-cache"


def cached(settings: Settings) -> Opened | None:
    """The graph of the settings' data from the cache, if an identical build is there."""
    entry = cache_dir(settings) / cache_key(settings)
    if not (entry / "store").is_dir():
        return None
    try:
        store = EmbeddedStore.open(entry / "store")
        version = data_version(store)
    except StoreError:
        return None  # unreadable: built again
    if version is None:
        return None
    entry.touch()
    return Opened(store, version)


def keep(settings: Settings, result: Build) -> Opened:
    """A graph just built from the settings' data, cached and opened from the cache (or from memory,
    on a disk that cannot take it)."""
    root = cache_dir(settings)
    entry = root / cache_key(settings)
    try:
        if not (entry / "store").is_dir():  # another process may have cached the same inputs meanwhile
            EmbeddedStore.persist(result.graph, entry / "store")
        entry.touch()
        for stale in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)[:-CACHE_KEEP]:
            shutil.rmtree(stale, ignore_errors=True)
        return Opened(EmbeddedStore.open(entry / "store"), result.version, result)
    except OSError:  # a read-only or full disk: serve from memory, uncached
        return Opened(EmbeddedStore.from_graph(result.graph), result.version, result)


def open_graph(settings: Settings) -> Opened:
    """The graph the settings name, ready to query."""
    if settings.backend == "build":
        if not settings.use_cache:
            result = build_from(settings)
            return Opened(EmbeddedStore.from_graph(result.graph), result.version, result)
        # a LoadError of the build propagates before anything is cached
        return cached(settings) or keep(settings, build_from(settings))
    store: Store = remote(settings) if settings.backend == "endpoint" else EmbeddedStore.open(Path(str(settings.store)))
    version = data_version(store)
    if version is None:
        raise StoreError("the store holds no graph built by `rkg build` (it has no data version): "
                         "write one with `rkg build --store PATH` or `rkg push --endpoint URL`")
    return Opened(store, version)
