"""Workbooks for the add-in tests, built from the real template."""
from __future__ import annotations

from backend.addin.lease_sheet import LEDGER_ID, MESSAGES, STATUS, VERSION
from backend.workbooks.template import build_template
from tests.addin.fake_workbook import FakeWorkbook
from tests.leases.conftest import office_lease


def template_book(leases: list[dict] | None = None, **kw) -> FakeWorkbook:
    wb = FakeWorkbook.from_xlsx(build_template(leases if leases is not None else
                                               [office_lease("AD-1"), office_lease("AD-2"), office_lease("AD-3")]),
                                **kw)
    wb.select("Leases", "A1")
    return wb


def header(wb: FakeWorkbook, sheet: str = "Leases") -> dict[str, int]:
    row = wb.sheet(sheet).values()[0]
    return {v: c for c, v in enumerate(row) if isinstance(v, str)}


def ours(wb: FakeWorkbook, row: int) -> dict:
    """Our four columns of a 1-based sheet row."""
    h = header(wb)
    cells = wb.sheet("Leases").cells
    return {k: cells.get((row - 1, h[k])) for k in (STATUS, MESSAGES, LEDGER_ID, VERSION)}


def col_of(wb: FakeWorkbook, label: str, sheet: str = "Leases") -> str:
    from backend.addin.sheets import col_letter

    return col_letter(header(wb, sheet)[label])
