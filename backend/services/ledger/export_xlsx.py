"""XLSX for journal exports: XlsxWriter in ``constant_memory`` mode, one row's XML at a time.

XlsxWriter's per-cell path (``write_string`` → cell tuple → ``_write_cell`` → escaping) costs
about 5 µs a cell here, i.e. ~110 s for a million 20-cell lines. ``LineSheet`` is a Worksheet
subclass (XlsxWriter's ``worksheet_class`` extension point) that appends whole ``<row>``
elements to the same temporary sheet file XlsxWriter streams in constant_memory mode; header,
formats, shared strings, dimensions and packaging stay XlsxWriter's. Cells are typed: numbers
carry the exact decimal text as their value, dates are date serials with a date format, and
codes that repeat (entity, standard, status, accounts, currency…) go to the shared-string table
(bounded: after ``SST_LIMIT`` distinct values, new ones are written inline).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterator, cast

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

MAX_ROWS = 1_048_576  # Excel's sheet limit, header included
SST_LIMIT = 50_000
_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]|_x[0-9A-Fa-f]{4}_")
_EPOCH = date(1899, 12, 30).toordinal()


def _inline(text: str) -> str:
    """The <is> content of an inline string, escaped as XlsxWriter escapes it."""
    if _ESCAPE.search(text):
        text = Worksheet._escape_control_characters(text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


class LineSheet(Worksheet):
    """A constant_memory worksheet that also takes whole rows of pre-rendered cells."""

    dim_rowmax: int | None  # Worksheet's own attribute (set to None in its __init__), typed here

    def write_cells(self, row: int, cells: str) -> None:
        if self.table:  # rows written the ordinary way (the header) go out first
            self._write_single_row(row)
        self.fh.write(f'<row r="{row + 1}">{cells}</row>')
        self.previous_row = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row


class Renderer:
    """Renders typed cells for one workbook, memoising what repeats."""

    def __init__(self, wb: xlsxwriter.Workbook, n_cols: int):
        self.sst = wb.str_table
        self.cols = [xl_col_to_name(c) for c in range(n_cols)]
        self.date_xf = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.money_xf: dict[int, int] = {}
        self.wb = wb
        self.shared: dict[str, int] = {}
        self.uses = 0
        self.serials: dict[date, int] = {}

    def xf(self, fmt) -> int:
        return fmt._get_xf_index()

    def money_style(self, exp: int) -> int:
        xf = self.money_xf.get(exp)
        if xf is None:
            fmt = self.wb.add_format({"num_format": "#,##0" + ("." + "0" * exp if exp else "")})
            xf = self.money_xf[exp] = self.xf(fmt)
        return xf

    def code(self, col: int, rn: str, text: str) -> str:
        """A repeating code as a shared string (inline once the table is full)."""
        if not text:
            return ""
        idx = self.shared.get(text)
        if idx is None:
            if len(self.shared) >= SST_LIMIT:
                return self.text(col, rn, text)
            idx = self.shared[text] = self.sst._get_shared_string_index(text)
            self.sst.count -= 1  # counted in finish()
        self.uses += 1
        return f'<c r="{self.cols[col]}{rn}" t="s"><v>{idx}</v></c>'

    def text(self, col: int, rn: str, text: str) -> str:
        return f'<c r="{self.cols[col]}{rn}" t="inlineStr">{_inline(text)}</c>' if text else ""

    def number(self, col: int, rn: str, literal: str, xf: int | None = None) -> str:
        style = f' s="{xf}"' if xf is not None else ""
        return f'<c r="{self.cols[col]}{rn}"{style}><v>{literal}</v></c>'

    def day(self, col: int, rn: str, d: date, xf: int) -> str:
        serial = self.serials.get(d)
        if serial is None:
            if len(self.serials) > 10_000:
                self.serials.clear()
            serial = self.serials[d] = d.toordinal() - _EPOCH
        return f'<c r="{self.cols[col]}{rn}" s="{xf}"><v>{serial}</v></c>'

    def finish(self) -> None:
        self.sst.count += self.uses


def write(path: str, columns: list[str], rows: Iterator[tuple], render_row, max_rows: int = MAX_ROWS) -> int:
    """Write ``rows`` to ``path``; ``render_row(renderer, rn, row)`` returns one row's cells XML.
    Continues on a new sheet (header repeated) at Excel's row limit. Returns the line count."""
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                    "strings_to_numbers": False, "strings_to_urls": False, "use_zip64": True})
    head = wb.add_format({"bold": True})
    r_ = Renderer(wb, len(columns))
    r_.date_xf = r_.xf(r_.date_xf)
    ws: LineSheet | None = None
    r, sheet_no, n = max_rows, 0, 0
    for row in rows:
        if r >= max_rows or ws is None:  # (r starts at max_rows: the first row opens the first sheet)
            sheet_no += 1
            ws = cast(LineSheet, wb.add_worksheet("Journal lines" if sheet_no == 1 else f"Journal lines {sheet_no}",
                                                  worksheet_class=LineSheet))
            for c, name in enumerate(columns):
                ws.write_string(0, c, name, head)
            ws.freeze_panes(1, 0)
            r = 1
        ws.write_cells(r, render_row(r_, str(r + 1), row))
        r += 1
        n += 1
    if ws is None:  # no lines: a workbook with the header only
        ws = wb.add_worksheet("Journal lines")
        for c, name in enumerate(columns):
            ws.write_string(0, c, name, head)
    r_.finish()
    wb.close()
    return n
