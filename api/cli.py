"""`rkg serve`: the API on the validated graph, with the SPARQL endpoint's limits and --watch.

It says one line per stage of starting (the graph read and validated, the curators' completeness
warnings as a count, the search index, the SPARQL workers), then where to point a browser and how
to stop; requests are not logged line by line (the API's own messages, reloads and stopped
queries, are)."""

from __future__ import annotations

import argparse
import logging
import sys
import time

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
    p.add_argument("--sparql-workers", type=int, metavar="N",
                   help=f"/sparql queries run at once, each in its own process (default {defaults.sparql_workers})")
    p.add_argument("--sparql-memory-mb", type=int, metavar="MIB",
                   help=f"memory limit of each /sparql worker (default {defaults.sparql_memory_mb})")
    p.set_defaults(func=cmd_serve, sparql_warm_start=True)


def say(text: str) -> None:
    print(text, flush=True)


def stages(app, settings: Settings) -> None:
    """One line per stage of opening the graph the app serves."""
    kg = getattr(getattr(app, "state", None), "kg", None)
    if kg is None:
        return
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
    say(f"  SPARQL endpoint: {settings.sparql_workers} worker process(es), {settings.sparql_timeout:g} s per query")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from .app import create_app

    started = time.perf_counter()
    source = {"build": f"reading and validating {settings.data_dir}/", "store": f"opening the store {settings.store}",
              "endpoint": f"connecting to {settings.endpoint}"}[settings.backend]
    say(f"rkg serve: {source}")
    try:
        app = create_app(settings)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stages(app, settings)
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    say(f"ready in {time.perf_counter() - started:.1f} s: open http://{host}:{args.port}/ in a browser "
        f"(API docs /docs, SPARQL /sparql); press Ctrl+C to stop")
    _log_to_stderr()
    # slow clients: an idle keep-alive connection is closed after 5 s and a request's head may not
    # exceed 16 KiB (h11, so that this limit applies whatever else is installed; a POST /sparql body
    # has its own time limit); on SIGTERM, requests under way (a reload, a query) get 5 s
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", http="h11", timeout_keep_alive=5,
                h11_max_incomplete_event_size=16 * 1024, timeout_graceful_shutdown=5)
    return 0


def _log_to_stderr() -> None:
    """Show the API's own messages (reloads, refused reloads, stopped queries) beside uvicorn's."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
    logger = logging.getLogger("rkg")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
