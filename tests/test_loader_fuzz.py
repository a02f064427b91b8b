"""Hostile data files against the loader: every one ends in a valid build or in problems that each
name a file and a line (>= 1), within 1 GiB of address space and 20 s (each build runs in a process
of its own, tests/bounded.py); and a hypothesis fuzz of small YAML documents through the loader."""

from __future__ import annotations

import shutil

import pytest

from support import FIXTURES
from support.bounded import BoundedBuilds

MB = 1_000_000
SOURCE = '{document: mini-report, section: "1", quote: "Reintegration support spans economic"}'
LAUGHS = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9) if n else ', '.join(['lol'] * 9)}]\n"
                 for n in range(10)) + "measures:\n  - id: bomb\n    name: *l9\n"


def place(name: str = "Somewhere", **fields) -> str:
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return (f"places:\n  - id: extra-place\n    name: {name}\n    place_type: district\n    country: BGD\n"
            f"    source: {SOURCE}\n" + extra)


CORPUS = {
    # aliases, tags, keys
    "billion-laughs": LAUGHS.encode(),
    "merge-key-alias": b"base: &b {id: x}\nmeasures:\n  - <<: *b\n",
    "python-object-apply": b"measures:\n  - !!python/object/apply:os.system ['touch pwned']\n",
    "python-name": b"actors: !!python/name:os.system\n",
    "local-tag": b"measures:\n  - !record {id: x}\n",
    "binary-tag": place("!!binary aGVsbG8=").encode(),
    "set-tag": b"measures: !!set {a, b}\n",
    "complex-key": b"? [a, b]\n: c\n",
    "mapping-key": b"measures:\n  - ? {id: x}\n    : y\n",
    "number-key": b"1: x\n",
    "long-key": b"places:\n  - ? " + b"k" * MB + b"\n    : v\n",
    "duplicate-key": b"places:\n  - id: a\n    id: b\n",
    # nesting
    "deep-flow-sequence-1e5": b"measures: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "deep-flow-mapping-1e5": b"measures: " + b"{a: " * 100_000 + b"x" + b"}" * 100_000 + b"\n",
    "deep-block-sequence-1e5": b"measures:\n" + b"- " * 100_000 + b"x\n",
    "deep-indentation-1e3": b"".join(b" " * i + b"a:\n" for i in range(1000)) + b" " * 1000 + b"x\n",
    # size
    "huge-name-50mb": place("x" * (50 * MB)).encode(),
    "huge-quote-50mb": (place() + f"  - id: quoted\n    name: Q\n    place_type: district\n    country: BGD\n"
                        f"    source: {{document: mini-report, section: '1', quote: \"{'economic ' * (5 * MB)}\"}}\n"
                        ).encode(),
    "over-the-size-limit": b"# " + b"x" * (60 * 1024 * 1024) + b"\n",
    "list-of-1e6-scalars": b"measures:\n" + b"  - x\n" * 1_000_000,
    "flow-list-of-1e6": b"measures: [" + b"x, " * 1_000_000 + b"x]\n",
    "5e4-records": b"places:\n" + b"".join(b"  - {id: p%d}\n" % i for i in range(50_000)),
    "1e5-unknown-fields": b"places:\n  - id: p\n" + b"".join(b"    f%d: 1\n" % i for i in range(100_000)),
    "long-line-1mb": place("y" * MB).encode(),
    # encodings and characters
    "utf-16": place().encode("utf-16"),
    "utf-32": place().encode("utf-32"),
    "latin-1": place("Café Ñandú").encode("latin-1"),
    "invalid-utf8-middle": place().encode() + b"    note: bad \xff\xfe bytes\n",
    "overlong-utf8": place().encode() + b"    note: \xc0\xaf\n",
    "nul-byte": place("a\x00b").encode(),
    "control-characters": place("bell\x07 escape\x1b").encode(),
    "escaped-surrogate": place('"\\ud800"').encode(),
    "escape-past-unicode": place('"\\U7FFFFFFF"').encode(),
    "bom-at-start": b"\xef\xbb\xbf" + place().encode(),
    "bom-in-the-middle": place().encode() + "    note: a\ufeffb\n\ufeff".encode(),
    "crlf": place().replace("\n", "\r\n").encode(),
    "lone-cr": place().replace("\n", "\r").encode(),
    "tab-indentation": b"places:\n\t- id: x\n",
    # odd documents
    "empty": b"",
    "only-a-comment": b"# nothing here\n",
    "scalar-document": b"just some text\n",
    "list-document": b"- a\n- b\n",
    "two-documents": b"places: []\n---\nmeasures: []\n",
    "null-kinds": b"places:\nmeasures: ~\n",
    "numbers-everywhere": b"places:\n  - id: 1\n    name: 2\n    place_type: 3\n    country: 4\n",
    "huge-numbers": place(value="1e999999999", population="1" + "0" * 5000).encode(),
    "infinity-and-nan": b"figures:\n  - {id: f, indicator: x, value: .inf, unit: .nan, date: .inf}\n",
    "hex-and-octal-edge": b"places:\n  - {id: p, name: 0x_, place_type: 0b_, country: 0o_}\n",
    "structures-for-values": (f"measures:\n  - id: m\n    name: [[a]]\n    types: {{a: b}}\n    country: [[BGD]]\n"
                              f"    status: [ongoing]\n    roles: [[x]]\n    source: [[{SOURCE}]]\n"
                              f"    uncertain: 5\n    start: {{y: 2020}}\n").encode(),
    "source-file-outside": b"documents:\n  - id: d2\n    title: T\n    publisher: P\n    file: ../../../../etc/passwd\n",
    "unclosed-quote": b'places:\n  - id: q\n    name: "never closed\n    place_type: district\n',
    "unclosed-flow": b"places: [{id: q, name: x\n",
}


@pytest.fixture(scope="module")
def builds():
    runner = BoundedBuilds(memory=1 << 30, seconds=20)
    yield runner
    runner.close()


BIG = {"huge-name-50mb", "huge-quote-50mb", "list-of-1e6-scalars", "flow-list-of-1e6", "5e4-records",
       "1e5-unknown-fields"}  # seconds each: the quick loop leaves them to the full suite


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in BIG else n for n in CORPUS])
def test_a_hostile_file_ends_in_a_build_or_in_problems_at_a_file_and_line(builds, tmp_path, name):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", data)
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    (data / "hostile.yaml").write_bytes(CORPUS[name])
    answer = builds(data)
    assert answer["outcome"] in ("built", "refused"), answer
    if answer["outcome"] == "refused":
        problems = answer["problems"]
        assert problems and all(p["file"].startswith("data/") and p["line"] >= 1 for p in problems), problems
        assert any(p["file"] == "data/hostile.yaml" for p in problems), problems
        assert all(len(p["message"]) < 2000 and len(p["hint"]) < 2000 for p in problems)
        assert answer["count"] <= 1000, answer["count"]


def test_the_loader_on_generated_documents(tmp_path):
    """Hypothesis: YAML documents of text, numbers, booleans, nulls, lists and mappings, keyed by
    kinds, fields and other words, through the reader and the converter: no exception, and every
    problem has a file and a line >= 1."""
    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from rkg.graph.build import ontology_graph
    from rkg.loaders.convert import Converter
    from rkg.loaders.schema import KINDS

    words = st.sampled_from(list(KINDS) + ["id", "name", "type", "country", "source", "roles", "lead", "quote",
                                           "document", "section", "value", "uncertain", "file", "x", ""])
    scalars = st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.booleans(), st.none(), words)
    values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(words, inner, max_size=4)),
                          max_leaves=25)
    documents = st.one_of(st.dictionaries(words, values, max_size=4), values)
    (tmp_path / "data").mkdir(exist_ok=True)
    path = tmp_path / "data" / "generated.yaml"

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(documents, st.sampled_from(["plain", "flow", "mangled"]))
    def load(document, style):
        text = yaml.safe_dump(document, default_flow_style=(style == "flow"), allow_unicode=True)
        if style == "mangled":  # cut it somewhere and repeat a piece: most of these are not YAML any more
            text = text[: len(text) // 2] + text[len(text) // 3:]
        path.write_text(text, encoding="utf-8")
        converter = Converter(ontology_graph(), tmp_path / "data", FIXTURES / "sources")
        converter.read([path])
        conversion = converter.convert()
        assert all(p.file == "data/generated.yaml" and p.line >= 1 for p in conversion.problems), \
            (text, conversion.problems)

    load()
