"""What the tests share: the fixture folders, ways to break a copy of the data on purpose, and
settings that point the library at a fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from rkg.graph.build import build
from rkg.loaders.problems import LoadError, Problem
from rkg.settings import Settings

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures"
ROOT = TESTS.parent


def fixture_settings(name: str = "analytics", **options) -> Settings:
    """Settings that build one of the fixtures (analytics, mini) with the fixture source text (not
    cached: nothing is written beside the fixtures)."""
    return Settings(data_dir=FIXTURES / name, sources_dir=FIXTURES / "sources", **({"use_cache": False} | options))


def data_settings(data_dir: Path, **options) -> Settings:
    """Settings that build the data in `data_dir` (its sources beside it), not cached."""
    return Settings(data_dir=data_dir, **({"use_cache": False} | options))


def problems_of(data_dir: Path) -> list[Problem]:
    with pytest.raises(LoadError) as caught:
        build(data_dir)
    return caught.value.errors


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
