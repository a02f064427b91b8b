"""What a report knows: the rows of the named queries (queries/*.rq) and of the report's own
small queries (reports/queries/*.rq) over one store, as plain Python values.

Nothing else feeds a report: every number and statement in it is a value of these rows.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..errors import NotFound
from ..graph.parameters import Vocabulary, plain
from ..graph.queries import NamedQuery, get, parse_query, run
from ..graph.stats import data_version, record_counts

QUERIES_DIR = Path(__file__).parent / "queries"
COUNTED = ("measures", "actors", "policies", "findings", "recommendations", "figures")  # by country

# The order in which codes are shown (alphabetical order puts "community" before "individual");
# codes not listed here follow in alphabetical order.
DISPLAY_ORDER = {
    "dimensionScheme": ("economic", "social", "psychosocial"),
    "levelScheme": ("individual", "community", "structural"),
    "phaseScheme": ("pre-departure", "in-service", "return", "post-return"),
    "findingKindScheme": ("gap", "weakness", "strength"),
    "roleScheme": ("lead", "accountable", "funder", "extending", "implementer", "partner", "supported_by"),
}


class ReportError(NotFound):
    """A report cannot be made for what was asked: not a country the graph covers (`not-found`),
    or not a format reports come in (`not-acceptable`)."""


@lru_cache(maxsize=1)
def own_queries() -> dict[str, NamedQuery]:
    """The report's own queries, parsed and checked like the named ones."""
    return {path.stem: parse_query(path) for path in sorted(QUERIES_DIR.glob("*.rq"))}


class Facts:
    """Runs queries on one store, once each, and looks up the graph's labels for codes."""

    def __init__(self, store, version: str | None = None):
        self.store = store
        self.vocabulary = Vocabulary.from_store(store)
        self.version = version or data_version(store) or "unversioned"
        self._cache: dict[tuple, list[dict]] = {}
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
            self._cache[key] = [{k: plain(v) for k, v in row.items()} for row in rows]
        return [dict(row) for row in self._cache[key]]

    def named(self, name: str, **params) -> list[dict]:
        """Rows of a named query of the library (queries/*.rq)."""
        return self._run(get(name), params)

    def own(self, name: str, **params) -> list[dict]:
        """Rows of one of the report's own queries (reports/queries/*.rq)."""
        return self._run(own_queries()[name], params)

    def default(self, query: str, param: str) -> str | None:
        found = get(query).param(param)
        return found.default if found else None

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
