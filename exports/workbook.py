"""The tables as one Excel workbook (openpyxl): a sheet per table, in the order of the Data Package,
and a first sheet that says which sheet holds what and how cells with several values are joined.

Cells keep the types of the table's columns (numbers, booleans), so a spreadsheet can sum and
filter them; an empty cell is a value not stated. Sheet names are at most 31 characters (Excel's
limit): a named query's sheet is its name, cut where needed; the index sheet gives each sheet's file.
"""

from __future__ import annotations

import io
from datetime import datetime

from .tables import Table, cell

MAX_SHEET = 31


def _value(value, kind: str):
    if value is None or value == "" or value == []:
        return None
    if kind in ("integer", "number", "boolean") and not isinstance(value, (list, str)):
        return value
    return cell(value)


def sheet_names(tables: list[Table]) -> list[str]:
    names: list[str] = []
    for table in tables:
        base = (f"q {table.name}" if table.folder else table.name)[:MAX_SHEET]
        name, n = base, 2
        while name in names:
            name = f"{base[:MAX_SHEET - len(str(n)) - 1]}~{n}"
            n += 1
        names.append(name)
    return names


def workbook(tables: list[Table], version: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    index = book.active
    index.title = "index"
    index.append(["Reintegration Knowledge Graph", f"data version {version}"])
    index.append(["A cell with several values joins them with '; '. The sheets roles, links and sources hold "
                  "them one per row. Column descriptions: datapackage.json of the CSV export."])
    index.append([])
    index.append(["sheet", "table", "file of the CSV export", "rows", "what it holds"])
    for cell_ in index[4]:
        cell_.font = Font(bold=True)
    names = sheet_names(tables)
    for name, table in zip(names, tables):
        index.append([name, table.title, table.path, len(table.rows), table.description])
        sheet = book.create_sheet(name)
        sheet.append(table.header)
        for cell_ in sheet[1]:
            cell_.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_value(row.get(c.name), c.type) for c in table.columns])
    fixed = datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.properties.title = f"Reintegration Knowledge Graph {version}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
