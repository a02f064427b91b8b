"""The named query library: queries/*.rq, each with a header that documents it.

Header lines (before the first non-comment line):

    # title: Coverage matrix
    # answers: one or more lines saying what question the query answers
    # param: country iso3 optional - a country of origin (default: all five)
    # param: min_countries integer default=2 - ...
    # example: rkg query run coverage-matrix --param country=NPL
    # columns: country, dimension, level, measures
    # lists: measure_names        (columns holding "; "-separated lists, returned sorted)

The parameter types are those of `rkg.graph.parameters`: values are checked there, turned into
RDF terms and bound to the query variable of the same name; they are never pasted into the query
text. Three folders, one parser: `queries/*.rq` (the library users see), `queries/checks/`
(data checks that must return no rows) and `queries/internal/` (what the code itself asks the
graph: vocabulary, records, counts); the reports keep their own in `reports/queries/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import Literal

from ..errors import DefinitionError, InvalidValue, NotFound
from ..loaders.problems import did_you_mean
from .parameters import ParamType, Vocabulary, param_type, plain

_HEADER = re.compile(r"^#\s*(title|answers|param|example|columns|lists|note):\s*(.*)$")
LIST_SEPARATOR = "; "
_PARAM = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[a-z0-9:_-]+)"
                    r"(?:\s+(?P<flags>(?:optional|required|default=\S+)(?:\s+(?:optional|required|default=\S+))*))?"
                    r"\s*(?:-\s*(?P<help>.*))?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: str | None = None
    help: str = ""

    @property
    def kind(self) -> ParamType:
        return param_type(self.type)

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "required": self.required,
                "default": self.default, "description": self.help}


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    answers: str = ""
    params: list[Param] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    check: bool = False

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "answers": self.answers,
                "params": [p.as_dict() for p in self.params], "examples": self.examples,
                "columns": self.columns, "lists": self.lists, "check": self.check}


def parse_query(path: Path, check: bool = False) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    query = NamedQuery(path.stem, path, text, check=check)
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "title":
            query.title = value
        elif key in ("answers", "note"):
            query.answers = (query.answers + " " + value).strip()
        elif key == "example":
            query.examples.append(value)
        elif key == "columns":
            query.columns = [c.strip() for c in value.split(",") if c.strip()]
        elif key == "lists":
            query.lists = [c.strip() for c in value.split(",") if c.strip()]
        elif key == "param":
            found = _PARAM.match(value)
            if not found:
                raise DefinitionError(f"{path.name}: cannot read the parameter line '{value}'")
            flags = (found.group("flags") or "").split()
            default = next((f.split("=", 1)[1] for f in flags if f.startswith("default=")), None)
            param = Param(found.group("name"), found.group("type"), "required" in flags,
                          default, (found.group("help") or "").strip())
            param_type(param.type)  # an unknown type is a DefinitionError now, not at the first run
            query.params.append(param)
    if not query.title:
        raise DefinitionError(f"{path.name}: the header has no '# title:' line")
    if not re.search(r"\bWHERE\s*\{", _strip_comments(text), re.I):
        raise DefinitionError(f"{path.name}: write the query with an explicit WHERE {{ ... }}")
    for param in query.params:
        if not re.search(r"\?" + param.name + r"\b", _strip_comments(text)):
            raise DefinitionError(f"{path.name}: parameter {param.name} is not a variable of the query")
        if re.search(r"\bAS\s+\?" + param.name + r"\b", _strip_comments(text), re.I):
            # parameters arrive bound (VALUES), and a bound variable cannot be assigned again
            raise DefinitionError(f"{path.name}: parameter {param.name} must not be assigned with AS")
    return query


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def queries_dir() -> Path:
    return Path(str(resources.files("rkg.queries")))


def _folder(path: Path, pattern: str = "*.rq", check: bool = False) -> dict[str, NamedQuery]:
    return {p.stem: parse_query(p, check=check) for p in sorted(path.glob(pattern))}


@lru_cache(maxsize=1)
def library() -> dict[str, NamedQuery]:
    """Every named query, by name; checks (queries/checks/*-violation.rq) are included."""
    return _folder(queries_dir()) | _folder(queries_dir() / "checks", "*-violation.rq", check=True)


@lru_cache(maxsize=1)
def internal_queries() -> dict[str, NamedQuery]:
    """The queries the code itself runs (queries/internal/*.rq)."""
    return _folder(queries_dir() / "internal")


def internal(name: str) -> NamedQuery:
    return internal_queries()[name]


def get(name: str) -> NamedQuery:
    queries = library()
    if name not in queries:
        raise NotFound(f"there is no named query '{name}'. {did_you_mean(name, queries)}".strip(),
                       allowed=sorted(queries))
    return queries[name]


def check_values(query: NamedQuery, values: dict[str, str], vocabulary: Vocabulary | None = None,
                 store=None) -> dict:
    """The parameters' checked values (plain Python), defaults filled in; an InvalidValue for an
    unknown parameter, a missing required one or a value its type refuses. Values that must be
    in the graph's vocabulary are checked against `vocabulary`, read from `store` if not given."""
    unknown = [k for k in values if query.param(k) is None]
    if unknown:
        raise InvalidValue(f"query '{query.name}' has no parameter '{unknown[0]}'",
                           allowed=[p.name for p in query.params], parameter=unknown[0])
    checked = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if param.kind.is_absent(raw):
            if param.required:
                raise InvalidValue(f"parameter '{param.name}' of query '{query.name}' is required",
                                   parameter=param.name)
            continue
        if vocabulary is None and param.kind.needs_vocabulary:
            vocabulary = Vocabulary.from_store(store)
        checked[param.name] = param.kind.value(param.name, str(raw), vocabulary)
    return checked


def run(store, query: NamedQuery, values: dict[str, str] | None = None,
        vocabulary: Vocabulary | None = None) -> list[dict]:
    """Check, bind and run a named query; rows of RDF terms. List columns come back sorted, so the
    same graph always gives the same rows (GROUP_CONCAT's order is up to the engine)."""
    return run_checked(store, query, check_values(query, values or {}, vocabulary, store))


def bindings(query: NamedQuery, checked: dict) -> dict:
    """The RDF terms checked values are bound as, by variable name."""
    types = {p.name: p.kind for p in query.params}
    return {name: types[name].term(value) for name, value in checked.items()}


def run_checked(store, query: NamedQuery, checked: dict) -> list[dict]:
    """`run` with values `check_values` has already checked."""
    rows = store.select(query.text, bindings(query, checked))
    for row in rows:
        for column in query.lists:
            value = row.get(column)
            if value is None:
                continue
            items = sorted({v for v in str(value).split(LIST_SEPARATOR) if v})
            # an empty list is unbound on every backend (Virtuoso concatenates nothing to "")
            row[column] = Literal(LIST_SEPARATOR.join(items)) if items else None
    return rows


def records(rows: list[dict], query: NamedQuery) -> list[dict]:
    """Rows as plain values, list columns as lists: how the API, the CLI's JSON and the reports
    see a query's answer. Columns are the header's, in its order (or the row's own)."""
    columns = query.columns or (list(rows[0]) if rows else [])
    out = []
    for row in rows:
        item = {}
        for column in columns:
            term = row.get(column)
            if column in query.lists:
                item[column] = [v for v in str(term).split(LIST_SEPARATOR) if v] if term is not None else []
            else:
                item[column] = plain(term)
        out.append(item)
    return out
