"""The lease input template (``workbook_templates/leases.xlsx``), generated from ``columns``.

Sheets: Instructions, Leases (one lease per row, its regular payment inline), Payments
(further payment streams and one-off payments, keyed by Lease ID), Lists (the drop-down
values), Synonyms (the headers and value notations accepted from other registers). The output is byte-for-byte deterministic: fixed document timestamps and fixed
zip entry times, so a test can regenerate it and compare.

    .venv/bin/python -m backend.workbooks.template [--out PATH]
"""

from __future__ import annotations

import argparse
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from .columns import LEASE_COLUMNS, PAYMENT_COLUMNS, YES_NO, Column
from .vocabulary import NOTATIONS, header_table

__all__ = ["EXAMPLE_LEASES", "build_template", "build_workbook", "main", "workbook_bytes"]

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "workbook_templates" / "leases.xlsx"
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
DATA_ROWS = 5000  # rows covered by the drop-down validations
RESTORATION_NOTE = ("Enter restoration costs at their present value at commencement (the provision as measured "
                    "under IAS 37, or the asset retirement obligation under ASC 410-20): the amount is added to the "
                    "right-of-use asset as entered and is not discounted again. ASC 842 books include it only when "
                    "the entity's lease policy sets asc_restoration_in_rou.")
# Template-only additions to a column's help (header comment and Instructions row).
EXTRA_HELP = {"restoration_costs": RESTORATION_NOTE}


def _help(col: Column) -> str:
    extra = EXTRA_HELP.get(col.path)
    return f"{col.help} {extra}" if extra else col.help

EXAMPLE_LEASES: tuple[dict[str, Any], ...] = (
    {"external_id": "L-1001", "entity": "UK01", "description": "Head office, 3rd floor, 10 King Street",
     "asset_class": "property", "currency": "GBP", "commencement_date": "2026-01-01", "end_date": "2035-12-31",
     "payments": [{"from": "2026-01-01", "to": "2035-12-31", "amount": "25000.00", "frequency": "monthly",
                   "timing": "advance", "kind": "fixed", "escalation": {"percent": "3", "every_months": 12}}],
     "discount_rate": "0.055", "initial_direct_costs": "12000.00", "lease_incentives_received": "30000.00",
     "restoration_costs": "50000.00"},
    {"external_id": "L-1002", "entity": "UK01", "description": "Delivery van VN22 ABC",
     "asset_class": "vehicle", "currency": "GBP", "commencement_date": "2026-03-15", "end_date": "2030-03-14",
     "payments": [{"from": "2026-03-15", "to": "2030-03-14", "amount": "650.00", "frequency": "monthly",
                   "timing": "arrears", "kind": "fixed"}],
     "discount_rate": "0.062", "residual_value_guarantee": {"guaranteed_amount": "8000.00",
                                                           "expected_residual_value": "7000.00"},
     "useful_life_months": 96},
    {"external_id": "L-1003", "entity": "US01", "description": "Pop-up store, Austin TX (short-term)",
     "asset_class": "property", "currency": "USD", "commencement_date": "2026-02-01", "end_date": "2026-10-31",
     "payments": [{"from": "2026-02-01", "to": "2026-10-31", "amount": "4000.00", "frequency": "monthly",
                   "timing": "advance", "kind": "fixed"}],
     "discount_rate": "0.07"},
    {"external_id": "L-1004", "entity": "DE01", "description": "Forklift fleet (12 units), Hamburg DC",
     "asset_class": "equipment", "currency": "EUR", "commencement_date": "2026-01-01", "end_date": "2030-12-31",
     "payments": [{"from": "2026-01-01", "to": "2027-12-31", "amount": "9000.00", "frequency": "quarterly",
                   "timing": "advance", "kind": "fixed"},
                  {"from": "2028-01-01", "to": "2030-12-31", "amount": "9500.00", "frequency": "quarterly",
                   "timing": "advance", "kind": "fixed"}],
     "other_payments": [{"date": "2026-01-01", "amount": "-5000.00", "kind": "incentive_receivable"}],
     "discount_rate": "0.048", "rate_convention": "nominal"},
)

_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_REQUIRED_FILL = PatternFill("solid", fgColor="C00000")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_LISTS = "Lists"


def _get(d: Mapping[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, Mapping) or part not in d:
            return None
        d = d[part]
    return d


def _cell_value(col: Column, v: Any) -> Any:
    """An engine input value as the cell value a person would type."""
    if v is None:
        return None
    if col.kind == "date":
        return date.fromisoformat(v) if isinstance(v, str) else v
    if col.kind == "money":
        return Decimal(str(v))
    if col.kind == "percent":
        return Decimal(str(v))                      # 0.055 shown as 5.50 %
    if col.kind == "escalation":
        return Decimal(str(v)) / 100                # engine percent points → a %-formatted fraction
    if col.kind == "bool":
        return "yes" if v else "no"
    return v


def _lease_row(lease: Mapping[str, Any]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The Leases row and the Payments rows of one engine input dict. A single stream is
    written inline; several streams all go to the Payments sheet."""
    streams = list(lease.get("payments") or [])
    inline = streams[0] if len(streams) == 1 else None
    row = []
    for col in LEASE_COLUMNS:
        if col.path.startswith("payments[]."):
            v = _get(inline, col.path[len("payments[]."):]) if inline else None
        else:
            v = _get(lease, col.path)
        row.append(_cell_value(col, v))
    extra = [dict(s) for s in streams] if inline is None else []
    extra += [{"from": o["date"], "amount": o["amount"], "kind": o["kind"]} for o in lease.get("other_payments") or []]
    return row, [dict(p, lease_ref=lease.get("external_id")) for p in extra]


def _append_as_values(ws, row: list[Any]) -> None:
    """Append a row whose text is data: openpyxl would store "=..." as a formula, which
    Excel would then run (formula injection), so such cells are forced to plain text."""
    ws.append(row)
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _header(ws, columns: Iterable[Column]) -> None:
    for c, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=col.label)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if col.required else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(("Required. " if col.required else "") + _help(col), "Ledger Layer")
        ws.column_dimensions[get_column_letter(c)].width = col.width
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 32


def _formats_and_lists(ws, columns: tuple[Column, ...], list_ranges: dict[tuple[str, ...], str]) -> None:
    for c, col in enumerate(columns, start=1):
        letter = get_column_letter(c)
        if col.number_format:
            ws.column_dimensions[letter].number_format = col.number_format
            for r in range(2, ws.max_row + 1):
                ws.cell(row=r, column=c).number_format = col.number_format
        if col.list_values:
            strict = col.kind != "text"   # asset class: examples only, other values allowed
            dv = DataValidation(type="list", formula1=list_ranges[col.list_values], allow_blank=True,
                                showErrorMessage=True, errorStyle="stop" if strict else "information",
                                errorTitle=col.label,
                                error=f"Pick one of the values in the list ({col.label}).")
            dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
            ws.add_data_validation(dv)


def _instructions(ws) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 11
    ws.column_dimensions["C"].width = 100
    lines: list[tuple[Any, ...]] = [
        ("Ledger Layer — lease input template",),
        (),
        ("How to use",),
        ("", "", "Enter one lease per row on the Leases sheet. Red headers are required."),
        ("", "", "A lease with one regular payment: fill its Payment amount, Frequency and Timing on the Leases "
                 "row. Step rents, several payment streams or one-off payments: leave those blank and add rows "
                 "on the Payments sheet with the same Lease ID."),
        ("", "", "Dates: real Excel dates or text as YYYY-MM-DD. Text like 03/04/2026 is ambiguous and is "
                 "flagged for review; 31/12/2026 and 2026-12-31 are not."),
        ("", "", "Amounts: numbers, or text such as 1,234.50 / 1.234,50 / (1,000) for negatives. Percentages: "
                 "5% or 0.05 (a plain 5 also means 5 %)."),
        ("", "", "Extra columns of your own are ignored (and listed as warnings). Blank rows are skipped. "
                 "Headers may use common synonyms (e.g. Contract #, Start date, Monthly rent, IBR): the "
                 "Synonyms sheet lists them all, with the notations accepted for amounts, rates and rents. "
                 "CSV files are accepted too."),
        ("", "", RESTORATION_NOTE),
        ("", "", "Upload the file to Ledger Layer or press Extract in the Excel add-in. Nothing is saved as "
                 "final: every lease becomes a draft to review, and every problem is reported against its cell."),
        (),
        ("Leases sheet", "Required", "What to enter"),
        *((col.label, "yes" if col.required else "", _help(col)) for col in LEASE_COLUMNS),
        (),
        ("Payments sheet", "Required", "What to enter"),
        *((col.label, "yes" if col.required else "", col.help) for col in PAYMENT_COLUMNS),
    ]
    for r, line in enumerate(lines, start=1):
        for c, v in enumerate(line, start=1):
            cell = ws.cell(row=r, column=c, value=v or None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if len(line) == 1 or (len(line) == 3 and line[1] == "Required"):
            for c in range(1, len(line) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True, size=14 if r == 1 else 11)
    ws.sheet_view.showGridLines = False


def _lists(ws) -> dict[tuple[str, ...], str]:
    ranges: dict[tuple[str, ...], str] = {}
    titles: set[str] = set()
    c = 0
    for sheet, col in [("Leases", x) for x in LEASE_COLUMNS] + [("Payments", x) for x in PAYMENT_COLUMNS]:
        if not col.list_values or col.list_values in ranges:
            continue
        c += 1
        letter = get_column_letter(c)
        title = "Yes / No" if col.list_values == YES_NO else col.label
        title = f"{title} ({sheet} sheet)" if title in titles else title
        titles.add(title)
        ws.cell(row=1, column=c, value=title).font = Font(bold=True)
        for r, v in enumerate(col.list_values, start=2):
            ws.cell(row=r, column=c, value=v)
        ws.column_dimensions[letter].width = max(14, max(len(v) for v in col.list_values) + 2)
        ranges[col.list_values] = f"{_LISTS}!${letter}$2:${letter}${len(col.list_values) + 1}"
    return ranges


def _synonyms(ws) -> None:
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 120
    lines = [("Headers and notations accepted from other registers",), (),
             ("Column", "Headers accepted (case, spaces and punctuation ignored)"),
             *((label, ", ".join(words)) for label, words in header_table()), (),
             ("Values", "Accepted notation"), *NOTATIONS]
    for r, line in enumerate(lines, start=1):
        for c, v in enumerate(line, start=1):
            ws.cell(row=r, column=c, value=v).alignment = Alignment(wrap_text=True, vertical="top")
        if len(line) == 1 or (line and line[0] in ("Column", "Values")):
            for c in range(1, len(line) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True, size=14 if r == 1 else 11)
    ws.sheet_view.showGridLines = False


def build_workbook(leases: Iterable[Mapping[str, Any]] = EXAMPLE_LEASES) -> Workbook:
    """The template as an openpyxl workbook, with ``leases`` (engine input dicts) as rows."""
    wb = Workbook()
    instructions = wb.active
    instructions.title = "Instructions"
    ws_leases = wb.create_sheet("Leases")
    ws_pay = wb.create_sheet("Payments")
    ws_lists = wb.create_sheet(_LISTS)
    _synonyms(wb.create_sheet("Synonyms"))
    _instructions(instructions)
    _header(ws_leases, LEASE_COLUMNS)
    _header(ws_pay, PAYMENT_COLUMNS)
    for lease in leases:
        row, payments = _lease_row(lease)
        _append_as_values(ws_leases, row)
        for p in payments:
            _append_as_values(ws_pay, [_cell_value(col, _get(p, col.path)) for col in PAYMENT_COLUMNS])
    ranges = _lists(ws_lists)
    _formats_and_lists(ws_leases, LEASE_COLUMNS, ranges)
    _formats_and_lists(ws_pay, PAYMENT_COLUMNS, ranges)
    wb.active = 1
    wb.properties.creator = "Ledger Layer"
    wb.properties.title = "Lease input template"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """Serialise deterministically: openpyxl's ``save`` stamps the current time into the
    core properties and every zip entry, so write through ``ExcelWriter`` and re-pack the
    entries with a fixed timestamp."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build_template(leases: Iterable[Mapping[str, Any]] = EXAMPLE_LEASES) -> bytes:
    """The template's bytes (deterministic for the same ``leases``)."""
    return workbook_bytes(build_workbook(leases))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the lease input template.")
    parser.add_argument("--out", type=Path, default=TEMPLATE_PATH)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(build_template())
    print(args.out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
