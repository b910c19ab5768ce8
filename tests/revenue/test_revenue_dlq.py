"""A run forced to fail lands in the dead-letter queue (error, engine rule, inputs hash), is listed,
and succeeds on recalculate after the fix; both are audited and announced."""
from __future__ import annotations

from sqlalchemy import select

from backend.db.models import AuditEvent, WebhookEvent
from tests.revenue.conftest import saas


def _matrix_sku_contract():
    c = saas("DLQ-1")
    c["performance_obligations"][1] = {"id": "ONB", "pattern": "point_in_time", "ssp_method": "observable",
                                       "sku": "ONBOARD-X", "delivered_date": "2026-01-31"}
    return c


def test_failed_run_goes_to_dlq_and_recalculate_fixes_it(client, demo, rt, drain):
    h = demo.headers()
    hook = client.post("/v1/webhook-endpoints", headers=h, json={
        "url": "https://hooks.example.com/ledger", "event_types": ["contract.confirmed", "contract.recalculated"]})
    assert hook.status_code == 201, hook.text
    created = client.post("/v1/revenue/contracts", headers=h, json=_matrix_sku_contract())
    assert created.status_code == 201 and created.json()["issues"] == [], created.text
    cid = created.json()["id"]
    v = client.post(f"/v1/revenue/contracts/{cid}/validate", headers=h).json()
    assert v["valid"] is False and v["errors"][0]["rule"] == "ssp_not_in_matrix"
    assert client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": [cid]}).json()["confirmed"] == 1
    drain()
    dlq = client.get("/v1/revenue/dlq", headers=h, params={"status": "open"})
    assert dlq.status_code == 200 and dlq.json()["total_count"] == 1
    item = dlq.json()["data"][0]
    assert item["contract_id"] == cid and item["error"]["rule"] == "ssp_not_in_matrix"
    assert item["error"]["field"] == "performance_obligations[1].ssp" and len(item["inputs_hash"]) == 64
    assert client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=h,
                      params={"standard": "IFRS15"}).status_code == 404

    # The fix: an SSP matrix row for the SKU; then recalculate.
    put = client.put("/v1/revenue/ssp-matrix", headers=h, json={"entity": "DEMO-US", "rows": [
        {"sku": "ONBOARD-X", "currency": "USD", "method": "observable", "low": "7000.00", "mid": "8000.00",
         "high": "9000.00", "effective_from": "2025-01-01"}]})
    assert put.status_code == 200 and put.json()["version"] == 1, put.text
    rc = client.post(f"/v1/revenue/contracts/{cid}/recalculate", headers=h)
    assert rc.status_code == 202
    drain()
    assert client.get("/v1/revenue/dlq", headers=h, params={"status": "open"}).json()["total_count"] == 0
    resolved = client.get("/v1/revenue/dlq", headers=h, params={"status": "resolved"}).json()["data"][0]
    assert len(resolved["resolved_by_run_ids"]) == 2
    for std in ("IFRS15", "ASC606"):
        s = client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=h, params={"standard": std}).json()
        assert s["run"]["run_type"] == "INITIAL_RECOGNITION" and s["run"]["ssp_version"] == 1
        assert s["allocation"] == {"SUB": "28421.05", "ONB": "7578.95"}
    with rt.db.session(demo.sandbox_tenant_id) as s:
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"revenue.run_failed", "revenue.run", "revenue.run.request", "revenue.ssp_matrix"} <= actions
        types = set(s.scalars(select(WebhookEvent.event_type)))
        assert {"engine.failed", "contract.confirmed", "contract.recalculated"} <= types


def test_policy_snapshot_applies_to_later_runs_and_recalculate(client, demo, drain):
    h = demo.headers()
    cid = client.post("/v1/revenue/contracts", headers=h, json=saas("POL-1")).json()["id"]
    client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": [cid]})
    drain()
    s0 = client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=h, params={"standard": "IFRS15"}).json()
    assert s0["run"]["policy_version"] == 0 and s0["policy"]["ratable_convention"] == "daily"
    snap = client.post("/v1/revenue/policy-snapshots", headers=h, json={
        "entity": "DEMO-US", "ratable_convention": "monthly", "enabled_standards": ["IFRS15"]})
    assert snap.status_code == 201 and snap.json()["version"] == 1, snap.text
    listed = client.get("/v1/revenue/policy-snapshots", headers=h, params={"entity": "DEMO-US"}).json()
    assert listed["current"]["version"] == 1 and len(listed["snapshots"]) == 1
    client.post(f"/v1/revenue/contracts/{cid}/recalculate", headers=h, json={"standards": ["IFRS15"]})
    drain()
    s1 = client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=h, params={"standard": "IFRS15"}).json()
    assert s1["run"]["policy_version"] == 1 and s1["policy"]["ratable_convention"] == "monthly"
    assert s1["run"]["supersedes_run_id"] == s0["run"]["id"] and s1["run"]["run_type"] == "RECALCULATION"
    # the ASC 606 book was not asked for: its run is untouched
    a = client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=h, params={"standard": "ASC606"}).json()
    assert a["run"]["policy_version"] == 0
    bad = client.post("/v1/revenue/policy-snapshots", headers=h, json={"entity": "DEMO-US", "ratable_convention": 1})
    assert bad.status_code == 400


def test_ssp_matrix_dimensions_pick_the_row_for_the_contract(client, demo, drain):
    h = demo.headers()
    put = client.put("/v1/revenue/ssp-matrix", headers=h, json={"entity": "DEMO-US", "rows": [
        {"sku": "ONB-D", "currency": "USD", "method": "observable", "ssp": "8000.00", "effective_from": "2025-01-01"},
        {"sku": "ONB-D", "currency": "USD", "dimensions": {"region": "EMEA"}, "method": "adjusted_market_assessment",
         "low": "1000.00", "mid": "2000.00", "high": "3000.00", "effective_from": "2025-01-01"}]})
    assert put.status_code == 200 and len(put.json()["rows"]) == 2
    ids = {}
    for ext, dims in (("DIM-US", None), ("DIM-EU", {"region": "EMEA"})):
        c = saas(ext)
        c["performance_obligations"][1] = {"id": "ONB", "pattern": "point_in_time", "ssp_method": "observable",
                                           "sku": "ONB-D", "delivered_date": "2026-01-31"}
        if dims:
            c["dimensions"] = dims
        ids[ext] = client.post("/v1/revenue/contracts", headers=h, json=c).json()["id"]
    client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": list(ids.values())})
    drain()
    us = client.get(f"/v1/revenue/contracts/{ids['DIM-US']}/schedule", headers=h, params={"standard": "IFRS15"}).json()
    eu = client.get(f"/v1/revenue/contracts/{ids['DIM-EU']}/schedule", headers=h, params={"standard": "IFRS15"}).json()
    assert us["ssp"]["ONB"] == "8000.00" and eu["ssp"]["ONB"] == "2000.00"


def test_separate_contract_modification_creates_a_draft(client, demo, rt, drain):
    h = demo.headers()
    cid = client.post("/v1/revenue/contracts", headers=h, json=saas("SEP-1")).json()["id"]
    client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": [cid]})
    drain()
    r = client.post("/v1/revenue/engine/run", headers=h, json={
        "contract_id": cid, "run_type": "MODIFICATION", "effective_date": "2026-04-01",
        "treatment": "separate_contract", "rationale": "distinct goods at their standalone price",
        "changes": {"consideration_delta": "1000.00", "add_performance_obligations": [
            {"id": "ADD", "pattern": "point_in_time", "ssp_method": "observable", "ssp": "1000.00",
             "delivered_date": "2026-04-15"}]}})
    assert r.status_code == 202, r.text
    drain()
    job = client.get(f"/v1/engine/jobs/{r.json()['job_id']}", headers=h).json()
    new_id = job["result"]["new_contract_id"]
    assert new_id, job
    new = client.get(f"/v1/revenue/contracts/{new_id}", headers=h).json()
    assert new["status"] == "draft" and new["provenance"]["separate_contract_of"] == cid
    assert new["external_id"].startswith("SEP-1/M")
