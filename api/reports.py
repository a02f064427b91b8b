"""GET /reports/{iso3} and GET /reports/regional: the gap reports of rkg.reports over HTTP.

HTML by default; Markdown or PDF by the Accept header (text/markdown, application/pdf) or by
`?format=html|md|pdf`, which wins over the header. A report is a function of the graph's data
version and of its date (today), so the bytes served are those `rkg report --date` writes for the
same data and day, and each one is computed once per graph, format and day, then served from a cache
with an ETag (api/caching.py). Reports are computed in the `reports` lane (api/lanes.py): in its
worker process, one at a time by default (rendering is CPU-bound and memory-hungry), within a time
limit, a herd of identical requests sharing one computation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ..errors import InvalidValue
from ..reports import EXTENSIONS, FORMATS, REGIONAL, generate
from .caching import Day, by_version_and_day
from .deps import KGDep, LanesDep
from .errors import ApiError, documented
from .lanes import Lanes
from .negotiation import negotiate
from .state import KG, Memo

router = APIRouter(tags=["reports"])

MEDIA = {fmt: media.split(";")[0] for fmt, media in FORMATS.items()}  # format -> bare media type
CACHE_SIZE = 24
_cache = Memo(CACHE_SIZE)

FormatQuery = Annotated[str | None, Query(description="html, md or pdf (htm and markdown too); overrides the "
                                                        "Accept header",
                                            json_schema_extra={"enum": [e.lstrip(".") for e in EXTENSIONS]})]
RESPONSES: dict[int | str, dict[str, Any]] = {200: {"description": "The report, as one self-contained file",
                   "content": {"text/html": {}, "text/markdown": {}, "application/pdf": {}}},
             **documented(404, "not a country of origin the graph covers"),
             406: {"description": "None of HTML, Markdown or PDF is acceptable"}}


def _format(request: Request, requested: str | None) -> str:
    if requested:
        fmt = EXTENSIONS.get("." + requested.strip().lower())
        if fmt is None:
            raise InvalidValue(f"'{requested}' is not a report format", parameter="format", allowed=sorted(FORMATS))
        return fmt
    media = negotiate(request.headers.get("accept"), [MEDIA["html"], MEDIA["md"], MEDIA["pdf"]])
    if media is None:
        raise ApiError(406, "not-acceptable", "reports are served as text/html, text/markdown or application/pdf",
                       allowed=[MEDIA["html"], MEDIA["md"], MEDIA["pdf"]])
    return next(fmt for fmt, value in MEDIA.items() if value == media)


def report_job(kg: KG, target: str, fmt: str, day: dt.date) -> bytes:
    """The report of the graph's data version on `day` (a job of the reports lane: run in a worker process)."""
    return generate(kg.store, target, fmt, kg.version, day)


async def _respond(request: Request, kg: KG, lanes: Lanes, target: str, requested: str | None,
                   day: dt.date) -> Response:
    fmt = _format(request, requested)
    key = (id(kg.store), kg.version, target, fmt, day)
    content = await lanes.reports.get(_cache, key, lanes.reports.job(kg, report_job, target, fmt, day))
    headers = {"Vary": "Accept", "Content-Disposition": f'inline; filename="rkg-report-{target}-{kg.version}.{fmt}"'}
    return Response(content, media_type=FORMATS[fmt], headers=headers)


@router.get("/reports/regional", summary="The regional gap report: the five countries side by side",
            response_class=Response, responses=RESPONSES, dependencies=[Depends(by_version_and_day)])
async def regional_report(request: Request, kg: KGDep, lanes: LanesDep, day: Day,
                          format: FormatQuery = None) -> Response:
    return await _respond(request, kg, lanes, REGIONAL, format, day)


@router.get("/reports/{iso3}", summary="The gap report of one country of origin", response_class=Response,
            responses=RESPONSES, dependencies=[Depends(by_version_and_day)])
async def country_report(request: Request, kg: KGDep, lanes: LanesDep, day: Day,
                         iso3: Annotated[str, Path(max_length=10, description="ISO 3166-1 alpha-3 code, e.g. NPL")],
                         format: FormatQuery = None) -> Response:
    return await _respond(request, kg, lanes, iso3.strip().upper(), format, day)
