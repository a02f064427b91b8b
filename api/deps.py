"""The FastAPI dependencies of the handlers, declared once: the graph served, its catalogue of
records, the settings and the SPARQL worker pool. Handlers take these instead of reaching into
`app.state`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..settings import Settings
from .catalogue import Catalogue
from .sparql_pool import WorkerPool
from .state import KG, Graphs


def _kg(request: Request) -> KG:
    return request.app.state.kg


def _catalogue(kg: Annotated[KG, Depends(_kg)]) -> Catalogue:
    return kg.catalogue  # of the same graph as every other dependency of the request


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _pool(request: Request) -> WorkerPool:
    return request.app.state.sparql


def _graphs(request: Request) -> Graphs:
    return request.app.state.graphs


KGDep = Annotated[KG, Depends(_kg)]
CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
SettingsDep = Annotated[Settings, Depends(_settings)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
GraphsDep = Annotated[Graphs, Depends(_graphs)]
