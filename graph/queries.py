"""The named query library: queries/*.rq, each with a header that documents it.

Header lines (before the first non-comment line):

    # title: Coverage matrix
    # answers: one or more lines saying what question the query answers
    # param: country iso3 optional - a country of origin (default: all five)
    # param: min_countries integer default=2 - ...
    # example: rkg query run coverage-matrix --param country=NPL
    # columns: country, dimension, level, measures
    # lists: measure_names        (columns holding "; "-separated lists, returned sorted)

Parameter types: `iso3` (a country code), `code:<scheme>` (a concept code of that scheme,
e.g. `code:target-group`), `id:<kind>` (the id of an actor, measure, policy, finding),
`integer`, `decimal`, `string`. Values are checked, turned into RDF terms and bound to the
query variable of the same name; they are never pasted into the query text. Code parameters
bind the concept's notation (a string literal) and id parameters bind the record's IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import XSD, Literal, URIRef

from ..loaders.problems import did_you_mean
from ..loaders.schema import KINDS, SCHEMES

_HEADER = re.compile(r"^#\s*(title|answers|param|example|columns|lists|note):\s*(.*)$")
LIST_SEPARATOR = "; "
_PARAM = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[a-z0-9:_-]+)"
                    r"(?:\s+(?P<flags>(?:optional|required|default=\S+)(?:\s+(?:optional|required|default=\S+))*))?"
                    r"\s*(?:-\s*(?P<help>.*))?$")


class QueryError(ValueError):
    """A named query or a parameter value is not acceptable; the message says why."""

    def __init__(self, message: str, *, allowed: list[str] | None = None, status: int = 422):
        super().__init__(message)
        self.allowed = allowed or []
        self.status = status


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: str | None = None
    help: str = ""

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
                raise QueryError(f"{path.name}: cannot read the parameter line '{value}'", status=500)
            flags = (found.group("flags") or "").split()
            default = next((f.split("=", 1)[1] for f in flags if f.startswith("default=")), None)
            query.params.append(Param(found.group("name"), found.group("type"), "required" in flags,
                                      default, (found.group("help") or "").strip()))
    if not query.title:
        raise QueryError(f"{path.name}: the header has no '# title:' line", status=500)
    if not re.search(r"\bWHERE\s*\{", _strip_comments(text), re.I):
        raise QueryError(f"{path.name}: write the query with an explicit WHERE {{ ... }}", status=500)
    for param in query.params:
        if not re.search(r"\?" + param.name + r"\b", _strip_comments(text)):
            raise QueryError(f"{path.name}: parameter {param.name} is not a variable of the query", status=500)
        if re.search(r"\bAS\s+\?" + param.name + r"\b", _strip_comments(text), re.I):
            # parameters arrive bound (VALUES), and a bound variable cannot be assigned again
            raise QueryError(f"{path.name}: parameter {param.name} must not be assigned with AS", status=500)
    return query


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def queries_dir() -> Path:
    return Path(str(resources.files("rkg.queries")))


@lru_cache(maxsize=1)
def library() -> dict[str, NamedQuery]:
    """Every named query, by name; checks (queries/checks/*-violation.rq) are included."""
    found = {}
    for path in sorted(queries_dir().glob("*.rq")):
        found[path.stem] = parse_query(path)
    for path in sorted((queries_dir() / "checks").glob("*-violation.rq")):
        found[path.stem] = parse_query(path, check=True)
    return found


def get(name: str) -> NamedQuery:
    queries = library()
    if name not in queries:
        raise QueryError(f"there is no named query '{name}'. {did_you_mean(name, queries)}".strip(),
                         allowed=sorted(queries), status=404)
    return queries[name]


class Vocabulary:
    """What parameter values are allowed, read from the graph being served."""

    def __init__(self, codes: dict[str, set[str]], ids: dict[str, set[str]]):
        self.codes = codes  # scheme name -> notations
        self.ids = ids      # kind key -> record ids

    @classmethod
    def from_store(cls, store) -> "Vocabulary":
        codes = {}
        for name, scheme in SCHEMES.items():
            rows = store.select("SELECT ?code WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme ; "
                                "<http://www.w3.org/2004/02/skos/core#notation> ?code }", {"scheme": scheme})
            codes[name] = {str(r["code"]) for r in rows}
        codes["role"] = {c.replace("_", "-") for c in codes.get("role", ())} | codes.get("role", set())
        ids = {}
        for key, kind in KINDS.items():
            rows = store.select("SELECT ?s WHERE { ?s a ?class }", {"class": kind.rdf_class})
            ids[key] = {str(r["s"])[len(kind.iri_base):] for r in rows if str(r["s"]).startswith(kind.iri_base)}
        return cls(codes, ids)


def bind(query: NamedQuery, values: dict[str, str], vocabulary: Vocabulary) -> dict:
    """Check and convert user values into RDF terms keyed by variable name."""
    unknown = [k for k in values if query.param(k) is None]
    if unknown:
        raise QueryError(f"query '{query.name}' has no parameter '{unknown[0]}'",
                         allowed=[p.name for p in query.params])
    bindings = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None or raw == "":
            if param.required:
                raise QueryError(f"parameter '{param.name}' of query '{query.name}' is required")
            continue
        bindings[param.name] = convert(param, str(raw), vocabulary)
    return bindings


def run(store, query: NamedQuery, values: dict[str, str] | None = None,
        vocabulary: Vocabulary | None = None) -> list[dict]:
    """Bind, run and tidy a named query: list columns come back sorted, so the same graph always
    gives the same rows (GROUP_CONCAT's order is up to the engine)."""
    bindings = bind(query, values or {}, vocabulary or Vocabulary.from_store(store))
    rows = store.select(query.text, bindings)
    for row in rows:
        for column in query.lists:
            value = row.get(column)
            if value is not None and str(value):
                row[column] = Literal(LIST_SEPARATOR.join(sorted(set(str(value).split(LIST_SEPARATOR)))))
    return rows


def convert(param: Param, raw: str, vocabulary: Vocabulary):
    kind, _, detail = param.type.partition(":")
    if kind == "iso3":
        code = raw.strip().upper()
        allowed = sorted(vocabulary.codes.get("country", ()))
        if code not in allowed:
            raise QueryError(f"'{raw}' is not a country code for parameter '{param.name}'", allowed=allowed)
        return Literal(code)
    if kind == "code":
        allowed = sorted(vocabulary.codes.get(detail, ()))
        if raw not in allowed:
            raise QueryError(f"'{raw}' is not a {detail} code for parameter '{param.name}'", allowed=allowed)
        return Literal(raw)
    if kind == "id":
        record_kind = KINDS[detail]
        allowed = sorted(vocabulary.ids.get(detail, ()))
        if raw not in allowed:
            near = did_you_mean(raw, allowed)
            raise QueryError(f"'{raw}' is not the id of a {record_kind.label} for parameter '{param.name}'"
                             + (f"; {near}" if near else ""), allowed=allowed)
        return URIRef(record_kind.iri_base + raw)
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise QueryError(f"parameter '{param.name}' must be a whole number, not '{raw}'")
        return Literal(int(raw), datatype=XSD.integer)
    if kind == "decimal":
        try:
            return Literal(Decimal(raw), datatype=XSD.decimal)
        except InvalidOperation:
            raise QueryError(f"parameter '{param.name}' must be a number, not '{raw}'") from None
    if kind == "string":
        if len(raw) > 200:
            raise QueryError(f"parameter '{param.name}' is longer than 200 characters")
        return Literal(raw)
    raise QueryError(f"query parameter type '{param.type}' is not supported", status=500)
