"""Query parameters and query values: the one place that turns what a user typed into a checked
value and an RDF term, and an RDF term into a plain Python value.

Parameter types (as a named query's header writes them, `# param: country iso3 optional - ...`):

| type | accepts | bound as |
| --- | --- | --- |
| `iso3` | a country code of the graph, any case (`npl`) | the code, a string literal |
| `code:<scheme>` | a concept code of that scheme (`code:target-group`); roles also with `-` for `_` | the code |
| `id:<kind>` | the id of a record of that kind (`id:actors`); actors also by name, acronym or alias | the record's IRI |
| `id:<kind>+<kind>` | the id of a record of any of those kinds (`id:measures+policies`); API filters only | - |
| `integer` | up to 12 digits with an optional `-` (no `+`, spaces or `_`) | xsd:integer |
| `decimal` | a JSON number (`-0.5`, `2`, `1e-05`) below 10^12 in size | xsd:decimal |
| `boolean` | `true` or `false` | xsd:boolean |
| `date` | a year, month or day (`2022`, `2022-06`, `2022-06-30`), or `today` | xsd:date (the first day) |
| `string` | up to 200 characters | a plain literal |
| `iri` | an absolute IRI (internal queries only) | the IRI |

The allowed values come from the vocabulary of the graph being served (`Vocabulary`), so the API,
the CLI and the reports check a value against the same list, whatever the backend. An empty value
is no value for every type but `string` (where it means "not given"). `ParamType.json_schema`
describes exactly what `ParamType.value` accepts, for the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from rdflib import XSD, BNode, Literal, URIRef

from ..errors import DefinitionError, InvalidValue
from ..loaders.problems import closest
from ..loaders.schema import CONCEPT, ID, KINDS, SCHEMES

MAX_STRING = 200
LARGEST = 10**12 - 1  # of an integer or a decimal, either sign
_INTEGER = re.compile(r"-?\d{1,12}")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
MAX_DECIMAL_CHARS = 40
# a year, month or day that exists (the 29th of February in leap years only), or `today`;
# written so that the OpenAPI document can give the same pattern
_YEAR = r"(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})"
_LEAP = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DAY = (r"(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
        r"|02-(?:0[1-9]|1\d|2[0-8])")
DATE_PATTERN = (rf"^(?:today|{_YEAR}(?:-(?:0[1-9]|1[0-2]))?|{_YEAR}-(?:{_DAY})|{_LEAP}-02-29)$")
_DATE = re.compile(DATE_PATTERN)


# ---------------------------------------------------------------------------- vocabulary

class Vocabulary:
    """What parameter values the served graph allows: the codes of each concept scheme, the ids of
    each kind of record and the names actors go by."""

    def __init__(self, codes: dict[str, set[str]], ids: dict[str, set[str]],
                 actor_names: dict[str, str] | None = None):
        self.codes = codes                    # scheme name -> notations
        self.ids = ids                        # kind key -> record ids
        self.actor_names = actor_names or {}  # casefolded name, acronym or alias -> actor id

    @classmethod
    def from_store(cls, store) -> Vocabulary:
        from .queries import internal, run

        scheme_names = {str(iri): name for name, iri in SCHEMES.items()}
        codes: dict[str, set[str]] = {name: set() for name in SCHEMES}
        for row in run(store, internal("vocabulary-codes")):
            name = scheme_names.get(str(row["scheme"]))
            if name:
                codes[name].add(str(row["code"]))
        classes = {str(kind.rdf_class): key for key, kind in KINDS.items()}
        ids: dict[str, set[str]] = {key: set() for key in KINDS}
        for row in run(store, internal("vocabulary-ids")):
            key = classes.get(str(row["class"]))
            if key and str(row["record"]).startswith(KINDS[key].iri_base):
                ids[key].add(str(row["record"])[len(KINDS[key].iri_base):])
        names: dict[str, str] = {}
        for row in run(store, internal("actor-names")):
            actor = str(row["actor"])[len(KINDS["actors"].iri_base):]
            names.setdefault(str(row["name"]).casefold(), actor)
        return cls(codes, ids, names)


# ---------------------------------------------------------------------------- types

@dataclass(frozen=True)
class ParamType:
    """One parameter type: how a raw value is checked and what it becomes."""

    name: str  # as written in query headers: "iso3", "code:dimension", ...

    @property
    def kind(self) -> str:
        return self.name.partition(":")[0]

    @property
    def detail(self) -> str:
        return self.name.partition(":")[2]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of record an `id:` type names (`id:measures+policies`)."""
        return tuple(self.detail.split("+")) if self.kind == "id" else ()

    @property
    def needs_vocabulary(self) -> bool:
        return self.kind in ("iso3", "code", "id")

    def is_absent(self, raw) -> bool:
        """Whether `raw` gives no value: None, or an empty text for `string` (an empty number,
        code or date is a value `value` refuses)."""
        return raw is None or (raw == "" and self.kind == "string")

    def allowed(self, vocabulary: Vocabulary) -> list[str] | None:
        """The values a parameter of this type may take, when they form a list."""
        if self.kind == "iso3":
            return sorted(vocabulary.codes.get("country", ()))
        if self.kind == "code":
            return sorted(vocabulary.codes.get(self.detail, ()))
        if self.kind == "id":
            return sorted({i for kind in self.kinds for i in vocabulary.ids.get(kind, ())})
        if self.kind == "boolean":
            return ["false", "true"]
        return None

    def json_schema(self, vocabulary: Vocabulary, max_enum: int = 300) -> dict:
        """The JSON Schema of a value, as exact as `value` is: the list of allowed values (when
        there are at most `max_enum`), the bounds of numbers, the pattern of dates."""
        if self.kind == "integer":
            return {"type": "integer", "minimum": -LARGEST, "maximum": LARGEST}
        if self.kind == "decimal":
            return {"type": "number", "minimum": -LARGEST, "maximum": LARGEST}
        if self.kind == "boolean":
            return {"type": "boolean"}
        if self.kind == "date":
            return {"type": "string", "pattern": DATE_PATTERN}
        if self.kind == "string":
            return {"type": "string", "maxLength": MAX_STRING}
        schema: dict = {"type": "string", "minLength": 1}
        allowed = self.allowed(vocabulary)
        if allowed is not None and len(allowed) <= max_enum:
            schema["enum"] = allowed  # (an actor is also found by its name, acronym or alias: the ids are listed)
        return schema

    def describe(self) -> str:
        return {"iso3": "an ISO 3166-1 alpha-3 country code", "integer": "a whole number",
                "decimal": "a number", "boolean": "true or false", "string": "text",
                "date": "a year, month or day (2022, 2022-06 or 2022-06-30)", "iri": "an IRI",
                "code": f"a {self.detail} code",
                "id": "the id of a " + " or ".join(KINDS[k].label for k in self.kinds if k in KINDS)}[self.kind]

    def value(self, parameter: str, raw: str, vocabulary: Vocabulary | None = None):
        """The checked value of `raw` as a plain Python value (a code, an id, a number, ...).
        Codes and ids are checked against `vocabulary` (needed for those types)."""
        kind = self.kind
        if vocabulary is None:
            if self.needs_vocabulary:
                raise DefinitionError(f"checking a value of type {self.name} needs the graph's vocabulary")
            vocabulary = Vocabulary({}, {})
        if not isinstance(raw, str):
            raw = str(raw)
        if raw == "" and kind != "string":
            raise InvalidValue(f"parameter '{parameter}' is empty: give {self.describe()}, or leave the parameter out",
                               parameter=parameter)
        if kind == "iso3":
            code = raw.upper()
            return self._one_of(parameter, code, raw, vocabulary)
        if kind == "code":
            allowed = set(self.allowed(vocabulary) or ())
            if self.detail == "role" and raw not in allowed and raw.replace("-", "_") in allowed:
                raw = raw.replace("-", "_")
            return self._one_of(parameter, raw, raw, vocabulary)
        if kind == "id":
            if self.detail == "actors" and raw not in vocabulary.ids.get("actors", ()):
                raw = vocabulary.actor_names.get(raw.casefold(), raw)
            return self._one_of(parameter, raw, raw, vocabulary)
        if kind == "integer":
            if not _INTEGER.fullmatch(raw):
                raise InvalidValue(f"parameter '{parameter}' must be a whole number, not '{raw}'",
                                   hint="write digits only, e.g. 2", parameter=parameter)
            return int(raw)
        if kind == "decimal":
            if len(raw) > MAX_DECIMAL_CHARS or not _DECIMAL.fullmatch(raw):
                raise InvalidValue(f"parameter '{parameter}' must be a number, not '{raw[:MAX_DECIMAL_CHARS]}'",
                                   hint="write digits with an optional fraction, e.g. 0.5", parameter=parameter)
            number = Decimal(raw)
            if abs(number) > LARGEST:
                raise InvalidValue(f"parameter '{parameter}' must be between {-LARGEST} and {LARGEST}, not {raw}",
                                   parameter=parameter)
            return number
        if kind == "boolean":
            if raw not in ("true", "false"):
                raise InvalidValue(f"parameter '{parameter}' must be true or false, not '{raw}'",
                                   allowed=["false", "true"], parameter=parameter)
            return raw == "true"
        if kind == "date":
            if raw == "today":
                return dt.date.today()
            if not _DATE.fullmatch(raw):
                raise InvalidValue(f"parameter '{parameter}' must be a year, month or day, not '{raw}'",
                                   hint="e.g. 2022, 2022-06 or 2022-06-30", parameter=parameter)
            year, month, day = (raw.split("-") + ["1", "1"])[:3]
            return dt.date(int(year), int(month), int(day))
        if kind == "string":
            if len(raw) > MAX_STRING:
                raise InvalidValue(f"parameter '{parameter}' is longer than {MAX_STRING} characters",
                                   parameter=parameter)
            return raw
        if kind == "iri":
            if not re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|^`\\]+", raw):
                raise InvalidValue(f"parameter '{parameter}' must be an absolute IRI, not '{raw}'",
                                   parameter=parameter)
            return raw
        raise DefinitionError(f"query parameter type '{self.name}' is not supported")

    def _one_of(self, parameter: str, value: str, raw: str, vocabulary: Vocabulary) -> str:
        allowed = self.allowed(vocabulary) or []
        if value in allowed:
            return value
        near = closest(raw, allowed)
        hint = ("did you mean " + " or ".join(repr(n) for n in near) + "?") if near else ""
        raise InvalidValue(f"'{raw}' is not {self.describe()} for parameter '{parameter}'"
                           + (f"; {hint}" if hint else ""), allowed=allowed, hint=hint, parameter=parameter)

    def term(self, value):
        """The RDF term a checked value is bound as."""
        kind = self.kind
        if kind == "id":
            if len(self.kinds) > 1:
                raise DefinitionError(f"a value of type {self.name} names no one kind of record to bind")
            return URIRef(KINDS[self.detail].iri_base + value)
        if kind == "iri":
            return URIRef(value)
        if kind == "integer":
            return Literal(value, datatype=XSD.integer)
        if kind == "decimal":
            return Literal(value, datatype=XSD.decimal)
        if kind == "boolean":
            return Literal(value, datatype=XSD.boolean)
        if kind == "date":
            return Literal(value.isoformat(), datatype=XSD.date)
        return Literal(value)


KNOWN_KINDS = ("iso3", "code", "id", "integer", "decimal", "boolean", "date", "string", "iri")


def param_type(name: str) -> ParamType:
    """The type a query header names; a DefinitionError for a type that does not exist."""
    found = ParamType(name)
    if found.kind not in KNOWN_KINDS or (found.kind == "code" and found.detail not in SCHEMES) \
            or (found.kind == "id" and not all(kind in KINDS for kind in found.kinds)):
        raise DefinitionError(f"unknown parameter type '{name}'",
                              allowed=[k for k in KNOWN_KINDS if k not in ("code", "id")]
                              + [f"code:{s}" for s in SCHEMES] + [f"id:{k}" for k in KINDS])
    return found


# ---------------------------------------------------------------------------- values

def plain(term):
    """An RDF term as a plain value, the same for the API, the CLI, the reports and the tests:
    IRIs and unknown literals as strings, numbers as int (when whole) or float, booleans as bool,
    dates as their lexical form (`2019`, `2020-11`, `2020-11-26`), None for an unbound variable."""
    if term is None:
        return None
    if isinstance(term, (URIRef, BNode)):
        return str(term)
    if not isinstance(term, Literal):
        return term
    value = term.toPython()
    if isinstance(value, Literal):  # a datatype Python has no type for (xsd:gYear, ...): its lexical form
        return str(term)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal, float)):
        if isinstance(value, float) and not value.is_integer():
            return value
        return int(value) if value == int(value) else float(value)
    return str(value) if isinstance(value, str) else str(term)


def strip_iri(iri: str) -> str:
    """The id of a record or data concept from its IRI (`.../id/actor/iom` -> `iom`)."""
    for base in (ID, CONCEPT):
        if iri.startswith(base):
            return iri[len(base):].split("/", 1)[-1]
    return iri
