"""Opening the graph to query, whatever holds it: the one place a backend is chosen.

- the curated data in `settings.data_dir`, built and validated now, in an in-memory Oxigraph
  store (the default);
- an on-disk store written by `rkg build --store` (`settings.store`), opened read-only;
- a SPARQL 1.1 endpoint filled by `rkg push` (`settings.endpoint`).

A store or endpoint must hold a graph `rkg build` validated: one without a data version is
refused, so nothing unvalidated is ever served.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from .build import Build, build
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
    return build(Path(settings.data_dir), settings.sources, settings.validation_workers, settings.shacl_engine)


def open_graph(settings: Settings) -> Opened:
    """The graph the settings name, ready to query."""
    if settings.backend == "build":
        result = build_from(settings)
        return Opened(EmbeddedStore.from_graph(result.graph), result.version, result)
    store: Store = remote(settings) if settings.backend == "endpoint" else EmbeddedStore.open(Path(str(settings.store)))
    version = data_version(store)
    if version is None:
        raise StoreError("the store holds no graph built by `rkg build` (it has no data version): "
                         "write one with `rkg build --store PATH` or `rkg push --endpoint URL`")
    return Opened(store, version)
