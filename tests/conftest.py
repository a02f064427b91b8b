from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rkg.graph.build import build
from rkg.loaders.problems import LoadError, Problem

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def mini(tmp_path) -> Path:
    """A copy of the small valid dataset, with its source text beside it, to break on purpose."""
    shutil.copytree(FIXTURES / "mini", tmp_path / "data")
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    return tmp_path / "data"


def problems_of(data_dir: Path) -> list[Problem]:
    with pytest.raises(LoadError) as caught:
        build(data_dir)
    return [p for p in caught.value.problems if p.severity == "error"]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="session")
def analytics():
    """The analytics fixture in the embedded store, with a runner for named queries."""
    from rkg.graph.queries import Vocabulary, get, run
    from rkg.graph.store import EmbeddedStore

    result = build(FIXTURES / "analytics", FIXTURES / "sources")
    store = EmbeddedStore.from_graph(result.graph)
    vocabulary = Vocabulary.from_store(store)

    class Runner:
        def __init__(self):
            self.store, self.graph = store, result.graph

        def __call__(self, name, **params):
            rows = run(store, get(name), {k: str(v) for k, v in params.items()}, vocabulary)
            return [{k: (None if v is None else v.toPython()) for k, v in row.items()} for row in rows]

    return Runner()
