"""Workbook builders for the workbook tests: openpyxl/XlsxWriter variants and raw zips."""

from __future__ import annotations

import io
import zipfile
from typing import Any, Iterable

import openpyxl
import xlsxwriter

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 b'spreadsheetml.sheet.main+xml"/>'
                 b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
             b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
             b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="Leases" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><sheetData>')


def raw_xlsx(sheet_chunks: Iterable[bytes], extra: dict[str, bytes] | None = None, after_data: bytes = b"") -> bytes:
    """A minimal .xlsx whose sheet XML is streamed from ``sheet_chunks`` (never held whole);
    ``after_data`` goes after ``</sheetData>`` (e.g. ``<mergeCells>``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD)
            for chunk in sheet_chunks:
                fh.write(chunk)
            fh.write(b"</sheetData>" + after_data + b"</worksheet>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def openpyxl_xlsx(sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None) -> bytes:
    """A workbook written by openpyxl (formulas get no cached value; "#N/A" becomes an error cell)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsxwriter_xlsx(sheets: dict[str, list[list[Any]]], date_format: str = "dd/mm/yyyy") -> bytes:
    """A workbook written by XlsxWriter (dates as real date cells with ``date_format``)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    fmt = wb.add_format({"num_format": date_format})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if hasattr(v, "year"):
                    ws.write_datetime(r, c, v, fmt)
                else:
                    ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def book_json(sheets: dict[str, list[list[Any]]]) -> dict:
    """The add-in's xlwings book JSON for these sheets (values rectangular from A1)."""
    out = []
    for name, rows in sheets.items():
        width = max((len(r) for r in rows), default=0)
        values = [[("" if v is None else v) for v in r] + [""] * (width - len(r)) for r in rows]
        out.append({"name": name, "values": values, "tables": [], "pictures": [], "charts": [], "shapes": [],
                    "pivot_tables": []})
    return {"client": "Office.js", "version": "0.37.8",
            "book": {"name": "leases.xlsx", "active_sheet_index": 0, "selection": "A1"}, "names": [],
            "sheets": out}
