"""The HTTP API: resources, named queries, gap and coordination analyses, a public read-only
SPARQL 1.1 endpoint, the whole graph, and /health. `create_app` builds and validates the graph
first: a LoadError propagates and nothing is served."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from importlib.resources import files
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles

from ..graph.formats import graph_format, graph_media_types
from ..settings import MIB, Settings
from . import analysis, errors, explorer, exports, linked, reports, resources, sparql
from .caching import ResponseCache, by_version
from .deps import GraphsDep, KGDep, LanesDep
from .errors import ApiError
from .lanes import Lanes
from .middleware import HeadAsGet, SecurityHeaders
from .negotiation import negotiate
from .params import allowed_values, known_parameters_only
from .rebuild import Rebuilder
from .sparql_pool import WorkerPool
from .state import Graphs, token_matches

if TYPE_CHECKING:
    from .workers import Shared

__all__ = ["create_app"]

log = logging.getLogger("rkg.api")

DESCRIPTION = """Support for returning migrant workers in Bangladesh, India, Nepal, Pakistan and Sri Lanka:
programmes, actors, policies, findings, figures, and where coverage is missing or overlapping.

- **Explorer**: `/` in a browser (search, country views, records, actors, the network, comparisons).
- **Resources** (`/programmes`, `/actors`, `/policies`, `/countries/{iso3}`, `/findings`, ...): lists take
  `limit` and `offset` and answer `{"items": [...], "total": N}`; filters combine (several values of one
  filter: any; several filters: all); `/<list>/facets` counts each filter's values. `/search?q=` searches
  every record's text.
- **Analyses**: `/gaps/...` and `/coordination/...`, and every named query under `/queries`.
- **SPARQL**: `/sparql` (SPARQL 1.1 Protocol, read-only; a browser gets a query editor); `/graph` is the whole graph.
- **Errors** always look like `{"error": {"code", "message", ...}}`: 404 for unknown ids, 422 for invalid
  parameters (with the allowed values).
"""


# documents the admin token as a bearer scheme; token_matches checks it
ADMIN = HTTPBearer(auto_error=False, scheme_name="adminToken", description="the server's RKG_ADMIN_TOKEN")


def create_app(settings: Settings, shared: Shared | None = None) -> FastAPI:
    """Open the graph the settings name (by default: build and validate data/) and serve it. A
    LoadError or StoreError propagates: nothing is served. `shared`: this is one of several worker
    processes (api/workers.py), which serves the graph published there and follows its reloads."""
    if settings.backend != "build" and settings.watch:
        raise ValueError("--watch rebuilds from data/; a served store is reopened by POST /admin/reload instead")
    graphs = Graphs(settings, opened=shared.opened() if shared else None)
    graphs.rebuild = Rebuilder(settings.rebuild_memory_mb, settings.rebuild_timeout)
    pool = WorkerPool(settings)
    lanes = Lanes(settings, processes=True)  # bounded, time-limited expensive work in processes (api/lanes.py)

    def serve(kg) -> None:  # the graph the worker processes hold: at the start and after each reload
        ntriples = kg.store.export()
        pool.load(ntriples)
        lanes.load(ntriples, kg.version)

    serve(graphs.current)
    graphs.on_change.append(serve)
    if shared:
        shared.attach(graphs)  # reloads exclusive across the workers, and published to them

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        graphs.resume()
        lanes.start()  # an analysis does not wait for its process to start
        if settings.sparql_warm_start:
            pool.start()
        if shared:  # one of several workers: it serves what the others reload (and one of them watches)
            watcher: asyncio.Task | None = asyncio.create_task(shared.follow(app, graphs))
        else:
            watcher = asyncio.create_task(graphs.watch(app)) if settings.watch else None
        try:
            yield
        finally:
            graphs.stop()  # a rebuild under way is killed: shutting down never waits for one
            if watcher:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            pool.close()
            lanes.close()

    app = FastAPI(title="Reintegration Knowledge Graph", description=DESCRIPTION, version="0.1.0",
                  lifespan=lifespan, docs_url=None, redoc_url=None)  # /docs and /redoc: api/explorer.py, offline
    app.state.kg = graphs.current
    app.state.graphs = graphs
    app.state.settings = settings
    app.state.sparql = pool
    app.state.lanes = lanes
    errors.install(app, allowed_values)
    # innermost: answers kept per data version (api/caching.py), with the headers of the middleware below on top
    app.add_middleware(ResponseCache, max_bytes=settings.response_cache_mb * MIB)
    # a public, read-only API: any site may query it; the admin endpoint needs a bearer token, not cookies
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["Accept", "Content-Type", "Authorization"])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)  # outermost: HEAD is a GET without its body, everywhere
    # follow_symlink: the strict editable install links every file of the package from a tree of its own
    app.mount("/static", StaticFiles(directory=str(files("rkg.api") / "static"), follow_symlink=True), name="static")

    @app.get("/health", tags=["service"], summary="Service status and the size and version of the graph served",
             dependencies=[Depends(known_parameters_only)])
    async def health(current: KGDep) -> dict[str, Any]:
        # a coroutine that reads what is already known and waits for nothing: it answers at once,
        # however busy the threads, the lanes and the SPARQL workers are
        body = {"status": "ok", "triples": current.triples, "data_version": current.version,
                "records": current.counts.nonzero(), "loaded_at": current.loaded_at, "sparql": pool.status(),
                "lanes": lanes.status(), "worker": {"pid": os.getpid(), "workers": settings.workers}}
        if graphs.last_reload:
            body["last_reload"] = graphs.last_reload
        return body

    @app.get("/graph", tags=["SPARQL"], response_class=Response,
             summary="The whole validated graph: Turtle, N-Triples, JSON-LD or RDF/XML by the Accept header",
             responses={200: {"content": {media: {} for media in graph_media_types()}},
                        406: {"description": "none of the formats is acceptable"}},
             dependencies=[Depends(known_parameters_only), Depends(by_version)])
    async def whole_graph(request: Request, kg: KGDep, lanes: LanesDep,
                          format: Annotated[Literal["ttl", "nt", "jsonld", "rdfxml"] | None, Query(
                              description="overrides the Accept header (handy in a browser)")] = None):
        fmt = graph_format(format or "") or graph_format(negotiate(request.headers.get("accept"), graph_media_types())
                                                         or "none")
        if fmt is None:
            raise ApiError(406, "not-acceptable", "the graph is available as " + ", ".join(graph_media_types()),
                           allowed=graph_media_types())
        media = fmt.media_type
        body = await lanes.reports.get(kg.cache, ("graph", media), lambda: kg.serialize(fmt))
        headers = {"Vary": "Accept",
                   "Content-Disposition": f'inline; filename="reintegration-kg-{kg.version}.{fmt.file_extension}"'}
        return Response(body, media_type=media, headers=headers)

    @app.post("/admin/reload", tags=["service"],
              summary="Rebuild the graph from data/, or reopen the store served (needs `Authorization: Bearer "
                      "$RKG_ADMIN_TOKEN`)",
              description="A reload that fails validation (or finds no graph in the store) answers 422 with every "
                          "problem and keeps serving the last good graph.",
              dependencies=[Depends(ADMIN)],
              responses={401: {"description": "no admin token, or the wrong one"},
                         403: {"description": "reloading over HTTP is off (no RKG_ADMIN_TOKEN)"},
                         422: {"description": "the rebuilt graph is invalid; the last good graph is served"},
                         503: {"description": "the server is shutting down, or the store cannot be reached"}})
    async def reload(request: Request, served: GraphsDep) -> dict[str, Any]:
        if not settings.admin_token:
            raise ApiError(403, "forbidden", "reloading over HTTP is off: start the server with RKG_ADMIN_TOKEN set")
        if not token_matches(settings.admin_token, request.headers.get("authorization")):
            raise ApiError(401, "unauthorized", "give the admin token as `Authorization: Bearer <token>`",
                           headers={"WWW-Authenticate": "Bearer"})
        # abandoned if the request is cancelled (uvicorn's shutdown, after its graceful timeout)
        return await anyio.to_thread.run_sync(served.reload, app, abandon_on_cancel=True)

    vocabulary = graphs.current.vocabulary  # documents the allowed values; requests are checked against the served graph's
    app.include_router(resources.router(vocabulary))
    analysis.install(app, vocabulary)
    app.include_router(sparql.router)
    app.include_router(reports.router)
    app.include_router(exports.router)
    app.include_router(linked.router)
    explorer.install(app, vocabulary)
    return app
