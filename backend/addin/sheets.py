"""Writing result sheets (schedules, journals, exports) into the open workbook via xlwings.

A result sheet is replaced, never duplicated: when it exists it is deleted and added again
at the same position, which also removes its old Excel table (xlwings cannot delete tables).
Values go in chunks of ``CHUNK_ROWS`` so no single action gets huge; money is written as a
number (Excel has no decimal type) only at this boundary, text that Excel would run as a
formula is written as text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backend.addin.bridge import emit
from backend.addin.payload import BookPayload

CHUNK_ROWS = 2000
MONEY_FORMAT = "#,##0.00;(#,##0.00);\"-\""
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
_FORMULA_START = ("=", "+", "-", "@")


def cell(v: Any) -> Any:
    """A Python value as an Excel cell value."""
    if v is None:
        return None
    if isinstance(v, Decimal):
        return float(v)  # the sheet boundary: Excel stores doubles
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v  # shown as typed, never evaluated (formula injection)
    return v


def money(v: str | Decimal | None) -> float | None:
    return None if v in (None, "") else float(Decimal(str(v)))


def col_letter(c: int) -> str:
    s, c = "", c + 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def table_name(sheet_name: str) -> str:
    return "LL_" + re.sub(r"[^A-Za-z0-9_]", "_", sheet_name)


@dataclass
class Column:
    label: str
    kind: str = "text"          # text | money | date | int
    total: bool = False         # SUBTOTAL in the table's totals row
    hidden: bool = False


@dataclass
class ResultSheet:
    name: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)


def sheet_position(payload: BookPayload, name: str) -> int | None:
    for i, s in enumerate(payload.sheets):
        if s.name.lower() == name.lower():
            return i
    return None


def replace_sheet(book, payload: BookPayload, name: str):
    """The sheet ``name``, emptied: deleted and re-added at its place, or added at the end."""
    pos = sheet_position(payload, name)
    if pos is None:
        return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    old = book.sheets[pos]
    if len(book.sheets) == 1:  # Excel keeps at least one sheet: clear it instead
        old.clear()
        return old
    old.delete()
    if pos == 0:
        return book.sheets.add(name, before=book.sheets[0])
    return book.sheets.add(name, after=book.sheets[pos - 1])


def write_result_sheet(book, payload: BookPayload, result: ResultSheet) -> None:
    """Header, values, number formats, frozen header, an Excel table with a totals row."""
    sheet = replace_sheet(book, payload, result.name)
    ncols = len(result.columns)
    sheet.range((1, 1)).value = [[c.label for c in result.columns]]
    sheet.range((1, 1), (1, ncols)).font.bold = True
    rows = [[cell(v) for v in r] for r in result.rows]
    last = max(len(rows), 1) + 1
    # Formats first: a text column formatted as text keeps ids like "0012" or "=x" as typed.
    for c, col in enumerate(result.columns, start=1):
        fmt = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "int": "0", "text": TEXT_FORMAT}[col.kind]
        if rows:
            sheet.range((2, c), (last, c)).number_format = fmt
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start:start + CHUNK_ROWS]
        sheet.range((2 + start, 1)).value = part
    sheet.freeze_panes.freeze_at("A2")
    sheet.tables.add(sheet.range((1, 1), (last, ncols)), name=table_name(result.name),
                     table_style_name="TableStyleMedium2")
    totals = [col.label for col in result.columns if col.total]
    # Our client sets SUBTOTAL(109, …) per column: Excel's default totals row only sums the last
    # column, and a sum of balances (closing liability) would mean nothing.
    emit(book, "setTableTotals", [table_name(result.name), result.columns[0].label, totals],
         sheet_position=sheet.index - 1)
    sheet.range((1, 1), (last, ncols)).autofit()
    for c, col in enumerate(result.columns, start=1):
        if col.hidden:
            sheet.range((1, c), (last, c)).columns.hidden = True
    sheet.activate()


@dataclass
class EditedSheet:
    """A sheet we wrote, edited by the user and sent back: cells read by header name."""
    name: str
    rows: list[list[Any]]  # the data rows, below the header
    col: dict[str, int]

    def at(self, row: list[Any], header: str) -> Any:
        i = self.col[header]
        return row[i] if i < len(row) else None

    def ref(self, index: int, header: str) -> str:
        """``Sheet!E4`` for data row ``index`` (0-based) under ``header``."""
        return f"{self.name}!{col_letter(self.col[header])}{index + 2}"


def edited_sheet(payload: BookPayload, name: str, required: set[str]) -> EditedSheet | None:
    """The active sheet when it is ``name`` with the ``required`` headers in row 1 (else None: the
    caller tells the user to open it, or pull it first)."""
    sheet = payload.active_sheet
    values = sheet.values
    head = [str(v).strip() if isinstance(v, str) else v for v in (values[0] if values else [])]
    if sheet.name.lower() != name.lower() or not required <= set(head):
        return None
    return EditedSheet(sheet.name, values[1:], {h: i for i, h in enumerate(head) if isinstance(h, str)})
