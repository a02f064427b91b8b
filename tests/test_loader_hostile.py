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


def test_the_data_version_is_the_hash_of_the_bytes_that_were_parsed(mini, tmp_path, monkeypatch):
    """An edit during a build (--watch) must not label the graph built with the edited file's version."""
    import shutil

    import rkg.loaders.convert as convert
    from rdflib import RDFS, URIRef

    from rkg.graph.build import build

    untouched = tmp_path / "untouched" / "data"
    shutil.copytree(mini, untouched)
    shutil.copytree(mini.parent / "sources", untouched.parent / "sources")
    path = mini / "records.yaml"
    read = convert.read_yaml

    def read_then_edit(file, *args, **kwargs):
        parsed = read(file, *args, **kwargs)
        if file.name == "records.yaml":  # the curator saves again right after the loader has read the file
            file.write_text(file.read_text().replace("    name: Prottasha\n", "    name: Prottasha edited\n"))
        return parsed

    monkeypatch.setattr(convert, "read_yaml", read_then_edit)
    result = build(mini)
    name = result.graph.value(URIRef("https://w3id.org/reintegration-kg/id/measure/prottasha"), RDFS.label)
    assert str(name) == "Prottasha" and "Prottasha edited" in path.read_text()
    monkeypatch.undo()
    assert result.version == build(untouched).version != build(mini).version
