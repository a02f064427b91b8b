"""Fixtures shared by the whole suite. The fixture graphs and the apps serving them are built
once per session; tests that change what they are given get their own copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rkg.graph.build import build
from rkg.graph.parameters import Vocabulary
from rkg.graph.queries import get, records, run
from rkg.graph.store import EmbeddedStore
from support import FIXTURES, ROOT, fixture_settings


@pytest.fixture(scope="session", autouse=True)
def graph_cache(tmp_path_factory):
    """Built graphs are cached in a folder of the test run's, never beside the fixtures."""
    import os

    folder = tmp_path_factory.mktemp("rkg-cache")
    previous = os.environ.get("RKG_CACHE")
    os.environ["RKG_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("RKG_CACHE", None)
    else:
        os.environ["RKG_CACHE"] = previous


@pytest.fixture
def mini(tmp_path) -> Path:
    """A copy of the small valid dataset, with its source text beside it, to break on purpose."""
    shutil.copytree(FIXTURES / "mini", tmp_path / "data")
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    return tmp_path / "data"


@pytest.fixture(scope="session")
def analytics_build():
    """The analytics fixture, built and validated once."""
    return build(FIXTURES / "analytics", FIXTURES / "sources")


@pytest.fixture(scope="session")
def analytics_store(analytics_build):
    return EmbeddedStore.from_graph(analytics_build.graph)


@pytest.fixture(scope="session")
def analytics(analytics_build, analytics_store):
    """A runner for named queries on the analytics fixture: rows as plain values."""
    vocabulary = Vocabulary.from_store(analytics_store)

    class Runner:
        store, graph = analytics_store, analytics_build.graph

        def __call__(self, name, **params):
            query = get(name)
            return records(run(analytics_store, query, {k: str(v) for k, v in params.items()}, vocabulary), query)

    return Runner()


@pytest.fixture(scope="session")
def curated_build():
    """The curated data of the project, built and validated once."""
    return build(ROOT / "data", ROOT / "sources")


@pytest.fixture(scope="session")
def analytics_api():
    """The API on the analytics fixture (read-only use)."""
    from fastapi.testclient import TestClient

    from rkg.api.app import create_app

    return TestClient(create_app(fixture_settings("analytics")))


@pytest.fixture(scope="session")
def mini_api():
    """The API on the mini fixture (read-only use)."""
    from fastapi.testclient import TestClient

    from rkg.api.app import create_app

    return TestClient(create_app(fixture_settings("mini")))
