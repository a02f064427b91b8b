"""What the tests share: the fixture folders, ways to break a copy of the data on purpose, and
settings that point the library at a fixture."""

from __future__ import annotations

import shutil
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


# What the exports must handle beyond the mini dataset: a general-population scheme whose implementer
# the source names only by kind of body, a component dated to the day, a district inside a division.
EXPORTS_EXTRA = """
places:
  - id: bgd-dhaka-division
    name: Dhaka Division
    place_type: division
    country: BGD
    source: {document: mini-report, section: "1", quote: "Reintegration support spans economic"}
measures:
  - id: gp-loans
    name: General loans open to returnees
    types: [loan-scheme]
    country: BGD
    status: ongoing
    general_population: true
    roles:
      implementer:
        - type: bank
          words: "the bank"
    source: {document: mini-report, section: "3.2.1", quote: "By 2019 the bank had provided rehabilitation loans"}
  - id: prottasha-orientation
    name: Prottasha orientation
    types: [training]
    country: BGD
    places: [bgd-dhaka]
    status: completed
    start: 2020-11-25
    end: 2020-11-26
    part_of: prottasha
    phases: [pre-departure]
    roles: {implementer: [brac]}
    source: {document: mini-report, section: "3.2.1", quote: "implemented by IOM in partnership with BRAC"}
"""


def exports_data(root: Path) -> Path:
    """The mini dataset plus EXPORTS_EXTRA, with its source text, under `root`; the data folder."""
    shutil.copytree(FIXTURES / "mini", root / "data")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    (root / "data" / "extra.yaml").write_text(EXPORTS_EXTRA)
    replace_in(root / "data" / "records.yaml", "    place_type: district\n",
               "    place_type: district\n    within: bgd-dhaka-division\n")
    return root / "data"
