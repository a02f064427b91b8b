"""What a graph holds: its data version and its records counted by kind and by country. The one
place records are counted (`queries/internal/record-counts.rq`), whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass

from ..loaders.schema import KIND_ORDER, KINDS
from .queries import internal, run


@dataclass(frozen=True)
class RecordCounts:
    by_kind: dict[str, int]                  # kind -> records
    by_country: dict[str, dict[str, int]]    # kind -> country code, scope or "none" -> records

    def nonzero(self) -> dict[str, int]:
        return {kind: n for kind, n in self.by_kind.items() if n}

    def of(self, kind: str, area: str) -> int:
        return self.by_country.get(kind, {}).get(area, 0)


def record_counts(store) -> RecordCounts:
    """Records by kind (every kind, 0 included) and by the country (or scope) each is about; a
    record about several countries counts once in each."""
    kind_of = {str(KINDS[key].rdf_class): key for key in KIND_ORDER}
    by_kind = {key: 0 for key in KIND_ORDER}
    by_country: dict[str, dict[str, int]] = {key: {} for key in KIND_ORDER}
    for row in run(store, internal("record-counts")):
        key = kind_of.get(str(row["class"]))
        if key is None:
            continue
        area, n = str(row["area"]), int(row["n"])
        if area == "*":
            by_kind[key] = n
        else:
            by_country[key][area] = n
    return RecordCounts(by_kind, {k: dict(sorted(v.items())) for k, v in by_country.items()})


def data_version(store) -> str | None:
    """The data version `rkg build` recorded in the graph; None for a graph it did not write."""
    rows = run(store, internal("data-version"))
    return str(rows[0]["version"]) if rows and rows[0].get("version") is not None else None
