"""Every setting in one object: where the graph comes from, how it is validated, and how the API
serves it.

`Settings.from_env(**overrides)` reads the environment (`RKG_DATA`, `RKG_SPARQL_TIMEOUT`, ...)
and applies command-line values on top; the result is passed down to whatever needs it. No other
module reads the environment.

Where the graph comes from (the backend), in order of precedence:
- `endpoint`: a SPARQL 1.1 endpoint already filled by `rkg push`;
- `store`: an on-disk store already written by `rkg build --store`;
- otherwise the curated YAML in `data_dir`, built and validated now, queried in memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

MIB = 1024 * 1024
GRAPH_IRI = "https://w3id.org/reintegration-kg/graph"
# what `rkg serve --workers N` hands its worker processes (api/workers.py): its settings, without
# the secrets (the workers read those from the environment they inherit), and the folder they share
HANDOVER = "RKG_SERVE_HANDOVER"

# environment variable -> setting; the type comes from the field
ENVIRONMENT = {
    "RKG_DATA": "data_dir",
    "RKG_SOURCES": "sources_dir",
    "RKG_VALIDATION_WORKERS": "validation_workers",
    "RKG_SHACL_ENGINE": "shacl_engine",
    "RKG_MAX_DATA_BYTES": "max_data_bytes",
    "RKG_CACHE": "cache_dir",
    "RKG_USE_CACHE": "use_cache",
    "RKG_ENDPOINT_USER": "endpoint_user",
    "RKG_ENDPOINT_PASSWORD": "endpoint_password",
    "RKG_SPARQL_TIMEOUT": "sparql_timeout",
    "RKG_SPARQL_MAX_RESULT_BYTES": "sparql_max_result_bytes",
    "RKG_SPARQL_MAX_QUERY_CHARS": "sparql_max_query_chars",
    "RKG_SPARQL_BODY_TIMEOUT": "sparql_body_timeout",
    "RKG_SPARQL_WORKERS": "sparql_workers",
    "RKG_SPARQL_QUEUE_TIMEOUT": "sparql_queue_timeout",
    "RKG_SPARQL_MEMORY_MB": "sparql_memory_mb",
    "RKG_SPARQL_RESERVE_WORKERS": "sparql_reserve_workers",
    "RKG_SPARQL_RESERVE_TIMEOUT": "sparql_reserve_timeout",
    "RKG_ANALYSIS_WORKERS": "analysis_workers",
    "RKG_ANALYSIS_TIMEOUT": "analysis_timeout",
    "RKG_ANALYSIS_QUEUE_TIMEOUT": "analysis_queue_timeout",
    "RKG_REPORT_WORKERS": "report_workers",
    "RKG_REPORT_TIMEOUT": "report_timeout",
    "RKG_REPORT_QUEUE_TIMEOUT": "report_queue_timeout",
    "RKG_REBUILD_MEMORY_MB": "rebuild_memory_mb",
    "RKG_REBUILD_TIMEOUT": "rebuild_timeout",
    "RKG_ADMIN_TOKEN": "admin_token",
    "RKG_RESPONSE_CACHE_MB": "response_cache_mb",
    "RKG_WORKERS": "workers",
}


@dataclass(frozen=True)
class Settings:
    # the curated data, when the graph is built here
    data_dir: Path = Path("data")
    sources_dir: Path | None = None          # default: the folder `sources` beside data_dir
    validation_workers: int | None = None    # processes for pySHACL (default: by graph size)
    shacl_engine: str | None = None          # "shacl" (default) or "pyshacl": the same results either way
    max_data_bytes: int = 50 * MIB           # the most a build reads of data files, in all
    use_cache: bool = True                   # keep the built graph on disk, keyed by its inputs
    cache_dir: Path | None = None            # default: .rkg-cache beside the data folder
    # a graph validated earlier, in an on-disk store or at a SPARQL endpoint
    store: Path | None = None
    endpoint: str | None = None
    graph: str = GRAPH_IRI                   # the named graph holding the data at the endpoint
    update_endpoint: str | None = None
    store_endpoint: str | None = None
    endpoint_timeout: float = 60.0
    endpoint_user: str | None = None
    endpoint_password: str | None = field(default=None, repr=False)
    # /sparql: every query runs in a worker process that is killed when it passes the time limit
    sparql_timeout: float = 10.0             # seconds a query may run, serialisation included
    sparql_max_result_bytes: int = 16 * MIB  # the largest result sent (the whole graph fits easily)
    sparql_max_query_chars: int = 100_000
    sparql_body_timeout: float = 30.0        # seconds a POST /sparql may take to send its body
    sparql_workers: int = 2                  # queries run at once in each server process; others wait
    sparql_queue_timeout: float = 10.0       # how long a query may wait for a free worker
    sparql_memory_mb: int = 2048             # address-space limit of each worker
    sparql_isolate_network: bool = True      # workers leave the network, where the system allows it
    sparql_warm_start: bool = False          # start the workers with the server, not at the first query
    sparql_reserve_workers: int = 1          # more workers, kept for short queries when the others are all busy:
    sparql_reserve_timeout: float = 1.0      # a query there may run this many seconds (api/sparql_pool.py)
    # the API's expensive work in bounded lanes (api/lanes.py): named queries, analyses, the network
    analysis_workers: int = 2                # computed at once (identical requests share one computation)
    analysis_timeout: float = 10.0           # seconds a request waits for its answer before a 503
    analysis_queue_timeout: float = 2.0      # seconds a request waits for a free slot before a 503
    # ... and reports, exports, the whole graph
    report_workers: int = 1
    report_timeout: float = 60.0
    report_queue_timeout: float = 5.0
    # reloading
    watch: bool = False                      # rebuild when data/ changes
    rebuild_memory_mb: int = 4096            # a reload's rebuild runs in a child process with this much
    rebuild_timeout: float = 300.0           # address space, and is stopped past this many seconds
    admin_token: str | None = field(default=None, repr=False)  # enables POST /admin/reload
    # answers kept as bytes per data version, with ETags (api/caching.py), in each server process
    response_cache_mb: int = 64
    # server processes (`rkg serve --workers N`, api/workers.py), sharing one read-only on-disk store
    workers: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """The settings of the environment, with `overrides` (None values ignored) on top."""
        environ = os.environ if environ is None else environ
        types = {f.name: f.type for f in fields(cls)}
        values: dict = {}
        for variable, name in ENVIRONMENT.items():
            raw = environ.get(variable)
            if raw is None or raw == "":
                continue
            try:
                values[name] = _cast(str(types[name]), raw)
            except ValueError:
                raise ValueError(f"environment variable {variable}={raw!r} is not a valid "
                                 f"{_cast_name(str(types[name]))}") from None
        known = set(types)
        values |= {k: v for k, v in overrides.items() if k in known and v is not None}
        if "sparql_workers" not in values:  # shared out over the server processes (README: Serving with workers)
            values["sparql_workers"] = default_sparql_workers(int(values.get("workers") or 1))
        for name in ("data_dir", "sources_dir", "store", "cache_dir"):
            if isinstance(values.get(name), str):
                values[name] = Path(values[name])
        return cls(**values)

    def __post_init__(self):
        if self.sparql_timeout <= 0 or self.sparql_queue_timeout <= 0:
            raise ValueError("SPARQL time limits must be positive")
        if self.sparql_workers < 1:
            raise ValueError("at least one SPARQL worker is needed")
        if self.sparql_reserve_workers < 0 or self.sparql_reserve_timeout <= 0:
            raise ValueError("SPARQL reserve workers cannot be negative, and their time limit must be positive")
        if self.analysis_workers < 1 or self.report_workers < 1:
            raise ValueError("analyses and reports need at least one worker each")
        if min(self.analysis_timeout, self.analysis_queue_timeout, self.report_timeout, self.report_queue_timeout) <= 0:
            raise ValueError("the time limits of analyses and reports must be positive")
        if self.sparql_max_result_bytes < 1024 or self.sparql_max_query_chars < 100:
            raise ValueError("SPARQL size limits are too small to be useful")
        if self.workers < 1:
            raise ValueError("at least one server process is needed")
        if self.response_cache_mb < 0:
            raise ValueError("the response cache cannot have a negative size")
        if self.validation_workers is not None and self.validation_workers < 1:
            raise ValueError("validation needs at least one worker")
        if self.store is not None and self.endpoint is not None:
            raise ValueError("serve either an on-disk store or an endpoint, not both")

    @property
    def sources(self) -> Path:
        return Path(self.sources_dir) if self.sources_dir else Path(self.data_dir).parent / "sources"

    @property
    def backend(self) -> str:
        """Where the graph comes from: "endpoint", "store" or "build"."""
        return "endpoint" if self.endpoint else "store" if self.store else "build"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def handed_down(self, shared: Path) -> str:
        """What `rkg serve --workers N` hands its worker processes (HANDOVER): every setting but
        the secrets, and the folder they share."""
        given = {f.name: getattr(self, f.name) for f in fields(self) if f.repr}
        given = {k: str(v) if isinstance(v, Path) else v for k, v in given.items()}
        return json.dumps({"settings": given, "shared": str(shared)})

    @classmethod
    def handed_over(cls, environ: Mapping[str, str] | None = None) -> tuple[Settings, Path]:
        """In a worker process of `rkg serve --workers N`: its settings (the secrets from the
        environment) and the folder the workers share."""
        environ = os.environ if environ is None else environ
        if HANDOVER not in environ:
            raise RuntimeError(f"{HANDOVER} is not set: worker processes are started by `rkg serve --workers N`")
        handed = json.loads(environ[HANDOVER])
        return cls.from_env(environ, **handed["settings"]), Path(handed["shared"])


def default_sparql_workers(workers: int) -> int:
    """/sparql query processes in each server process, unless set: 2 with one server process, 1 with
    several (so `--workers 2` runs as many query processes in all as one server process does)."""
    return 2 if workers <= 1 else 1


def _cast(annotation: str, raw: str):
    kind = annotation.replace(" | None", "")
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
            raise ValueError(raw)
        return raw.lower() in ("1", "true", "yes")
    if kind == "Path":
        return Path(raw)
    return raw


def _cast_name(annotation: str) -> str:
    return {"int": "whole number", "float": "number", "bool": "boolean", "Path": "path"}.get(
        annotation.replace(" | None", ""), "value")
