"""YAML that curated data never needs, and that once crashed the loader or made it grow without
end: each is refused with the file and line where it is written, a fix, and nothing else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rkg.api.app import create_app
from rkg.api.settings import Settings

from conftest import line_of, problems_of

TOKEN = "hostile-token"


@pytest.mark.parametrize("key, read_as", [
    ("? [a, b]\n    : x", "a key must be a name, not a list or a mapping"),
    ("? {a: 1}\n    : x", "a key must be a name, not a list or a mapping"),
    ("1: x", "'1' is read as a number"),
    ("null: x", "'null' is read as null"),
    ("true: x", "'true' is read as true/false"),
    ("2.5: x", "'2.5' is read as a number"),
])
def test_keys_that_are_not_names_are_refused_where_they_are_written(mini, key, read_as):
    path = mini / "extra.yaml"
    path.write_text("measures:\n  - id: extra\n    " + key + "\n")
    [problem] = problems_of(mini)
    assert (problem.file, problem.line, problem.code) == ("data/extra.yaml", 3, "yaml-syntax")
    assert read_as in problem.message and problem.hint


def test_a_complex_key_fails_a_reload_with_422_not_500(mini):
    app = create_app(mini, settings=Settings(admin_token=TOKEN, sparql_workers=1))
    with TestClient(app) as client:
        before = client.get("/health").json()["data_version"]
        path = mini / "records.yaml"
        path.write_text(path.read_text().replace("    status: ongoing\n", "    ? [status]\n    : ongoing\n", 1))
        answer = client.post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["error"]["problems"]
        assert problem["file"] == "data/records.yaml" and problem["line"] == line_of(path, "? [status]")
        assert client.get("/health").json()["data_version"] == before
