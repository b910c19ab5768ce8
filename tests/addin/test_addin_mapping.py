"""The add-in's mapping sheet: pull the entity's account mapping, edit GL accounts in Excel, push it back
(same roles, validation and version check as PUT /v1/entities/{code}/account-mapping)."""
from __future__ import annotations

from backend.addin.mapping_actions import CODE, GL, MAPPING_SHEET, VERSION
from backend.services.ledger.account_codes import demo_chart
from tests.addin.fake_workbook import cell_index
from tests.addin.helpers import template_book


def _rows(wb) -> tuple[list, list[list]]:
    values = wb.sheet(MAPPING_SHEET).values()
    return values[0], values[1:]


def test_pull_edit_push_the_mapping_sheet(client, demo, post_book, make_user):
    wb = template_book()
    body = post_book("mapping/pull", wb, args={"entity": "DEMO-US"})
    assert body["ok"] and body["summary"] == {"entity": "DEMO-US", "version": 1, "unmapped": []}
    head, rows = _rows(wb)
    codes = {r[head.index(CODE)]: r[head.index(GL)] for r in rows}
    assert codes == demo_chart() and {r[head.index(VERSION)] for r in rows} == {1}

    # Edit two GL accounts (one typed as a number, as Excel sends it) and push from the Mapping sheet.
    cash = next(i for i, r in enumerate(rows) if r[head.index(CODE)] == "CASH") + 1
    interest = next(i for i, r in enumerate(rows) if r[head.index(CODE)] == "INTEREST_EXPENSE") + 1
    sheet = wb.sheet(MAPPING_SHEET)
    sheet.cells[(cash, head.index(GL))] = "1010"
    sheet.cells[(interest, head.index(GL))] = 7100.0
    wb.select(MAPPING_SHEET, "A1")
    _, reviewer = make_user("REVIEWER")
    refused = client.post("/v1/addin/mapping/push", headers=demo.headers(reviewer), json=wb.payload())
    assert refused.status_code == 403
    body = post_book("mapping/push", wb)
    assert body["ok"] and body["summary"]["version"] == 2, body
    saved = client.get("/v1/entities/DEMO-US/account-mapping", headers=demo.headers()).json()
    assert saved["accounts"]["CASH"] == "1010" and saved["accounts"]["INTEREST_EXPENSE"] == "7100"
    assert saved["version"] == 2 and saved["dimensions"] == {"lease_id": "LEASE_ID", "asset_class": "ASSET_CLASS"}
    _, rows = _rows(wb)
    assert {r[head.index(VERSION)] for r in rows} == {2}  # the sheet shows what was saved

    # Someone changes the mapping meanwhile: pushing the stale sheet is a conflict, nothing is overwritten.
    assert client.put("/v1/entities/DEMO-US/account-mapping", headers=demo.headers(), json={
        "accounts": {**saved["accounts"], "CASH": "1020"}, "version": 2}).status_code == 200
    wb.select(MAPPING_SHEET, "A1")
    stale = client.post("/v1/addin/mapping/push", headers=demo.headers(), json=wb.payload())
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert client.get("/v1/entities/DEMO-US/account-mapping",
                      headers=demo.headers()).json()["accounts"]["CASH"] == "1020"


def test_push_needs_the_mapping_sheet(post_book):
    wb = template_book()
    body = post_book("mapping/push", wb)
    assert not body["ok"] and MAPPING_SHEET in body["message"]
    assert cell_index("A1") == (0, 0)
