"""The add-in's Disclosure pack action: the pack written as its own sheets, replaced (never
duplicated) on a new run, the user's sheets untouched, and the tie-out status in the task pane."""
from __future__ import annotations

import os

from tests.addin.helpers import template_book
from tests.disclosures.conftest import ENTITY, approve_all, build_portfolio

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

NOTES, TIE = "Disclosures – ASC 842 – 2026-03", "Tie-out – ASC 842 – 2026-03"


def _post(client, demo, wb, args, token=None):
    r = client.post("/v1/addin/disclosures/lease", headers=demo.headers(token), json=wb.payload(set(), args))
    assert r.status_code == 200, r.text
    body = r.json()
    wb.apply(body["actions"])
    return body


def test_disclosure_pack_sheets_replace_only_their_own(client, demo, drain, make_user):
    build_portfolio(client, demo, drain, close_through="2026-03", approve=False)
    wb = template_book()
    wb.set("Leases", "Z1", "my own note")
    reviewer = make_user("REVIEWER")[1]
    args = {"entity": ENTITY, "period": "2026-03", "standard": "ASC842"}
    body = _post(client, demo, wb, args, reviewer)
    # drafts are not approved yet: the pane shows the failing tie-out with both numbers
    assert body["ok"] is False and "checks fail" in body["message"] and "books 0.00 vs pack" in body["message"]
    assert body["sheets"] == [NOTES, TIE]
    names = [s.name for s in wb.sheets]
    assert NOTES in names and TIE in names
    notes = wb.sheet(NOTES)
    rows = notes.values()
    assert rows[0][0].startswith("Lease disclosures – DEMO-US – ASC 842 – 2026-03")
    titles = [r[0] for r in rows if r and isinstance(r[0], str)]
    assert "Maturity of lease liabilities (ASC 842-20-50-6)" in titles
    assert "Weighted-average remaining lease term and discount rate" in titles
    assert notes.frozen_rows == 2 and any(f.startswith("#,##0.00") for f in notes.formats.values())
    tie = wb.sheet(TIE).values()
    assert tie[0][:4] == ["Check", "OK", "Expected (books)", "Actual (pack)"]
    assert any(r[0] == "ledger_lease_liability" and r[1] == "FAIL" for r in tie[1:])
    # approve, run again: the same two sheets, replaced; the user's sheets and cells untouched
    approve_all(client, demo, make_user("APPROVER")[1])
    before = [s.name for s in wb.sheets]
    body = _post(client, demo, wb, args, reviewer)
    assert body["ok"] is True and body["message"].endswith("checks pass.") and "Tie-out: all" in body["message"]
    assert [s.name for s in wb.sheets] == before
    assert wb.sheet("Leases").get("Z1") == "my own note"
    assert all(r[1] == "OK" for r in wb.sheet(TIE).values()[1:])


def test_disclosure_pack_needs_entity_and_period(client, demo):
    r = client.post("/v1/addin/disclosures/lease", headers=demo.headers(),
                    json=template_book().payload(set(), {"standard": "IFRS16"}))
    assert r.status_code == 400 and r.json()["error"]["code"] == "entity_and_period_required"


def test_revenue_pack_sheets_from_the_add_in(client, demo, drain):
    """The revenue pack (#18) written by the add-in the same way: its own two sheets, the tie-out status."""
    from backend.api.schemas.revenue import SAAS_EXAMPLE

    cid = client.post("/v1/revenue/contracts", headers=demo.headers(), json=SAAS_EXAMPLE).json()["id"]
    client.post("/v1/revenue/contracts/confirm", headers=demo.headers(), json={"contract_ids": [cid]})
    drain()
    wb = template_book()
    r = client.post("/v1/addin/disclosures/revenue", headers=demo.headers(),
                    json=wb.payload(set(), {"entity": "DEMO-US", "period": "2026", "scope": "COMBINED"}))
    assert r.status_code == 200, r.text
    body = r.json()
    wb.apply(body["actions"])
    notes, tie = "Disclosures – 15+606 – FY2026", "Tie-out – 15+606 – FY2026"
    assert body["sheets"] == [notes, tie] and "Tie-out:" in body["message"]
    rows = wb.sheet(notes).values()
    assert rows[0][0].startswith("Revenue disclosures – DEMO-US – 15+606 – FY2026")
    rest = client.get("/v1/revenue/disclosures", headers=demo.headers(),
                      params={"entity": "DEMO-US", "period": "2026", "scope": "COMBINED"}).json()
    titles = {r[0] for r in rows if r and isinstance(r[0], str)}
    assert {s["title"] for s in rest["sections"]} <= titles
    assert len(wb.sheet(tie).values()) == len(rest["checks"]) + 1
    bad = client.post("/v1/addin/disclosures/revenue", headers=demo.headers(),
                      json=template_book().payload(set(), {"entity": "DEMO-US", "period": "2026", "scope": "IFRS16"}))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_scope"
