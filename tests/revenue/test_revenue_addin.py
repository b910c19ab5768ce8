"""The add-in's revenue actions with hand-built Office.js payloads (no Excel): template → extract →
validate → confirm → schedules and RPO written back as sheets."""
from __future__ import annotations

import os

from backend.workbooks.revenue_template import build_template
from tests.addin.fake_workbook import FakeWorkbook

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def _post(client, demo, route, wb, only=None, args=None):
    r = client.post(f"/v1/addin/revenue/{route}", headers=demo.headers(), json=wb.payload(only, args))
    assert r.status_code == 200, r.text
    body = r.json()
    wb.apply(body["actions"])
    return body


def test_template_through_the_addin(client, demo, drain, make_user):
    wb = FakeWorkbook.from_xlsx(build_template())
    wb.select("Contracts", "A1")
    ex = _post(client, demo, "contracts/extract", wb, only={"Contracts", "PerformanceObligations", "Billing"})
    assert ex["ok"] and ex["summary"]["drafts"] == 3, ex["message"]
    status = wb.sheet("Revenue contracts").values()
    assert status[0][:4] == ["External ID", "Entity", "Customer", "Status"] and len(status) >= 4
    wb.select("Revenue contracts", "A2:G4")
    v = _post(client, demo, "contracts/validate", wb, only={"Revenue contracts"})
    assert v["ok"] and v["message"].startswith("3 of 3"), v["message"]
    c = _post(client, demo, "contracts/confirm", wb, only={"Revenue contracts"})
    assert c["ok"] and c["job_ids"], c["message"]
    drain()
    s = _post(client, demo, "contracts/schedule", wb, only={"Revenue contracts"},
              args={"standard": "ASC606", "as_of": "2026-06-30"})
    assert s["ok"] and s["summary"]["contracts"] == 3, s["message"]
    rows = wb.sheet("Revenue ASC606").values()
    assert rows[0][:3] == ["External ID", "Currency", "Period"] and len(rows) > 36
    rpo = wb.sheet("Revenue RPO").values()
    assert {r[0] for r in rpo[1:] if r and r[0] in ("SAAS-001", "HWS-001", "PROJ-001")} == {
        "SAAS-001", "HWS-001", "PROJ-001"}

    # Close January over REST, then pull the revenue journals and approve them from the ribbon.
    assert client.post("/v1/revenue/engine/monthly-close", headers=demo.headers(),
                       json={"entity": "DEMO-US", "period": "2026-01"}).status_code == 202
    drain()
    _u, approver = make_user("APPROVER")
    r = client.post("/v1/addin/journals/pull", headers=demo.headers(approver),
                    json=wb.payload(None, {"standard": "IFRS15", "period": "2026-01", "status": ["draft"]}))
    assert r.status_code == 200 and r.json()["summary"]["entries"] == 3, r.text
    wb.apply(r.json()["actions"])
    n = len(wb.sheet("Journals").values())
    wb.select("Journals", f"A2:A{n}")
    a = client.post("/v1/addin/journals/approve", headers=demo.headers(approver), json=wb.payload({"Journals"}, None))
    assert a.status_code == 200 and a.json()["message"].startswith("Approved 3 of 3"), a.text


def test_addin_revenue_routes_need_the_matrix_role(client, demo, make_user):
    _u, reviewer = make_user("REVIEWER")
    wb = FakeWorkbook.from_xlsx(build_template())
    r = client.post("/v1/addin/revenue/contracts/extract", headers={"Authorization": f"Bearer {reviewer}"},
                    json=wb.payload(None, None))
    assert r.status_code == 403 and r.json()["error"]["details"]["action"] == "revenue.write"
