"""Facets: how every list filters its records and counts what is left, the same way for the JSON
API and the explorer.

A `Listing` names, for one kind of record, its facets (a parameter whose values a record has:
codes, countries, ids) and its other filters (the text `q`, a year range, a yes/no). One rule for
all: several values of one facet match any of them (OR); different facets and filters must all
match (AND). `GET /<list>/facets?<the same parameters>` answers each facet's values with their
counts; the count of a value is how many records the list would give with that value chosen and
the facet's other values dropped (the other facets as given), so a count says what choosing a
value would give.

Three facets of measures read one role entry together: `actor`, `role` and `actor_type` match a
measure when one of its roles satisfies all of those given (`actor=iom&role=funder`: IOM funds
it; `role=funder&actor_type=ngo`: an NGO funds it), named actors and kinds of body alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .catalogue import Catalogue
from .params import Filter

Values = Callable[[Catalogue, dict, dict], Iterable]


@dataclass(frozen=True)
class Facet:
    """A filter whose values a record has, counted: `values(catalogue, record, filters)`."""

    filter: Filter
    values: Values
    labels: str  # a concept scheme (SCHEMES) the values are codes of, "country", or "records" (ids)
    label: str = ""

    @property
    def name(self) -> str:
        return self.filter.name


@dataclass(frozen=True)
class Check:
    """A filter without counts: `prepare(catalogue, value)` gives the test of a record."""

    filter: Filter
    prepare: Callable[[Catalogue, object], Callable[[dict], bool]]


@dataclass(frozen=True)
class Listing:
    kind: str
    facets: tuple[Facet, ...]
    checks: tuple[Check, ...] = ()
    years: Callable[[dict], tuple[int | None, int | None]] | None = field(default=None)

    @property
    def filters(self) -> tuple[Filter, ...]:
        return tuple(f.filter for f in self.facets) + tuple(c.filter for c in self.checks)

    def _tests(self, c: Catalogue, f: dict) -> list[Callable[[dict], bool]]:
        return [check.prepare(c, f[check.filter.name]) for check in self.checks if f.get(check.filter.name) is not None]

    def _facet_ok(self, c: Catalogue, record: dict, f: dict, leave_out: str | None = None) -> bool:
        """Whether the record has one of the wanted values of every facet given (but `leave_out`)."""
        given = f | {leave_out: None} if leave_out else f
        for facet in self.facets:
            wanted = given.get(facet.name)
            if wanted is not None and not set(facet.values(c, record, given)) & set(wanted):
                return False
        return True

    def select(self, c: Catalogue, f: dict) -> list[dict]:
        """The records matching every filter given, in id order."""
        tests = self._tests(c, f)
        return [r for r in c.kind(self.kind).values() if all(t(r) for t in tests) and self._facet_ok(c, r, f)]

    def counts(self, c: Catalogue, f: dict) -> dict:
        """Each facet's values with their counts, the total, and the span of years."""
        tests = self._tests(c, f)
        base = [r for r in c.kind(self.kind).values() if all(t(r) for t in tests)]
        total = sum(1 for r in base if self._facet_ok(c, r, f))
        facets = []
        for facet in self.facets:
            counter: Counter = Counter()
            for r in base:
                if self._facet_ok(c, r, f, leave_out=facet.name):
                    counter.update(set(facet.values(c, r, f | {facet.name: None})))
            chosen = set(f.get(facet.name) or [])
            values = [{"value": v, "label": label(c, facet.labels, v), "count": counter.get(v, 0),
                       "selected": v in chosen} for v in set(counter) | chosen]
            values.sort(key=lambda v: (-v["count"], str(v["label"]).casefold()))
            facets.append({"name": facet.name, "label": facet.label or facet.name.replace("_", " "),
                           "values": values})
        answer: dict = {"kind": self.kind, "total": total, "facets": facets}
        if self.years:
            others = {k: v for k, v in f.items() if k not in ("year_from", "year_to")}
            tests = self._tests(c, others)
            spans = [self.years(r) for r in c.kind(self.kind).values()
                     if all(t(r) for t in tests) and self._facet_ok(c, r, others)]
            known = [y for span in spans for y in span if y is not None]
            answer["years"] = {"min": min(known) if known else None, "max": max(known) if known else None,
                               "undated": sum(1 for span in spans if span == (None, None))}
        return answer


def label(c: Catalogue, labels: str, value) -> str:
    if labels == "records":
        return c.name(value) or value
    return c.labels.get(labels, {}).get(value, value)


# ---------------------------------------------------------------------------- values of records

def _list(value) -> list:
    return value if isinstance(value, list) else [value] if value not in (None, "") else []


def field_values(name: str) -> Values:
    return lambda c, r, f: _list(r.get(name))


def with_ancestors(c: Catalogue, places: Iterable[str]) -> set[str]:
    """The places and every place they are within (a district counts for its State too)."""
    found: set[str] = set()
    todo = list(places)
    while todo:
        place = todo.pop()
        if place in found or place not in c.kind("places"):
            continue  # seen, or the country a State is within
        found.add(place)
        todo += _list((c.get("places", place) or {}).get("within"))
    return found


def places_of(c: Catalogue, r: dict, f: dict) -> set[str]:
    return with_ancestors(c, _list(r.get("places")) + _list(r.get("place")))


def _entries(c: Catalogue, r: dict, f: dict) -> list[tuple[str, str | None, str | None]]:
    """(role, actor id or None, actor type) of each role entry of a measure that satisfies the
    role-group filters given in `f` (actor, role, actor_type)."""
    out = []
    for entry in r.get("involvements", []):
        actor = entry["actor"]
        kind = (c.get("actors", actor) or {}).get("type") if actor else entry["actor_type"]
        if f.get("actor") is not None and actor not in f["actor"]:
            continue
        if f.get("role") is not None and entry["role"] not in f["role"]:
            continue
        if f.get("actor_type") is not None and kind not in f["actor_type"]:
            continue
        out.append((entry["role"], actor, kind))
    return out


def entry_roles(c: Catalogue, r: dict, f: dict) -> list:
    return [role for role, _, _ in _entries(c, r, f)]


def entry_actors(c: Catalogue, r: dict, f: dict) -> list:
    return [actor for _, actor, _ in _entries(c, r, f) if actor]


def entry_types(c: Catalogue, r: dict, f: dict) -> list:
    return [kind for _, _, kind in _entries(c, r, f) if kind]


def funders(c: Catalogue, r: dict, f: dict) -> list:
    return [e["actor"] for e in r.get("involvements", []) if e["role"] == "funder" and e["actor"]]


def actor_roles(c: Catalogue, r: dict, f: dict) -> list:
    return [role for _, role in c.roles_of.get(r["id"], [])]


def actor_sector(c: Catalogue, r: dict, f: dict) -> list:
    return _list(c.type_sectors.get(r.get("type", "")))


def year(value) -> int | None:
    return int(str(value)[:4]) if value not in (None, "") else None


def span(r: dict) -> tuple[int | None, int | None]:
    return year(r.get("start")), year(r.get("end"))


def policy_span(r: dict) -> tuple[int | None, int | None]:
    start = year(r.get("start")) or year(r.get("year"))
    return start, year(r.get("end"))


def figure_span(r: dict) -> tuple[int | None, int | None]:
    return year(r.get("period_start")) or year(r.get("date")), year(r.get("date"))


# ---------------------------------------------------------------------------- filters without counts

def text(kind: str) -> Check:
    def prepare(c: Catalogue, q) -> Callable[[dict], bool]:
        found = c.search.ids(str(q), kind)
        return lambda r: r["id"] in found

    return Check(Filter("q", "string", "words to find in names, aliases, acronyms, descriptions, statements, "
                                       "curator notes and source quotes (whole words, stemmed; \"a phrase\", "
                                       "OR, -word, word*); see /search"), prepare)


def year_range(spans: Callable[[dict], tuple[int | None, int | None]]) -> tuple[Check, Check]:
    """`year_from` and `year_to`: records whose years overlap the range. A record with only a start
    runs on; one with only an end ran since before; one with neither is left out."""
    def since(c: Catalogue, wanted) -> Callable[[dict], bool]:
        def test(r: dict) -> bool:
            start, end = spans(r)
            return (start, end) != (None, None) and (end is None or end >= int(wanted))
        return test

    def until(c: Catalogue, wanted) -> Callable[[dict], bool]:
        def test(r: dict) -> bool:
            start, end = spans(r)
            return (start, end) != (None, None) and (start is None or start <= int(wanted))
        return test

    return (Check(Filter("year_from", "integer", "only records running in or after this year (start/end overlap)",
                         minimum=1900, maximum=2100), since),
            Check(Filter("year_to", "integer", "only records running in or before this year (start/end overlap)",
                         minimum=1900, maximum=2100), until))


def flag(name: str, description: str) -> Check:
    return Check(Filter(name, "boolean", description), lambda c, wanted: (lambda r: r.get(name) == wanted))


def reference(name: str, kinds: tuple[str, ...], description: str, via: str | None = None) -> Check:
    """A filter on the id of another record (of one of `kinds`, checked by its parameter type)."""
    def prepare(c: Catalogue, wanted) -> Callable[[dict], bool]:
        return lambda r: wanted in _list(r.get(via or name))
    return Check(Filter(name, "id:" + "+".join(kinds), description), prepare)


# ---------------------------------------------------------------------------- the lists

def facet(name: str, type: str, values: Values, labels: str, description: str = "", label: str = "") -> Facet:
    return Facet(Filter(name, type, description, multiple=True), values, labels, label)


def code(name: str, scheme: str, source: str | None = None, description: str = "", label: str = "") -> Facet:
    return facet(name, f"code:{scheme}", field_values(source or name), scheme, description, label)


COUNTRY = facet("country", "iso3", field_values("country"), "country", "ISO 3166-1 alpha-3 code, e.g. NPL")
PLACE = facet("place", "id:places", places_of, "records",
              "a subnational place's id (a record in a district counts for its State or province too)")
DIMENSION = code("dimension", "dimension", "dimensions")
LEVEL = code("level", "level", "levels")
PHASE = code("phase", "phase", "phases", label="migration-cycle phase")
TARGET = code("target_group", "target-group", "target_groups", label="target group")
THEME = code("theme", "theme", "themes")

MEASURES = Listing("measures", (
    COUNTRY, PLACE, DIMENSION, LEVEL,
    code("type", "measure-type", "types", "the measure's type (returnee-database, loan-scheme, ...)", "measure type"),
    code("kind", "measure-kind", "measure_kind",
         "dedicated programme, component of another measure, or general-population scheme", "counting unit"),
    facet("actor", "id:actors", entry_actors, "records", "an actor's id, name or acronym (any role, or those of `role`)"),
    facet("role", "code:role", entry_roles, "role", "a role played (by `actor`, or by an actor of `actor_type`, "
                                                    "when given): lead, funder, implementer, ..."),
    facet("actor_type", "code:actor-type", entry_types, "actor-type",
          "the type of an actor taking part (named, or the kind of body the source names)", "actor type"),
    facet("funder", "id:actors", funders, "records", "a funder's id, name or acronym"),
    code("sector", "sector", "actor_sector", "whether a State actor takes part (state) or not (non-state), "
                                              "where the sources state its actors", "State actor"),
    code("funder_sector", "sector", "funder_sector", "whether a State body funds it, where a funder is stated",
         "State funding"),
    code("status", "measure-status"), TARGET, PHASE),
    (text("measures"), *year_range(span)), years=span)

ACTORS = Listing("actors", (
    facet("country", "iso3", field_values("countries"), "country",
          "countries it is active in: where the sources say so or where it takes part in a measure or policy"),
    PLACE, code("type", "actor-type", label="actor type"),
    facet("sector", "code:sector", actor_sector, "sector", "state or non-state, by its type", "sector"),
    facet("role", "code:role", actor_roles, "role", "a role it plays in some measure")),
    (text("actors"),))

POLICIES = Listing("policies", (
    COUNTRY, code("kind", "policy-kind", label="policy kind"), code("status", "policy-status"), DIMENSION, TARGET,
    facet("actor", "id:actors", lambda c, r, f: _list(r.get("designates")) + _list(r.get("issued_by")), "records",
          "an actor it designates or that issued it")),
    (flag("addresses_reintegration", "whether the source says it has provisions on reintegration"),
     text("policies"), *year_range(policy_span)), years=policy_span)

FINDINGS = Listing("findings", (
    COUNTRY, code("kind", "finding-kind", label="finding kind"), THEME, DIMENSION, LEVEL, PHASE, TARGET),
    (reference("about", ("measures", "policies", "actors"), "id of a measure, policy or actor"), text("findings")))

RECOMMENDATIONS = Listing("recommendations", (COUNTRY, THEME, DIMENSION, LEVEL, PHASE, TARGET), (
    Check(Filter("addresses", "id:findings", "a finding's id"), lambda c, wanted: lambda r: wanted in _list(r.get("addresses"))),
    reference("about", ("measures", "policies", "actors"), "id of a measure, policy or actor"), text("recommendations")))

FIGURES = Listing("figures", (COUNTRY, PLACE, code("unit", "unit"),
                              facet("indicator", "id:indicators", field_values("indicator"), "records", "an indicator's id")),
                  (reference("about", ("measures", "policies", "actors"), "id of a measure, policy or actor"),
                   text("figures"), *year_range(figure_span)), years=figure_span)

LISTINGS = {listing.kind: listing for listing in (MEASURES, ACTORS, POLICIES, FINDINGS, RECOMMENDATIONS, FIGURES)}
