"""GET /exports (what can be downloaded) and GET /exports/{format}.zip: the whole graph as CSV with a
Frictionless Data Package, as an Excel workbook, as the HXL 3W table or as IATI activities, one zip
per format and data version (the bytes `rkg export --format F --zip` writes), computed once per
graph (in the `reports` lane's worker process: api/lanes.py) and served with an ETag (api/caching.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from ..exports import FORMATS, bundle, files, zip_name
from .caching import by_version
from .deps import KGDep, LanesDep
from .errors import ApiError
from .params import known_parameters_only
from .state import KG
from .tabular import prepared

router = APIRouter(tags=["exports"], dependencies=[Depends(known_parameters_only), Depends(by_version)])


def export_job(kg: KG, fmt: str) -> bytes:
    """One export as a zip (a job of the reports lane: run in a worker process)."""
    return bundle(files(kg.store, kg.version, fmt, prepared(kg)), zip_name(kg.version, fmt))


@router.get("/exports", summary="The downloads: one zip per format (csv, xlsx, hxl, iati) of the data version served")
def list_exports(kg: KGDep) -> dict[str, Any]:
    return {"data_version": kg.version,
            "formats": [{"format": fmt, "description": text, "path": f"/exports/{fmt}.zip",
                         "file": f"{zip_name(kg.version, fmt)}.zip"} for fmt, text in FORMATS.items()]}


@router.get("/exports/{name}", summary="One export as a zip: csv.zip, xlsx.zip, hxl.zip or iati.zip",
            response_class=Response,
            responses={200: {"content": {"application/zip": {}}}, 404: {"description": "not an export"}})
async def get_export(kg: KGDep, lanes: LanesDep,
                     name: Annotated[str, Path(max_length=20, description="csv.zip, xlsx.zip, hxl.zip or iati.zip")]):
    fmt = name.removesuffix(".zip")
    if not name.endswith(".zip") or fmt not in FORMATS:
        raise ApiError(404, "not-found", f"there is no export '{name}'",
                       allowed=[f"{f}.zip" for f in FORMATS])
    content = await lanes.reports.get(kg.cache, ("exports", "zip", fmt), lanes.reports.job(kg, export_job, fmt))
    headers = {"Content-Disposition": f'attachment; filename="{zip_name(kg.version, fmt)}.zip"'}
    return Response(content, media_type="application/zip", headers=headers)
