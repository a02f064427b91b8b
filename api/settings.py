"""How the API is run: limits of the public SPARQL endpoint, reloading, the admin token.

Every setting has a default that keeps the service responsive on a small (2-core) machine,
can be set by the environment (`RKG_SPARQL_TIMEOUT=5`, ...) and by `rkg serve` options.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace

MIB = 1024 * 1024


def _env(name: str, cast, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} is not a valid {cast.__name__}") from None


@dataclass(frozen=True)
class Settings:
    # /sparql: every query runs in a worker process that is killed when it passes the time limit
    sparql_timeout: float = 10.0            # seconds a query may run, serialisation included
    sparql_max_result_bytes: int = 16 * MIB  # the largest result sent (the whole graph fits easily)
    sparql_max_query_chars: int = 100_000
    sparql_body_timeout: float = 30.0        # seconds a POST /sparql may take to send its body
    sparql_workers: int = 2                  # queries run at once; others wait
    sparql_queue_timeout: float = 10.0       # how long a query may wait for a free worker
    sparql_memory_mb: int = 2048             # address-space limit of each worker
    sparql_isolate_network: bool = True      # workers leave the network, where the system allows it
    sparql_warm_start: bool = False          # start the workers with the server, not at the first query
    # reloading
    watch: bool = False                      # rebuild when data/ changes
    rebuild_memory_mb: int = 4096            # a reload's rebuild runs in a child process with this much
    rebuild_timeout: float = 300.0           # address space, and is stopped past this many seconds
    admin_token: str | None = field(default=None, repr=False)  # enables POST /admin/reload

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        base = cls(
            sparql_timeout=_env("RKG_SPARQL_TIMEOUT", float, cls.sparql_timeout),
            sparql_max_result_bytes=_env("RKG_SPARQL_MAX_RESULT_BYTES", int, cls.sparql_max_result_bytes),
            sparql_max_query_chars=_env("RKG_SPARQL_MAX_QUERY_CHARS", int, cls.sparql_max_query_chars),
            sparql_body_timeout=_env("RKG_SPARQL_BODY_TIMEOUT", float, cls.sparql_body_timeout),
            sparql_workers=_env("RKG_SPARQL_WORKERS", int, cls.sparql_workers),
            sparql_queue_timeout=_env("RKG_SPARQL_QUEUE_TIMEOUT", float, cls.sparql_queue_timeout),
            sparql_memory_mb=_env("RKG_SPARQL_MEMORY_MB", int, cls.sparql_memory_mb),
            rebuild_memory_mb=_env("RKG_REBUILD_MEMORY_MB", int, cls.rebuild_memory_mb),
            rebuild_timeout=_env("RKG_REBUILD_TIMEOUT", float, cls.rebuild_timeout),
            admin_token=os.environ.get("RKG_ADMIN_TOKEN") or None,
        )
        known = {f.name for f in fields(cls)}
        return replace(base, **{k: v for k, v in overrides.items() if k in known and v is not None})

    def __post_init__(self):
        if self.sparql_timeout <= 0 or self.sparql_queue_timeout <= 0:
            raise ValueError("SPARQL time limits must be positive")
        if self.sparql_workers < 1:
            raise ValueError("at least one SPARQL worker is needed")
        if self.sparql_max_result_bytes < 1024 or self.sparql_max_query_chars < 100:
            raise ValueError("SPARQL size limits are too small to be useful")
