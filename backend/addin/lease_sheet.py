"""The lease sheet as the add-in sees it: the template's columns plus four of ours.

To the right of the template's header the add-in keeps "Ledger status" and "Ledger messages"
(for the accountant) and "Ledger ID" and "Ledger version" (hidden: which stored draft a row
is, and the version the sheet last saw, for the stale-workbook check). Before extraction
those columns are blanked in the grid, so the shared parser never reports them as unknown
columns and every cell address stays where it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backend.services.leases.workbook_import import WorkbookRefused
from backend.workbooks import ExtractResult, Grid, WorkbookRejected, extract_grid, grid_from_book_json
from backend.workbooks.columns import LEASE_ALIASES, LEASE_COLUMNS
from backend.workbooks.headers import find_header, lookup_for
from backend.addin.payload import BookPayload

STATUS, MESSAGES, LEDGER_ID, VERSION = "Ledger status", "Ledger messages", "Ledger ID", "Ledger version"
OURS = (STATUS, MESSAGES, LEDGER_ID, VERSION)
_LOOKUP = lookup_for(LEASE_COLUMNS + LEASE_ALIASES)
_REF = re.compile(r"^(?P<sheet>[^!]+)!(?P<cell>[A-Z]{1,3}\d+)")


@dataclass
class LeaseSheet:
    name: str
    position: int
    header_row: int                     # 0-based
    cols: dict[str, int]                # our column label → 0-based column (existing or to be added)
    missing: list[str]                  # our columns not in the sheet yet
    rows: list[list[Any]]               # the grid rows of the sheet (before blanking ours)
    field_cols: dict[str, int] = field(default_factory=dict)  # engine field path → 0-based column
    drafts_by_row: dict[int, int] = field(default_factory=dict)  # 0-based row → draft index

    def value(self, r: int, label: str) -> Any:
        c = self.cols[label]
        row = self.rows[r] if r < len(self.rows) else []
        return row[c] if c < len(row) and label not in self.missing else None

    def ledger_id(self, r: int) -> str | None:
        v = self.value(r, LEDGER_ID)
        return str(v).strip() if v not in (None, "") else None

    def version(self, r: int) -> int | None:
        v = self.value(r, VERSION)
        try:
            return int(v)
        except (TypeError, ValueError):
            return None


@dataclass
class Extracted:
    result: ExtractResult
    sheet: LeaseSheet | None


def _our_columns(rows: list[list[Any]]) -> tuple[int | None, dict[str, int]]:
    for r, row in enumerate(rows[:30]):
        found = {str(v).strip(): c for c, v in enumerate(row) if isinstance(v, str) and v.strip() in OURS}
        if found:
            return r, found
    return None, {}


def extract(payload: BookPayload, data: dict, locale: str | None = None) -> Extracted:
    """Run the shared lease parser on the workbook, with our columns blanked out."""
    try:
        grid = grid_from_book_json(data)
    except WorkbookRejected as exc:  # the same 400/413 refusals as an uploaded file
        raise WorkbookRefused(exc) from None
    original = {name: [list(r) for r in rows] for name, rows in grid.sheets.items()}
    for rows in grid.sheets.values():
        r0, found = _our_columns(rows)
        if r0 is None:
            continue
        for row in rows:
            for c in found.values():
                if c < len(row):
                    row[c] = None
    result = extract_grid(Grid(grid.sheets, grid.date1904), locale=locale)
    sheet_name = None
    if result.provenance:
        sheet_name = result.provenance[0]["_row"].split("!")[0]
    else:
        best = None
        for name, rows in grid.sheets.items():
            h = find_header(rows, _LOOKUP)
            if h is not None and (best is None or h.score > best[1].score):
                best = (name, h)
        sheet_name = best[0] if best else None
    if sheet_name is None:
        return Extracted(result, None)
    sheet = _layout(payload, sheet_name, original[sheet_name], grid.sheets[sheet_name])
    for i, prov in enumerate(result.provenance):
        sheet.drafts_by_row[int(prov["_row"].split("!")[1]) - 1] = i
    return Extracted(result, sheet)


def _layout(payload: BookPayload, name: str, rows: list[list[Any]], blanked: list[list[Any]]) -> LeaseSheet:
    header = find_header(blanked, _LOOKUP)
    header_row = header.row if header else 0
    _, found = _our_columns(rows)
    head = rows[header_row] if header_row < len(rows) else []
    used = [c for c, v in enumerate(head) if v not in (None, "") and c not in found.values()]
    next_free = max(used, default=-1) + 1
    cols, missing = {}, []
    for label in OURS:
        if label in found:
            cols[label] = found[label]
        else:
            while next_free in found.values() or next_free in cols.values():
                next_free += 1
            cols[label] = next_free
            missing.append(label)
            next_free += 1
    position = next(i for i, s in enumerate(payload.sheets) if s.name == name)
    field_cols = {path.replace("payments[].", "payments[0]."): c
                  for path, (c, _, _) in (header.columns.items() if header else ())}
    return LeaseSheet(name, position, header_row, cols, missing, rows, field_cols)


def blank_cell_of(sheet: LeaseSheet, r: int, path: str | None) -> str | None:
    """``Leases!E4`` for a field with no value in row ``r`` (the parser can only name the row)."""
    if not path or path not in sheet.field_cols:
        return None
    c = sheet.field_cols[path]
    letters, n = "", c + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{sheet.name}!{letters}{r + 1}"


def selected_rows(payload: BookPayload, sheet: LeaseSheet | None = None, first_data_row: int = 1) -> list[int]:
    """0-based rows of the active sheet covered by the selection ("A2:F3", "A2:B3,A7"), data rows only."""
    sel = (payload.book.selection or "").replace("$", "")
    out: set[int] = set()
    for area in filter(None, (a.strip().split("!")[-1] for a in sel.split(","))):
        ends = area.split(":")
        nums = [int(m) for m in (re.sub(r"^[A-Z]*", "", e.upper()) for e in ends) if m.isdigit()]
        if not nums:  # whole columns ("A:C"): every data row
            nums = [first_data_row + 1, len(payload.active_sheet.values)]
        lo, hi = min(nums), max(nums)
        hi = min(hi, len(payload.active_sheet.values))
        out.update(range(max(lo - 1, first_data_row), hi))
    return sorted(out)


def cell_refs(text: Any) -> list[tuple[str, str]]:
    """(sheet, cell) pairs named at the start of each line of a messages cell ("Leases!F5: …")."""
    if not isinstance(text, str):
        return []
    return [(m["sheet"], m["cell"]) for m in (_REF.match(line.strip()) for line in text.splitlines()) if m]
