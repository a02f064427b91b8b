"""The on-disk cache of built graphs: a command with the same inputs starts from it, any change of
the inputs rebuilds it, and a build that fails never replaces it."""

from __future__ import annotations

import pytest

from rkg.cli import main
from rkg.graph.backend import cache_key, open_graph
from rkg.loaders.problems import LoadError
from support import data_settings, replace_in


def test_the_same_inputs_open_the_cached_store_and_any_change_rebuilds(mini, tmp_path):
    settings = data_settings(mini, use_cache=True, cache_dir=tmp_path / "cache")
    first = open_graph(settings)
    assert first.build is not None and first.store.path is not None  # built, then cached on disk
    again = open_graph(settings)
    assert again.build is None and again.version == first.version  # opened from the cache
    key = cache_key(settings)
    replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha renamed\n")
    assert cache_key(settings) != key
    changed = open_graph(settings)
    assert changed.build is not None and changed.version != first.version
    key = cache_key(settings)
    source = mini.parent / "sources" / "mini-report.txt"
    source.write_text(source.read_text() + "\nA new line.\n")
    assert cache_key(settings) != key  # a source text is an input too
    assert open_graph(settings).build is not None


def test_a_failing_build_never_replaces_the_cached_graph(mini, tmp_path):
    settings = data_settings(mini, use_cache=True, cache_dir=tmp_path / "cache")
    good = open_graph(settings)
    entries = sorted(p.name for p in (tmp_path / "cache").iterdir())
    replace_in(mini / "records.yaml", "    status: ongoing\n", "    status: going-on\n")
    with pytest.raises(LoadError):
        open_graph(settings)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == entries
    replace_in(mini / "records.yaml", "    status: going-on\n", "    status: ongoing\n")
    assert open_graph(settings).version == good.version and open_graph(settings).build is None


def test_the_cli_answers_from_the_cache(mini, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RKG_CACHE", str(tmp_path / "cache"))
    assert main(["query", "run", "coverage-matrix", "--data", str(mini), "--param", "country=BGD"]) == 0
    built = capsys.readouterr().out
    assert len(list((tmp_path / "cache").iterdir())) == 1
    assert main(["query", "run", "coverage-matrix", "--data", str(mini), "--param", "country=BGD"]) == 0
    assert capsys.readouterr().out == built
    assert main(["query", "run", "coverage-matrix", "--data", str(mini), "--no-cache", "--param", "country=BGD"]) == 0
    assert capsys.readouterr().out == built
