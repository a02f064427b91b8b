"""Ids and sources on the rows of named queries: a step after the query, keyed by the row's id
columns, so that the .rq files stay what they answer.

A column is an id column when every value it has in the answer (or every item, for a list column)
is the id of a record the graph holds: `measure`, `actor_a`, `funder_id`, `measure_ids`, ... Each
row then gets `links`, `{column: {id, kind, name, path}}` (a list for list columns), and a row
about one record (one id column that is not a list) gets that record's `sources` too: the passages
with their section and verbatim quote.
"""

from __future__ import annotations

from .catalogue import Catalogue

# kind of record -> the API path of one record (places have no page of their own: their measures)
PATHS = {"measures": "/programmes/{}", "actors": "/actors/{}", "policies": "/policies/{}", "findings": "/findings/{}",
         "recommendations": "/recommendations/{}", "figures": "/figures/{}", "indicators": "/indicators/{}",
         "places": "/programmes?place={}"}


def ref(c: Catalogue, rid: str) -> dict:
    kind = c.kind_of.get(rid, "")
    return {"id": rid, "kind": kind, "name": c.name(rid), "path": PATHS[kind].format(rid) if kind in PATHS else None}


def _items(value) -> list:
    return value if isinstance(value, list) else [value]


def id_columns(c: Catalogue, rows: list[dict]) -> list[str]:
    """The columns whose every value (or list item) is the id of a record."""
    found = []
    for column in (rows[0] if rows else {}):
        values = [v for row in rows for v in _items(row.get(column)) if v not in (None, "")]
        if values and all(isinstance(v, str) and v in c.kind_of for v in values):
            found.append(column)
    return found


def with_links(c: Catalogue, rows: list[dict]) -> list[dict]:
    """The rows with `links` (and `sources`, for a row about one record) where they have ids."""
    columns = id_columns(c, rows)
    if not columns:
        return rows
    single = [column for column in columns if not any(isinstance(row.get(column), list) for row in rows)]
    out = []
    for row in rows:
        links: dict = {}
        for column in columns:
            value = row.get(column)
            if isinstance(value, list):
                links[column] = [ref(c, v) for v in value]
            elif value not in (None, ""):
                links[column] = ref(c, value)
        extra: dict = {"links": links}
        if len(single) == 1 and row.get(single[0]) not in (None, ""):
            rid = row[single[0]]
            extra["sources"] = c.get(c.kind_of[rid], rid).get("source", [])  # type: ignore[union-attr]
        out.append(row | extra)
    return out
