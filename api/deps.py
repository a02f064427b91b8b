"""The FastAPI dependencies of the handlers, declared once: the graph served, its catalogue of
records, the settings, the SPARQL worker pool and the lanes of expensive work. Handlers take these
instead of reaching into `app.state`. They are coroutines that read `app.state` and nothing else,
so resolving them never takes one of the threads the synchronous routes run on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..settings import Settings
from .catalogue import Catalogue
from .lanes import Lanes
from .sparql_pool import WorkerPool
from .state import KG, Graphs


async def _kg(request: Request) -> KG:
    return request.app.state.kg


async def _catalogue(kg: Annotated[KG, Depends(_kg)]) -> Catalogue:
    return kg.catalogue  # of the same graph as every other dependency of the request


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _pool(request: Request) -> WorkerPool:
    return request.app.state.sparql


async def _graphs(request: Request) -> Graphs:
    return request.app.state.graphs


async def _lanes(request: Request) -> Lanes:
    return Lanes.of(request.app)


KGDep = Annotated[KG, Depends(_kg)]
CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
SettingsDep = Annotated[Settings, Depends(_settings)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
GraphsDep = Annotated[Graphs, Depends(_graphs)]
LanesDep = Annotated[Lanes, Depends(_lanes)]
