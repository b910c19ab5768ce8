"""Issue 17 end to end: template upload → PATCH → confirm → both books → a modification → close two
months → approve → export; the ledger rebuilt from the journals ties to every schedule; a re-close
is a no-op; a locked period refuses a late change and its catch-up lands in the next open period."""
from __future__ import annotations

import json
from decimal import Decimal

from backend.workbooks.revenue_template import build_template
from tests.revenue.conftest import XLSX, cumulative, entries_of, ledger

BOOKS = ("IFRS15", "ASC606")


def _tie(client, h, contract_id: str, std: str, through: str, *, since: str = "", run_id: str | None = None) -> int:
    """Every schedule column ties to the ledger rebuilt from the contract's journals, period by period
    (``since``..``through``; ``run_id``: a superseded run, for the locked periods it still explains)."""
    params = {"standard": std, **({"run_id": run_id} if run_id else {})}
    sched = client.get(f"/v1/revenue/contracts/{contract_id}/schedule", headers=h, params=params).json()
    led = ledger(entries_of(client, h, source_id=contract_id, standard=std))
    checked = 0
    for row in sched["periods"]:
        p = row["period"]
        if p > through:
            break
        if p < since:
            continue
        cum_rev = sum(Decimal(r["revenue_total"]) for r in sched["periods"] if r["period"] <= p)
        assert -cumulative(led, "REVENUE", p) == cum_rev, (contract_id, std, p)
        assert cumulative(led, "RECEIVABLE", p) == Decimal(row["receivable"]), (contract_id, std, p)
        assert cumulative(led, "CONTRACT_ASSET", p) == Decimal(row["contract_asset"]), (contract_id, std, p)
        assert -cumulative(led, "CONTRACT_LIABILITY", p) == Decimal(row["contract_liability"]), (contract_id, std, p)
        checked += 1
    return checked


def _close(client, h, drain, period: str) -> dict:
    r = client.post("/v1/revenue/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": period})
    assert r.status_code == 202, r.text
    drain()
    return r.json()


def test_template_to_closed_tied_journals(client, demo, rt, drain, make_user):
    h = demo.headers()
    up = client.post("/v1/revenue/contracts/extract/file", headers=h,
                     files={"file": ("revenue_contracts.xlsx", build_template(), XLSX)})
    assert up.status_code == 201, up.text
    drafts = {d["external_id"]: d for d in up.json()["drafts"]}
    assert set(drafts) == {"SAAS-001", "HWS-001", "PROJ-001"}
    assert drafts["SAAS-001"]["provenance"]["external_id"] == "Contracts!B2"
    assert not any(d["issues"] for d in drafts.values())

    saas = drafts["SAAS-001"]
    r = client.patch(f"/v1/revenue/contracts/{saas['id']}", headers=h,
                     json={"version": saas["version"], "customer": "Acme Corporation"})
    assert r.status_code == 200 and r.json()["customer"] == "Acme Corporation" and r.json()["version"] == 2
    stale = client.patch(f"/v1/revenue/contracts/{saas['id']}", headers=h, json={"version": 1, "customer": "X"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"

    ids = [d["id"] for d in drafts.values()]
    conf = client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": ids})
    assert conf.status_code == 202 and conf.json()["confirmed"] == 3, conf.text
    drain()
    for cid in ids:
        detail = client.get(f"/v1/revenue/contracts/{cid}", headers=h).json()
        assert sorted(r["standard"] for r in detail["current_runs"]) == sorted(BOOKS)
        for std in BOOKS:
            sched = client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=h, params={"standard": std})
            assert sched.status_code == 200, sched.text

    # A modification of the SaaS contract (dry run first: nothing written).
    mod = {"contract_id": saas["id"], "run_type": "MODIFICATION", "effective_date": "2026-03-01",
           "treatment": "prospective", "rationale": "price uplift for added seats",
           "changes": {"consideration_delta": "3600.00",
                       "billing": [{"date": "2026-03-01", "amount": "3600.00"}]}}
    dry = client.post("/v1/revenue/engine/run", headers=h, json={**mod, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["results"]["IFRS15"]["summary"]["treatment"] == "prospective"
    run = client.post("/v1/revenue/engine/run", headers=h, json=mod)
    assert run.status_code == 202, run.text
    drain()
    new = client.get(f"/v1/revenue/contracts/{saas['id']}/schedule", headers=h, params={"standard": "IFRS15"}).json()
    assert new["run"]["run_type"] == "MODIFICATION" and new["run"]["supersedes_run_id"]

    # Close two months; a re-close is a no-op.
    for period in ("2026-01", "2026-02"):
        out = _close(client, h, drain, period)
        assert len(out["closes"]) == 2
    again = client.post("/v1/revenue/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01"})
    assert again.status_code == 202 and again.json()["job_ids"] == []
    assert all(c["already_requested"] for c in again.json()["closes"])

    for cid in ids:
        for std in BOOKS:
            assert _tie(client, h, cid, std, "2026-02") == 2

    # Approve (four eyes: another human approver) and export.
    _u, approver = make_user("APPROVER")
    ah = {"Authorization": f"Bearer {approver}"}
    drafts_ids = [e["id"] for e in entries_of(client, h, status="draft")]
    assert drafts_ids
    for i in range(0, len(drafts_ids), 200):
        b = client.post("/v1/journal-entries/batch-approve", headers=ah, json={"ids": drafts_ids[i:i + 200]})
        assert b.status_code == 200, b.text
    m = client.get("/v1/entities/DEMO-US/account-mapping", headers=h).json()
    accounts = {**m["accounts"], "REVENUE": "4000", "CONTRACT_ASSET": "1250", "CONTRACT_LIABILITY": "2300",
                "RECEIVABLE": "1200"}
    put = client.put("/v1/entities/DEMO-US/account-mapping", headers=h,
                     json={"accounts": accounts, "dimensions": {"contract": "CONTRACT"}, "version": m["version"]})
    assert put.status_code == 200, put.text
    summary = client.get("/v1/revenue/journals/summary", headers=h, params={"entity": "DEMO-US"})
    assert summary.status_code == 200, summary.text
    exp = client.get("/v1/revenue/journals/export", headers=h, params={"format": "json", "entity": "DEMO-US"})
    assert exp.status_code == 200, exp.text
    rows = json.loads(exp.content)
    text = json.dumps(rows)
    assert "4000" in text and "revenue_contract" in text
    csv = client.get("/v1/revenue/journals/export", headers=h, params={"format": "csv", "period": "2026-01"})
    assert csv.status_code == 200 and csv.content

    # Lock January and February; the close of a locked period and an SSP change reaching it are refused.
    lock = client.put("/v1/revenue/period-lock", headers=h,
                      json={"entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"})
    assert lock.status_code == 200 and {x["standard"] for x in lock.json()["data"]} == set(BOOKS)
    client.put("/v1/revenue/period-lock", headers=h, json={"entity": "DEMO-US", "period": "2026-02", "status": "LOCKED"})
    refused = client.post("/v1/revenue/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-02"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "period_locked"
    ssp = client.put("/v1/revenue/ssp-matrix", headers=h, json={"entity": "DEMO-US", "rows": [
        {"sku": "HW-100", "currency": "USD", "method": "observable", "ssp": "11000.00", "effective_from": "2026-01-01"}]})
    assert ssp.status_code == 409 and ssp.json()["error"]["code"] == "period_locked"

    # A late change to the hardware contract (price up, billed in January): PATCH → recalculate.
    hws = client.get(f"/v1/revenue/contracts/{drafts['HWS-001']['id']}", headers=h).json()
    before = {e["id"] for e in entries_of(client, h, source_id=hws["id"])}
    p = client.patch(f"/v1/revenue/contracts/{hws['id']}", headers=h, json={
        "version": hws["version"], "transaction_price": {"fixed": "14000.00"},
        "billing": [{"date": "2026-01-20", "amount": "14000.00"}]})
    assert p.status_code == 200 and p.json()["needs_recalculation"] is True
    rc = client.post(f"/v1/revenue/contracts/{hws['id']}/recalculate", headers=h)
    assert rc.status_code == 202, rc.text
    drain()
    new_entries = [e for e in entries_of(client, h, source_id=hws["id"]) if e["id"] not in before]
    assert new_entries and {e["period"] for e in new_entries} == {"2026-03"}
    assert {e["event"] for e in new_entries} == {"revenue.catch_up"}
    assert not any(e["period"] in ("2026-01", "2026-02") for e in new_entries)
    # Close March: the new runs post March; everything ties through March for every contract and book.
    _close(client, h, drain, "2026-03")
    for cid in ids:
        for std in BOOKS:
            if cid != hws["id"]:
                assert _tie(client, h, cid, std, "2026-03") == 3
                continue
            # The locked months keep what the superseded run posted; from March on the ledger is the new run.
            cur = client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=h, params={"standard": std}).json()
            assert cur["caught_up_periods"] == ["2026-01", "2026-02"]
            assert _tie(client, h, cid, std, "2026-02", run_id=cur["run"]["supersedes_run_id"]) == 2
            assert _tie(client, h, cid, std, "2026-03", since="2026-03") == 1
    assert client.get(f"/v1/revenue/contracts/{hws['id']}", headers=h).json()["needs_recalculation"] is False
    rpo = client.get(f"/v1/revenue/contracts/{saas['id']}/rpo", headers=h, params={"as_of": "2026-06-30"})
    assert rpo.status_code == 200 and set(rpo.json()["rpo"]) == set(BOOKS)
