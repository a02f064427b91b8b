"""GET /reports/{iso3} and GET /reports/regional: the gap reports of rkg.reports over HTTP.

HTML by default; Markdown or PDF by the Accept header (text/markdown, application/pdf) or by
`?format=html|md|pdf`, which wins over the header. A report is a function of the graph's data
version alone, so the bytes served are those `rkg report` writes for the same data, and each one
is computed once per graph and format, then served from a cache (with an ETag). Reports are
computed in the `reports` lane (api/lanes.py): in its worker process, one at a time by default
(rendering is CPU-bound and memory-hungry), within a time limit, a herd of identical requests
sharing one computation.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from ..errors import InvalidValue
from ..reports import EXTENSIONS, FORMATS, REGIONAL, generate
from .deps import KGDep, LanesDep
from .errors import ApiError
from .lanes import Lanes
from .negotiation import negotiate
from .state import KG, Memo

router = APIRouter(tags=["reports"])

MEDIA = {fmt: media.split(";")[0] for fmt, media in FORMATS.items()}  # format -> bare media type
CACHE_SIZE = 24
_cache = Memo(CACHE_SIZE)

FormatQuery = Annotated[str | None, Query(description="html, md or pdf; overrides the Accept header")]
RESPONSES: dict[int | str, dict[str, Any]] = {200: {"description": "The report, as one self-contained file",
                   "content": {"text/html": {}, "text/markdown": {}, "application/pdf": {}}},
             404: {"description": "Not a country of origin the graph covers"},
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


def report_job(kg: KG, target: str, fmt: str) -> tuple[bytes, str]:
    """The report and the data version it is of (a job of the reports lane: run in a worker process)."""
    return generate(kg.store, target, fmt, kg.version), kg.version


async def _report(kg: KG, lanes: Lanes, target: str, fmt: str) -> tuple[bytes, str]:
    key = (id(kg.store), kg.version, target, fmt)
    return await lanes.reports.get(_cache, key, lanes.reports.job(kg, report_job, target, fmt))


async def _respond(request: Request, kg: KG, lanes: Lanes, target: str, requested: str | None) -> Response:
    fmt = _format(request, requested)
    content, version = await _report(kg, lanes, target, fmt)
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Vary": "Accept",
               "Content-Disposition": f'inline; filename="rkg-report-{target}-{version}.{fmt}"'}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=FORMATS[fmt], headers=headers)


@router.get("/reports/regional", summary="The regional gap report: the five countries side by side",
            response_class=Response, responses=RESPONSES)
async def regional_report(request: Request, kg: KGDep, lanes: LanesDep, format: FormatQuery = None) -> Response:
    return await _respond(request, kg, lanes, REGIONAL, format)


@router.get("/reports/{iso3}", summary="The gap report of one country of origin", response_class=Response,
            responses=RESPONSES)
async def country_report(request: Request, kg: KGDep, lanes: LanesDep,
                         iso3: Annotated[str, Path(max_length=10, description="ISO 3166-1 alpha-3 code, e.g. NPL")],
                         format: FormatQuery = None) -> Response:
    return await _respond(request, kg, lanes, iso3.strip().upper(), format)
