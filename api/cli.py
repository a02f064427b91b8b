"""`rkg serve`: the API on the validated graph, with the SPARQL endpoint's limits, --watch and
--workers.

It says one line per stage of starting (the graph read and validated, the curators' completeness
warnings as a count, the search index, the SPARQL workers), then where to point a browser and how
to stop; requests are not logged line by line (the API's own messages, reloads and stopped
queries, are). With `--workers N` the graph is opened once here, then N worker processes serve it
(api/workers.py)."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import threading
import time
from typing import Any

from ..settings import Settings


def register(sub, common, backend_options) -> None:
    """Add the `serve` subcommand to the `rkg` subparsers; `common` adds --data, --sources, --json,
    `backend_options` --store, --endpoint, --graph and --timeout."""
    p = sub.add_parser("serve", help="serve the API on the validated graph",
                       description="Serve the API, the SPARQL endpoint and the query editor, on the graph built "
                                   "and validated from data/ (the default), on an on-disk store written by "
                                   "`rkg build --store PATH` (--store PATH, opened read-only), or on a SPARQL "
                                   "endpoint filled by `rkg push` (--endpoint URL). Limits may also be "
                                   "set by the environment (RKG_SPARQL_TIMEOUT, RKG_SPARQL_WORKERS, ...); the "
                                   "admin token for POST /admin/reload only by RKG_ADMIN_TOKEN.")
    common(p)
    backend_options(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--watch", action="store_true", default=None,
                   help="rebuild the graph when data/ changes; a change that fails validation is logged "
                        "and the last good graph stays")
    defaults = Settings()
    p.add_argument("--sparql-timeout", type=float, metavar="SECONDS",
                   help=f"time limit of a /sparql query (default {defaults.sparql_timeout:g})")
    p.add_argument("--sparql-max-result-bytes", type=int, metavar="BYTES",
                   help=f"largest /sparql result (default {defaults.sparql_max_result_bytes})")
    p.add_argument("--workers", type=int, metavar="N",
                   help="server processes answering requests, sharing one read-only on-disk store; a reload "
                        "reaches them all (default 1; RKG_WORKERS)")
    p.add_argument("--sparql-workers", type=int, metavar="N",
                   help=f"/sparql queries run at once in each server process, each in its own process (default "
                        f"{defaults.sparql_workers} with one server process, 1 with several)")
    p.add_argument("--sparql-memory-mb", type=int, metavar="MIB",
                   help=f"memory limit of each /sparql worker (default {defaults.sparql_memory_mb})")
    p.set_defaults(func=cmd_serve, sparql_warm_start=True)


def say(text: str) -> None:
    print(text, flush=True)


def stages(app, settings: Settings) -> None:
    """One line per stage of opening the graph the app serves."""
    kg = getattr(getattr(app, "state", None), "kg", None)
    if kg is not None:
        stages_of(kg, settings)


def stages_of(kg, settings: Settings) -> None:
    """One line per stage of opening `kg` (api/state.py)."""
    if kg.build is not None:
        timings = kg.build.timings
        say(f"  read and checked the curated data in {timings.get('convert', 0):.1f} s, "
            f"validated against the shapes in {timings.get('validate', 0):.1f} s")
        if kg.build.warnings:
            say(f"  {len(kg.build.warnings)} completeness warning(s) for curators (not errors): "
                "`rkg validate` lists them with file and line")
    records = ", ".join(f"{n} {k}" for k, n in kg.counts.nonzero().items() if k in (
        "measures", "actors", "policies", "findings", "recommendations", "figures"))
    say(f"  graph: {records}; {len(kg.store)} triples, data version {kg.version}")
    index = kg.catalogue.search
    say(f"  search index: {index.size} records in {index.build_seconds * 1000:.0f} ms")
    processes = f" in each of {settings.workers} server processes" if settings.workers > 1 else ""
    say(f"  SPARQL endpoint: {settings.sparql_workers} worker process(es){processes}, "
        f"{settings.sparql_timeout:g} s per query")


# slow clients: an idle keep-alive connection is closed after 5 s and a request's head may not
# exceed 16 KiB (h11, so that this limit applies whatever else is installed; a POST /sparql body
# has its own time limit); on SIGTERM, requests under way (a reload, a query) get 5 s
UVICORN: dict[str, Any] = {"log_level": "warning", "http": "h11", "timeout_keep_alive": 5,
                           "h11_max_incomplete_event_size": 16 * 1024, "timeout_graceful_shutdown": 5}


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from .app import create_app

    started = time.perf_counter()
    source = {"build": f"reading and validating {settings.data_dir}/", "store": f"opening the store {settings.store}",
              "endpoint": f"connecting to {settings.endpoint}"}[settings.backend]
    say(f"rkg serve: {source}")
    if settings.workers > 1:
        return serve_workers(args, settings, started)
    try:
        app = create_app(settings)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stages(app, settings)
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    say(f"ready in {time.perf_counter() - started:.1f} s: open http://{host}:{args.port}/ in a browser "
        f"(API docs /docs, SPARQL /sparql); press Ctrl+C to stop")
    log_to_stderr()
    settle(app)
    uvicorn.run(app, host=args.host, port=args.port, **UVICORN)
    return 0


def serve_workers(args: argparse.Namespace, settings: Settings, started: float) -> int:
    """`rkg serve --workers N`: open the graph once (build and validate data/ into the cache, or check
    the store or endpoint), publish it, then have uvicorn run N worker processes that serve it."""
    import uvicorn

    from ..graph.backend import open_graph
    from ..settings import HANDOVER
    from .state import KG
    from .workers import Shared

    if settings.backend != "build" and settings.watch:
        print("error: --watch rebuilds from data/; a served store is reopened by POST /admin/reload instead",
              file=sys.stderr)
        return 2
    if settings.backend == "build" and not settings.use_cache:
        print("error: several workers share the graph through the cache: RKG_USE_CACHE must be on", file=sys.stderr)
        return 2
    opened = open_graph(settings)  # a LoadError or StoreError propagates: nothing is served
    shared = Shared.create(settings)
    try:
        shared.publish(opened.store, opened.version)
        stages_of(KG.serve(opened), settings)
        del opened
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        say(f"graph ready in {time.perf_counter() - started:.1f} s; starting {settings.workers} worker processes: "
            f"open http://{host}:{args.port}/ in a browser (API docs /docs, SPARQL /sparql); press Ctrl+C to stop")
        log_to_stderr()
        os.environ[HANDOVER] = settings.handed_down(shared.folder)  # read by each worker (api/workers.py)
        uvicorn.run("rkg.api.workers:worker_app", factory=True, workers=settings.workers, host=args.host,
                    port=args.port, **UVICORN)
    finally:
        shared.remove()
    return 0


SETTLE_SECONDS = 30.0  # after a reload, when the graph replaced is surely no longer in use


def settle(app) -> None:
    """Once the graph is open and before serving: move what the process holds (the graph's records,
    the catalogue, the modules) out of the garbage collector's way (gc.freeze), so that a full
    collection visits only what requests allocate instead of pausing every request for tens of
    milliseconds. A reload unfreezes, so that the graph it replaces can be collected, and freezes
    again a little later."""

    def freeze() -> None:
        gc.collect()
        gc.freeze()

    def reloaded(kg) -> None:
        gc.unfreeze()
        later = threading.Timer(SETTLE_SECONDS, freeze)
        later.daemon = True  # never holds up shutting down
        later.start()

    freeze()
    graphs = getattr(getattr(app, "state", None), "graphs", None)
    if graphs is not None:
        graphs.on_change.append(reloaded)


def log_to_stderr() -> None:
    """Show the API's own messages (reloads, refused reloads, stopped queries) beside uvicorn's."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
    logger = logging.getLogger("rkg")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
