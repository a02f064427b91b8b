"""`rkg query list` and `rkg query run` from the command line."""

from __future__ import annotations

import csv
import io
import json
import shutil

from rkg.cli import main
from support import FIXTURES, replace_in

DATA = ["--data", str(FIXTURES / "analytics"), "--sources", str(FIXTURES / "sources")]


def test_query_list_shows_every_query_with_its_parameters(capsys):
    assert main(["query", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("coverage-matrix", "overlapping-actors", "who-funds-whom", "sustainability-risk"):
        assert f"\n{name}\n" in f"\n{out}"
    assert "--param target_group=<code:target-group>" in out
    assert "violation" not in out
    assert main(["query", "list", "--checks", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert any(q["check"] for q in listed) and all(q["title"] for q in listed)


def test_query_run_in_three_formats(capsys):
    assert main(["query", "run", "who-funds-whom", "--param", "country=BGD", "--format", "json", *DATA]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["funder_id"], r["implementer"], r["measures"]) for r in rows] == [
        ("donor-d", "ngo-x", 1), ("donor-d", "un-1", 2), ("gov-a", None, 1)]
    assert main(["query", "run", "who-funds-whom", "--param", "country=BGD", "--format", "csv", *DATA]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert table[1]["implementer_name"] == "UN One"
    assert main(["query", "run", "coverage-matrix", "--param", "country=NPL", *DATA]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["country", "dimension", "level", "measures", "ongoing", "planned",
                                           "ended", "status_unknown", "state", "non_state", "actor_not_stated",
                                           "measure_ids", "measure_names"]
    assert out.rstrip().endswith("(9 rows)")


def test_query_run_refuses_bad_input_with_the_allowed_values(capsys):
    assert main(["query", "run", "coverage-matrix", "--param", "country=Nepal", *DATA]) == 2
    err = capsys.readouterr().err
    assert "'Nepal' is not an ISO 3166-1 alpha-3 country code" in err and "NPL" in err
    assert main(["query", "run", "no-such-query", *DATA]) == 2
    assert main(["query", "run", "coverage-matrix", "--param", "country", *DATA]) == 2
    assert main(["query", "run", "coverage-matrix", "--param", "country=NPL", "--param", "country=LKA", *DATA]) == 2
    assert "given twice" in capsys.readouterr().err


def test_a_check_with_rows_exits_non_zero(tmp_path, capsys):
    shutil.copytree(FIXTURES / "analytics", tmp_path / "data")
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    assert main(["query", "run", "unused-actor-violation", "--data", str(tmp_path / "data")]) == 0
    replace_in(tmp_path / "data" / "records.yaml", "{id: gov-n, name: Government N,",
               "{id: gov-n, name: Government N, countries: [],")
    replace_in(tmp_path / "data" / "records.yaml", "    roles: {lead: [gov-n]}\n", "")
    assert main(["query", "run", "unused-actor-violation", "--data", str(tmp_path / "data")]) == 1
    assert "gov-n" in capsys.readouterr().out
