"""CSV answers for the list routes, in one place: a list route passes its JSON body through
`respond` (records) or `respond_rows` (a named query's rows), which answer the same page as CSV
when the client asks for it (`?format=csv`, or an Accept header that prefers `text/csv` to
`application/json`).

The CSV rows of a record list are those of the export's table for the kind of record
(`rkg.exports.tables`): the same columns, names and joining rules as `rkg export --format csv` and
the Data Package describe, for the records of the page, in the page's order; a named query's are
its columns, list columns joined with "; " as in `queries/*.csv` of the export. `X-Total-Count`
gives the total the JSON's `total` gives; `limit` and `offset` page as they do for JSON.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from .negotiation import negotiate
from .state import KG

CSV = "text/csv"
# list route -> (table of the export, the item's key field)
TABLES = {"/programmes": ("measures", "id"), "/actors": ("actors", "id"), "/policies": ("policies", "id"),
          "/countries": ("countries", "iso3"), "/findings": ("findings", "id"),
          "/recommendations": ("recommendations", "id"), "/indicators": ("indicators", "id"),
          "/figures": ("figures", "id")}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, CSV: {}},
          "description": "The page as JSON, or as CSV (`?format=csv` or `Accept: text/csv`) with the columns of the "
                         "CSV export; `X-Total-Count` gives the total"}}


def wanted(request: Request, format: Annotated[Literal["json", "csv"] | None, Query(
        description="json (the default) or csv; overrides the Accept header")] = None) -> str:
    """json or csv, from `format` or else the Accept header."""
    if format:
        return format
    return "csv" if negotiate(request.headers.get("accept"), ["application/json", CSV]) == CSV else "json"


Wanted = Annotated[str, Depends(wanted)]


def table(kg: KG, name: str):
    """The export's table `name` for the served graph, computed once per graph."""
    from ..exports.tables import countries_table, record_table

    x = prepared(kg)
    return kg.cached(("exports", "table", name), lambda: countries_table(x) if name == "countries"
                     else record_table(x, name))


def respond(how: str, kg: KG, path: str, body: dict) -> Any:
    """`body` ({"items", "total"}) as it is for JSON, or the same page as CSV."""
    if how != "csv":
        return body
    name, key = TABLES[path]
    found = table(kg, name)
    by_key = kg.cached(("exports", "rows", name), lambda: {row[found.primary_key[0]]: row for row in found.rows})
    rows = [by_key[item[key]] for item in body["items"] if item.get(key) in by_key]
    return Response(found.csv(rows), media_type=f"{CSV}; charset=utf-8",
                    headers={"X-Total-Count": str(body["total"]), "Vary": "Accept",
                             "Content-Disposition": f'inline; filename="{name}-{kg.version}.csv"'})


def respond_rows(how: str, kg: KG, query, body: dict) -> Any:
    """A named query's page (`body` with "items" and "total") as it is, or as CSV."""
    if how != "csv":
        return body
    from ..exports.tables import query_table

    found = query_table(query, body["items"])
    return Response(found.csv(), media_type=f"{CSV}; charset=utf-8",
                    headers={"X-Total-Count": str(body["total"]), "Vary": "Accept",
                             "Content-Disposition": f'inline; filename="{query.name}-{kg.version}.csv"'})


def prepared(kg: KG):
    """What the exports read from the served graph (`rkg.exports.extract`), read once per graph."""
    from ..exports.extract import extract

    return kg.cached(("exports", "extract"), lambda: extract(kg.store, kg.catalogue))
