"""Template workbook → Extract → Confirm → Pull schedule: the sheet holds exactly
GET /v1/leases/{id}/schedule, and pulling again replaces the sheet instead of adding one."""
from __future__ import annotations

from decimal import Decimal

import pytest

from backend.addin.result_actions import _label
from backend.addin.sheets import table_name
from tests.addin.helpers import ours, template_book
from tests.leases.conftest import office_lease


@pytest.mark.parametrize("standard", ["IFRS16", "ASC842"])
def test_template_extract_confirm_pull_schedule_equals_the_api(client, demo, post_book, drain, standard):
    leases = [office_lease("RT-1"), office_lease("RT-2", commencement_date="2026-02-15", end_date="2027-02-14",
                                                 payments=[{"from": "2026-02-15", "to": "2027-02-14",
                                                            "amount": "2500.00", "frequency": "quarterly",
                                                            "timing": "arrears"}])]
    wb = template_book(leases)
    assert post_book("leases/extract", wb)["summary"]["drafts_with_errors"] == 0
    wb.select("Leases", "A2:A3")
    assert post_book("leases/confirm", wb)["summary"]["confirmed"] == 2
    drain()
    wb.select("Leases", "C2:C3")
    body = post_book("leases/schedule", wb, args={"standard": standard})
    assert body["ok"], body["message"]

    sheet = wb.sheet(f"Schedule {standard}")
    rows = sheet.values()
    head = rows[0]
    assert sheet.frozen_rows == 1 and table_name(sheet.name) in sheet.tables
    totals = sheet.tables[table_name(sheet.name)]["totals"]
    assert "Interest" in totals["columns"] and "Closing liability" not in totals["columns"]
    assert sheet.formats[(1, head.index("Interest"))].startswith("#,##0.00")
    by_lease: dict[str, list[list]] = {}
    for row in rows[1:]:
        by_lease.setdefault(row[head.index("Ledger ID")], []).append(row)
    assert set(by_lease) == {ours(wb, 2)["Ledger ID"], ours(wb, 3)["Ledger ID"]}
    compared = 0
    for lease_id, sheet_rows in by_lease.items():
        api = client.get(f"/v1/leases/{lease_id}/schedule", headers=demo.headers(),
                         params={"standard": standard}).json()
        assert len(sheet_rows) == len(api["periods"])
        for row, period in zip(sheet_rows, api["periods"]):
            assert row[head.index("Period")] == period["period"]
            assert row[head.index("Period end")] == period["period_end"]
            for field, value in period.items():
                if field in ("period", "period_end"):
                    continue
                label = _label(field)
                cell = row[head.index(label)] if label in head else "absent"
                if value is None:
                    assert cell is None, (field, cell)
                else:
                    assert cell != "absent" and Decimal(str(cell)) == Decimal(value), (field, cell, value)
                    compared += 1
    assert compared > 100

    # Pulling again replaces the sheet: same position, same rows, one table.
    n_sheets = len(wb.sheets)
    post_book("leases/schedule", wb, args={"standard": standard})
    assert len(wb.sheets) == n_sheets and wb.sheet(f"Schedule {standard}").values() == rows
    assert [s.name for s in wb.sheets].count(f"Schedule {standard}") == 1


def test_pull_schedule_before_confirm_says_so(client, demo, post_book):
    wb = template_book()
    post_book("leases/extract", wb)
    wb.select("Leases", "A2")
    body = post_book("leases/schedule", wb)
    assert not body["ok"] and "No schedule to show yet" in body["message"] and "Schedule IFRS16" not in [
        s.name for s in wb.sheets]


def test_pull_schedule_by_filter_takes_every_confirmed_lease(client, demo, post_book, drain):
    wb = template_book()
    post_book("leases/extract", wb)
    wb.select("Leases", "A2,A4")
    post_book("leases/confirm", wb)
    drain()
    wb.select("Instructions", "A1")  # no lease rows selected: the filter decides
    body = post_book("leases/schedule", wb, only={"Instructions"}, args={"standard": "ASC842", "entity": "DEMO-US"})
    assert body["ok"] and body["summary"]["leases"] == 2
    rows = wb.sheet("Schedule ASC842").values()
    ids = {r[rows[0].index("Lease ID")] for r in rows[1:]}
    assert ids == {"AD-1", "AD-3"}
