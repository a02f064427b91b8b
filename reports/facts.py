"""What a report knows: the rows of the named queries (queries/*.rq) and of the report's own
small queries (reports/queries/*.rq) over one store, as plain Python values (list columns as
lists, through `rkg.graph.queries.records`), and the evidence `rkg.graph.evidence` weighs for
each finding.

Nothing else feeds a report: every number and statement in it is a value of these rows. A report
is a function of the data version and of its date (`as_of`): the date is printed on the cover
and is the reference date of the sustainability section.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from ..errors import NotFound
from ..graph.evidence import Measures, assess
from ..graph.parameters import Vocabulary
from ..graph.queries import NamedQuery, get, parse_query, records, run
from ..graph.stats import data_version, record_counts

QUERIES_DIR = Path(__file__).parent / "queries"
COUNTED = ("measures", "actors", "policies", "findings", "recommendations", "figures")  # by country
ENDED = ("completed", "defunct")

# The order in which codes are shown (alphabetical order puts "community" before "individual");
# codes not listed here follow in alphabetical order. Themes: those the data can weigh come first.
DISPLAY_ORDER = {
    "dimensionScheme": ("economic", "social", "psychosocial"),
    "levelScheme": ("individual", "community", "structural"),
    "phaseScheme": ("pre-departure", "in-service", "return", "post-return"),
    "findingKindScheme": ("gap", "weakness", "strength"),
    "roleScheme": ("lead", "accountable", "funder", "extending", "implementer", "partner", "supported_by"),
    "themeScheme": ("psychosocial-support", "gender", "targeting", "pre-departure-preparation", "dimension-balance",
                    "level-balance", "policy-framework", "policy-implementation", "coordination", "data",
                    "monitoring-evaluation", "skills-and-labour-market", "finance", "access", "digital-access",
                    "awareness", "capacity", "local-governance", "continuity", "effectiveness",
                    "international-cooperation", "returnee-voice", "remigration"),
}


class ReportError(NotFound):
    """A report cannot be made for what was asked: not a country the graph covers (`not-found`),
    or not a format reports come in (`not-acceptable`)."""


@lru_cache(maxsize=1)
def own_queries() -> dict[str, NamedQuery]:
    """The report's own queries, parsed and checked like the named ones."""
    return {path.stem: parse_query(path) for path in sorted(QUERIES_DIR.glob("*.rq"))}


def long_date(day: dt.date) -> str:
    """6 December 2026 (no locale: the same words on every machine)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")
    return f"{day.day} {months[day.month - 1]} {day.year}"


class Facts:
    """Runs queries on one store, once each, and looks up the graph's labels for codes."""

    def __init__(self, store, version: str | None = None, as_of: dt.date | None = None):
        self.store = store
        self.vocabulary = Vocabulary.from_store(store)
        self.version = version or data_version(store) or "unversioned"
        self.as_of = as_of or dt.date.today()
        self._cache: dict[tuple, list[dict]] = {}
        self._assessed: dict[str | None, list[dict]] = {}
        self._measures: Measures | None = None
        self._labels = {(r["scheme"], r["code"]): r["label"] for r in self.own("concept-labels")}
        counts = record_counts(store)
        self.countries = {r["country"]: r | {kind: counts.of(kind, r["country"]) for kind in COUNTED}
                          for r in self.own("country-summary")}

    # ---------------------------------------------------------------- queries
    def _run(self, query: NamedQuery, params: dict) -> list[dict]:
        key = (query.name, str(query.path), tuple(sorted(params.items())))
        if key not in self._cache:
            rows = run(self.store, query, {k: str(v) for k, v in params.items() if v is not None},
                       self.vocabulary)
            self._cache[key] = records(rows, query)
        return list(self._cache[key])  # the rows are shared: read them, do not change them

    def named(self, name: str, **params) -> list[dict]:
        """Rows of a named query of the library (queries/*.rq)."""
        return self._run(get(name), params)

    def own(self, name: str, **params) -> list[dict]:
        """Rows of one of the report's own queries (reports/queries/*.rq)."""
        return self._run(own_queries()[name], params)

    def default(self, query: str, param: str) -> str | None:
        found = get(query).param(param)
        return found.default if found else None

    # ---------------------------------------------------------------- evidence
    def assessed(self, country: str | None = None) -> list[dict]:
        """The findings on `country` (every finding when None), each weighed by rkg.graph.evidence
        in the country (or, for every finding, in the countries it concerns): verdict and reason."""
        if country not in self._assessed:
            if self._measures is None:
                self._measures = Measures.from_store(self.store, self.vocabulary)
            rows = self.named("findings", country=country) if country else self.named("findings")
            self._assessed[country] = assess(rows, self._measures)
        return [dict(r) for r in self._assessed[country]]

    # ---------------------------------------------------------------- words
    def label(self, scheme: str, code: str | None) -> str:
        if code is None:
            return ""
        return self._labels.get((scheme, code)) or str(code).replace("_", " ").replace("-", " ")

    def codes(self, scheme: str) -> list[str]:
        """Every code of a scheme, in display order."""
        codes = sorted(code for s, code in self._labels if s == scheme)
        preferred = [c for c in DISPLAY_ORDER.get(scheme, ()) if c in codes]
        return preferred + [c for c in codes if c not in preferred]

    def order(self, scheme: str, codes) -> list[str]:
        """`codes` (an iterable, or a '; '-separated string) in display order."""
        if isinstance(codes, str):
            codes = [c for c in codes.split("; ") if c]
        codes = set(codes or ())
        known = [c for c in self.codes(scheme) if c in codes]
        return known + sorted(codes - set(known))

    def labels(self, scheme: str, codes) -> str:
        return ", ".join(self.label(scheme, c) for c in self.order(scheme, codes))

    def country_name(self, code: str) -> str:
        row = self.countries.get(code)
        return row["name"] if row else code

    def check_country(self, code: str) -> str:
        code = (code or "").strip().upper()
        if code not in self.countries:
            raise ReportError(f"'{code}' is not one of the countries of origin the graph covers",
                              allowed=sorted(self.countries))
        return code

    @property
    def date_text(self) -> str:
        return long_date(self.as_of)
