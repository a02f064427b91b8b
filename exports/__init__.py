"""The graph in the formats its reusers open first, one set of files per format and data version:

- `csv`: every kind of record, the long tables (roles, links, sources) and every named query's
  answer as UTF-8 CSV, described by a Frictionless Data Package (`datapackage.json`);
- `xlsx`: the same tables as the sheets of one workbook;
- `hxl`: the HXL-tagged 3W/4W table (who does what where) for HDX's tools;
- `iati`: the measures as IATI activities (2.03), with the list of those the standard's required
  elements leave out.

`files(store, version, fmt)` gives {path: bytes}; `bundle` zips them (the same data gives the same
zip, byte for byte); `rkg export` and `GET /exports/{format}.zip` use them.
"""

from __future__ import annotations

import io
import zipfile

from .extract import Extract, extract

FORMATS = {"csv": "CSV tables with a Frictionless Data Package (datapackage.json)",
           "xlsx": "one Excel workbook, a sheet per table",
           "hxl": "the HXL 3W/4W table (who does what where), HXL-tagged CSV",
           "iati": "IATI activities (standard 2.03) as XML, with the measures left out and why"}
_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip entries carry no build time: the same data gives the same bytes


def files(store, version: str, fmt: str, prepared: Extract | None = None) -> dict[str, bytes]:
    """The files of one export format, by path inside the set."""
    x = prepared or extract(store)
    if fmt == "csv":
        from .tables import all_tables, datapackage_json

        tables = all_tables(x, store)
        return {t.path: t.csv() for t in tables} | {"datapackage.json": datapackage_json(tables, version)}
    if fmt == "xlsx":
        from .tables import all_tables
        from .workbook import workbook

        return {f"reintegration-kg-{version}.xlsx": workbook(all_tables(x, store), version)}
    if fmt == "hxl":
        from .hxl import hxl_csv

        return {"reintegration-kg-3w.csv": hxl_csv(x)}
    if fmt == "iati":
        from .iati import activities_xml, exportable, not_exported_csv

        # the schema wants one activity at least: with none, only the list of what is missing
        written = {"iati-activities.xml": activities_xml(x)} if exportable(x) else {}
        return written | {"iati-not-exported.csv": not_exported_csv(x)}
    from ..errors import InvalidValue

    raise InvalidValue(f"'{fmt}' is not an export format", allowed=sorted(FORMATS), parameter="format")


def bundle(found: dict[str, bytes], folder: str) -> bytes:
    """The files as one zip, under `folder/`, with fixed timestamps."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(found):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, found[path])
    return out.getvalue()


def zip_name(version: str, fmt: str) -> str:
    return f"reintegration-kg-{version}-{fmt}"


__all__ = ["FORMATS", "files", "bundle", "zip_name", "extract", "Extract"]
