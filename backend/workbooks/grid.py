"""A neutral in-memory grid: sheet name → rows of cell values, from A1.

Both an uploaded .xlsx (``read_xlsx``) and the Excel add-in's xlwings book JSON
(``grid_from_book_json``) become a ``Grid``, so one parser serves both.

Cell values: ``str``, ``int``, ``float``, ``bool``, ``date``, ``datetime``, ``None`` (blank),
an Excel error as its text (``"#N/A"``, ``"#REF!"`` — what Office.js sends too), or
``Uncalculated`` for a formula saved without a result. Integral floats become ``int``;
other floats stay floats (the value parsers turn them into Decimals).

Reader choice: python-calamine only. It is ~17x faster than openpyxl and exposes merged
ranges itself (``merged_cell_ranges``), so openpyxl is not needed for merged headers; the
two things calamine loses (error cells and formulas without cached values) come from
``sheet_scan``, which we run anyway to enforce the size caps before calamine loads a sheet.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

import python_calamine

from .preflight import DEFAULT_LIMITS, Limits, WorkbookRejected, preflight
from .sheet_scan import check_text_expansion, scan_sheet, workbook_sheets

__all__ = ["Grid", "Uncalculated", "a1", "col_letters", "grid_from_book_json", "read_xlsx"]


@dataclass(frozen=True)
class Uncalculated:
    """A formula cell saved without a cached result (e.g. a file written by a script)."""

    formula: str


@dataclass
class Grid:
    """Sheets in workbook order. ``rows[r][c]`` is the cell at row r+1, column c+1; rows
    may have different lengths (missing cells are blank)."""

    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    date1904: bool = False  # the workbook counts serial dates from 1904 (old Mac Excel)
    hidden_columns: dict[str, set[int]] = field(default_factory=dict)  # sheet → 0-based hidden columns
    csv: bool = False  # cells are addressed "row:column" (a CSV upload), not "B7"


@lru_cache(maxsize=1024)
def col_letters(c: int) -> str:
    """0 → ``A``, 26 → ``AA``."""
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def a1(r: int, c: int) -> str:
    """0-based (row, column) → ``"B7"``-style address."""
    return f"{col_letters(c)}{r + 1}"


def _norm(v: Any) -> Any:
    if v == "" or v is None:
        return None
    if type(v) is float and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)  # calamine returns every number as float; ids and counts are ints
    if isinstance(v, time):
        return None if v == time(0) else v.isoformat()
    if isinstance(v, timedelta):
        return v.total_seconds() / 86400  # a duration-formatted cell; only useful as a number
    return v


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Grid:
    """Read every worksheet of an .xlsx/.xlsm into a ``Grid``.

    Runs ``preflight`` first, then a streaming scan of each sheet against the row, column
    and cell caps (``too_many_rows``/``too_many_columns``/``too_many_cells``, HTTP 413) and
    the shared-string expansion cap (``too_much_text``, 413), and only then calamine.
    Merged ranges are filled with their top-left value, so a merged header or a merged
    cell spanning several leases reads the way Excel shows it.
    """
    preflight(data, limits)
    zf = zipfile.ZipFile(io.BytesIO(data))
    try:
        parts, date1904 = workbook_sheets(zf)
    except Exception:  # noqa: BLE001 - any parse failure means the workbook is unusable
        raise WorkbookRejected("corrupt_workbook", "The workbook is damaged (its sheet list cannot be read).") \
            from None
    scans = {}
    cells = 0
    for name, part in parts:
        if part not in zf.NameToInfo:
            continue
        scanned = scan_sheet(zf, part, name, limits)
        scans[name] = scanned
        cells += scanned.max_row * max(scanned.max_col, 1)
        if cells > limits.max_cells:
            raise WorkbookRejected("too_many_cells",
                                   f"The workbook has more than {limits.max_cells:,} cells in use.", 413)
    check_text_expansion(zf, scans, dict(parts), limits)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise WorkbookRejected("password_protected_or_legacy",
                               "This workbook is password-protected. Remove the password and save as .xlsx.") from None
    except python_calamine.CalamineError as e:
        raise WorkbookRejected("corrupt_workbook", f"The workbook cannot be read ({type(e).__name__}).") from None
    grid = Grid(date1904=date1904)
    filled = 0
    with wb:
        for name in wb.sheet_names:
            scan = scans.get(name)
            if scan is None:
                continue
            try:
                sheet = wb.get_sheet_by_name(name)
                end = sheet.end
                # Second line of defence, for cells the scan cannot place (no r attributes).
                if end is not None and end[0] >= limits.max_rows:
                    raise WorkbookRejected("too_many_rows",
                                           f"Sheet '{name}' has more than {limits.max_rows:,} rows.", 413)
                if end is not None and end[1] >= limits.max_columns:
                    raise WorkbookRejected("too_many_columns",
                                           f"Sheet '{name}' has more than {limits.max_columns} columns.", 413)
                raw = sheet.to_python(skip_empty_area=False) if end is not None else []
                merged = sheet.merged_cell_ranges or []
            except python_calamine.CalamineError as e:
                raise WorkbookRejected("corrupt_workbook",
                                       f"Sheet '{name}' cannot be read ({type(e).__name__}).") from None
            rows = [[_norm(v) for v in row] for row in raw]
            _overlay(rows, scan.errors, limits)
            _overlay(rows, {k: Uncalculated(f) for k, f in scan.uncalculated.items()}, limits)
            filled += _fill_merged(rows, merged, limits.max_cells - filled)
            grid.sheets[name] = rows
            if scan.hidden_cols:
                grid.hidden_columns[name] = scan.hidden_cols
    return grid


def _overlay(rows: list[list[Any]], cells: Mapping[tuple[int, int], Any], limits: Limits) -> None:
    for (r, c), v in cells.items():
        if r >= limits.max_rows or c >= limits.max_columns:
            continue  # the scan already refuses such sheets; never grow the grid past the caps
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = v


def _fill_merged(rows: list[list[Any]], merged, budget: int) -> int:
    """Copy each merged range's top-left value into its other cells, clipped to the used
    area (a merge over whole columns must not create a million rows). Returns the cells
    visited; past ``budget`` (many huge merges) the workbook is refused."""
    visited = 0
    grid_width = max((len(r) for r in rows), default=0)
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        v = rows[r0][c0]
        if v is None:
            continue
        r_end = min(r1, len(rows) - 1)
        visited += (r_end - r0 + 1) * max(min(c1 + 1, grid_width) - c0, 1)
        if visited > budget:
            raise WorkbookRejected("too_many_cells", "The workbook's merged cells cover too many cells.", 413)
        for r in range(r0, r_end + 1):
            row = rows[r]
            width = min(c1 + 1, max(len(row), c0 + 1))
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            for c in range(c0, width):
                if row[c] is None:
                    row[c] = v
    return visited

def grid_from_book_json(book: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS) -> Grid:
    """The add-in's xlwings book JSON (``{"client", "version", "book", "names", "sheets":
    [{"name", "values": [[...]], ...}]}``, values rectangular from A1) as a ``Grid``.

    Dates arrive as ISO strings (``"2024-01-01T00:00:00.000Z"``) or serial numbers and stay
    as they are: the lease parser reads both. ``""`` becomes blank; Excel errors stay text.
    Raises ``WorkbookRejected`` (``invalid_book_json`` 400, or the size codes with 413).
    """
    if not isinstance(book, Mapping) or not isinstance(book.get("sheets"), list):
        raise WorkbookRejected("invalid_book_json", "The add-in payload has no 'sheets' list.")
    grid = Grid()
    cells = 0
    for i, sheet in enumerate(book["sheets"]):
        if not isinstance(sheet, Mapping) or not isinstance(sheet.get("name"), str):
            raise WorkbookRejected("invalid_book_json", f"Sheet {i + 1} in the add-in payload has no name.")
        name = sheet["name"]
        values = sheet.get("values") or []
        if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
            raise WorkbookRejected("invalid_book_json", f"Sheet '{name}': 'values' must be a list of rows.")
        if len(values) > limits.max_rows:
            raise WorkbookRejected("too_many_rows", f"Sheet '{name}' has more than {limits.max_rows:,} rows.", 413)
        width = max((len(r) for r in values), default=0)
        if width > limits.max_columns:
            raise WorkbookRejected("too_many_columns",
                                   f"Sheet '{name}' has more than {limits.max_columns} columns.", 413)
        cells += len(values) * width
        if cells > limits.max_cells:
            raise WorkbookRejected("too_many_cells", f"The workbook has more than {limits.max_cells:,} cells.", 413)
        rows = []
        for r in values:
            row = []
            for v in r:
                if v is not None and not isinstance(v, (str, int, float, bool, date, datetime)):
                    raise WorkbookRejected("invalid_book_json", f"Sheet '{name}' holds a value of unknown type.")
                row.append(_norm(v))
            rows.append(row)
        grid.sheets[name] = rows
    return grid
