"""The HTTP API. For now: the validated graph in the embedded store, and /health."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from ..graph.build import Build, build
from ..graph.store import EmbeddedStore


@dataclass
class State:
    build: Build
    store: EmbeddedStore


def create_app(data_dir: Path | None = None, sources_dir: Path | None = None) -> FastAPI:
    """Build and validate the graph, then serve it. A LoadError propagates: nothing is served."""
    result = build(data_dir, sources_dir)
    state = State(result, EmbeddedStore.from_graph(result.graph))
    app = FastAPI(title="Reintegration Knowledge Graph",
                  description="Support for returning migrant workers in South Asia: programmes, actors, "
                              "policies, gaps.",
                  version="0.1.0")
    app.state.kg = state

    @app.get("/health", summary="Service status and the size and version of the graph served")
    def health() -> dict:
        current: State = app.state.kg
        return {"status": "ok", "triples": len(current.store), "data_version": current.build.version,
                "records": {k: v for k, v in current.build.counts.items() if v}}

    return app
