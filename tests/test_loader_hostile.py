"""YAML that curated data never needs, and that once crashed the loader or made it grow without
end: each is refused with the file and line where it is written, a fix, and nothing else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rkg.api.app import create_app
from rkg.graph.backend import build_from
from rkg.graph.build import build
from rkg.loaders.problems import LoadError
from rkg.settings import Settings
from support import data_settings, line_of, problems_of
from support.bounded import bounded_build

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
    app = create_app(data_settings(mini, admin_token=TOKEN, sparql_workers=1))
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

    from rdflib import RDFS, URIRef

    import rkg.loaders.convert as convert

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


# ---------------------------------------------------------------------------- aliases, tags, values

LAUGHS = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9) if n else ', '.join(['lol'] * 9)}]\n"
                 for n in range(10))
BOMB = LAUGHS + "measures:\n  - id: bomb\n    name: *l9\n    country: *l9\n    types: *l9\n"


def test_a_billion_laughs_file_is_refused_at_its_first_anchor_without_growing(mini):
    """1 KB of nested aliases stands for 9^10 values; the build grew without end on them."""
    assert len(BOMB) < 1200
    (mini / "laughs.yaml").write_text(BOMB)
    answer = bounded_build(mini, seconds=20)
    assert answer["outcome"] == "refused", answer
    [problem] = answer["problems"]
    assert (problem["file"], problem["line"], problem["code"]) == ("data/laughs.yaml", 1, "yaml-syntax")
    assert "anchor (&l0)" in problem["message"] and "aliases" in problem["hint"]


@pytest.mark.parametrize("text, line, says", [
    ("measures:\n  - id: x\n    name: &n Name\n", 3, "anchor (&n)"),
    ("measures:\n  - id: x\n    name: X\n  - id: y\n    name: *n\n", 5, "alias (*n)"),
    ("measures:\n  - !!python/object:os.system {}\n", 2, "tag (!!python/object:os.system)"),
    ("measures:\n  - id: x\n    name: !!binary aGVsbG8=\n", 3, "tag (!!binary)"),
    ("measures:\n  - id: x\n    value: 0x_\n", 3, "cannot be read"),
    ("measures:\n  - id: x\n    value: 1" + "0" * 5000 + "\n", 3, "cannot be read"),
    ("measures:\n  - id: x\n    name: " + "[" * 70 + "]" * 70 + "\n", 3, "more than 64 levels"),
    ("measures:\n  - id: x\n    name: \"a\0b\"\n", 3, "control characters"),
])
def test_yaml_that_curated_data_never_needs_is_refused_at_its_line(mini, text, line, says):
    (mini / "odd.yaml").write_text(text)
    [problem] = problems_of(mini)
    assert (problem.file, problem.line, problem.code) == ("data/odd.yaml", line, "yaml-syntax"), problem
    assert says in problem.message and problem.hint


@pytest.mark.parametrize("field, value, says", [
    ("name", "[[a, b], {c: d}]", "must be text, not LineList"),
    ("country", "[[BGD]]", "a list is not a country"),
    ("implements", "[{a: 1}]", "refers to policy 'a mapping'"),
    ("status", "{a: [1, 2]}", "a mapping is not a measure-status"),
    ("start", "[2019]", "is not a date: 'a list'"),
    ("uncertain", "5", None),
])
def test_a_list_or_mapping_where_a_value_belongs_is_reported_without_being_turned_into_text(
        mini, field, value, says):
    path = mini / "records.yaml"
    text = path.read_text()
    marker = "  - id: prottasha\n"
    path.write_text(_set_field(text, marker, field, value))
    if says is None:  # not an error, and no crash
        build(mini)
        return
    messages = [p.message for p in problems_of(mini)]
    assert any(says in m for m in messages), messages
    assert not any("[[" in m or "{'" in m or "['" in m for m in messages), messages


def _set_field(text: str, marker: str, field: str, value: str) -> str:
    """`text` with the prottasha measure's `field` given `value` (replaced or added)."""
    head, record = text.split(marker, 1)
    lines = record.split("\n")
    for index, line in enumerate(lines):
        if line.startswith(f"    {field}:"):
            lines[index] = f"    {field}: {value}"
            break
        if line.startswith("  - ") or not line.strip():
            lines.insert(index, f"    {field}: {value}")
            break
    return head + marker + "\n".join(lines)


def test_numbers_that_are_not_finite_or_absurdly_large_are_refused(mini):
    path = mini / "records.yaml"
    for value in (".inf", ".nan", "1e999999999", "-1e999999999"):
        path.write_text(path.read_text().replace("    value: 163\n", f"    value: {value}\n", 1))
        [problem] = problems_of(mini)
        assert problem.code == "bad-value" and "must be a number" in problem.message, value
        path.write_text(path.read_text().replace(f"    value: {value}\n", "    value: 163\n", 1))


def test_a_document_text_outside_the_sources_folder_is_not_read(mini):
    path = mini / "documents.yaml"
    for name in ("../../../../../../etc/passwd", "/etc/passwd", "a\0b"):
        path.write_text(path.read_text().replace("    file: mini-report.txt\n", f"    file: {name!r}\n", 1))
        found = problems_of(mini)
        assert any(p.code == "missing-file" and p.file == "data/documents.yaml" for p in found), found
        path.write_text(path.read_text().replace(f"    file: {name!r}\n", "    file: mini-report.txt\n", 1))


def test_the_data_files_may_total_at_most_the_size_limit(mini):
    total = sum(p.stat().st_size for p in mini.glob("*.yaml"))
    settings = Settings.from_env({"RKG_MAX_DATA_BYTES": str(total)}, data_dir=mini, use_cache=False)
    assert settings.max_data_bytes == total
    build_from(settings)
    (mini / "zz-more.yaml").write_text("# " + "x" * 100 + "\n")
    with pytest.raises(LoadError) as caught:
        build_from(settings)
    [problem] = caught.value.errors
    assert (problem.file, problem.line, problem.code) == ("data/zz-more.yaml", 1, "too-large")
    assert "RKG_MAX_DATA_BYTES" in problem.hint
    assert Settings().max_data_bytes == 50 * 1024 * 1024
    build(mini)


# ---------------------------------------------------------------------------- syntax errors, where they start

@pytest.mark.parametrize("old, new, needle", [
    ("    name: Government of Bangladesh\n", '    name: "Government of Bangladesh\n', '"Government of Bangladesh'),
    ("    name: European Union\n", "    name: 'European Union\n", "'European Union"),
    ('section: "3.2.1", quote: "led by', 'section: "3.2.1, quote: "led by', '"3.2.1, quote'),
])
def test_an_unclosed_quote_is_reported_where_it_opens_not_where_the_parser_noticed(mini, old, new, needle):
    path = mini / "records.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    [problem] = problems_of(mini)
    assert (problem.file, problem.code) == ("data/records.yaml", "yaml-syntax")
    line = line_of(path, needle)
    assert problem.line == line, (problem.line, line, problem.message)
    assert problem.column == path.read_text().splitlines()[line - 1].index(needle) + 1
    assert "not closed" in problem.message and "noticed only at line" in problem.message and problem.hint


def test_one_files_syntax_error_is_that_files_only_error(mini):
    """The records of a file that does not parse are missing: references to them, and what the
    shapes make of a graph without them, would only be echoes of its syntax error."""
    documents = mini / "documents.yaml"
    documents.write_text(documents.read_text().replace("    title: A mini report for tests\n",
                                                       '    title: "A mini report for tests\n'))
    [problem] = problems_of(mini)
    assert (problem.file, problem.line, problem.code) == ("data/documents.yaml", 3, "yaml-syntax")
    (mini / "partners.yaml").write_text("actors:\n  - id: partner-ngo\n    name: 'Partner NGO\n    type: ngo\n")
    records = mini / "records.yaml"
    records.write_text(records.read_text().replace("      implementer: [iom, brac]",
                                                   "      implementer: [iom, brac, partner-ngo, bracc]"))
    found = sorted((p.file, p.code) for p in problems_of(mini))
    # bracc is in no file at all: that reference is still reported
    assert found == [("data/documents.yaml", "yaml-syntax"), ("data/partners.yaml", "yaml-syntax"),
                     ("data/records.yaml", "unknown-reference")], found
