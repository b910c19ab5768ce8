"""A lease from draft to closed journals over the REST API, on SQLite and PostgreSQL."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from backend.db.models import JournalEntry, JournalLine
from tests.leases.conftest import office_lease


def _create(client, demo, body):
    r = client.post("/v1/leases", headers=demo.headers(), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_draft_validate_patch_confirm_schedule_close(client, demo, rt, drain):
    h = demo.headers()
    # A draft with no rate and no IBR match: stored, with an error naming the field.
    draft = _create(client, demo, office_lease(discount_rate=None))
    assert draft["status"] == "draft" and draft["version"] == 1
    v = client.post(f"/v1/leases/{draft['id']}/validate", headers=h).json()
    assert not v["valid"] and [e["code"] for e in v["errors"]] == ["discount_rate_missing"]
    r = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [draft["id"]]})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "refused"  # nothing queued: 200
    # An IBR matrix fixes it without touching the lease.
    r = client.put("/v1/lease/ibr-matrix", headers=h, json={"entity": "DEMO-US", "effective_date": "2025-01-01", "rates": [
        {"currency": "USD", "term_from_months": 0, "term_to_months": 60, "rate": "0.055"}]})
    assert r.status_code == 200, r.text
    v = client.post(f"/v1/leases/{draft['id']}/validate", headers=h).json()
    assert v["valid"] and v["discount_rate"] == "0.055" and v["discount_rate_source"]["source"] == "ibr_matrix"
    # Optimistic concurrency on PATCH.
    ok = client.patch(f"/v1/leases/{draft['id']}", headers=h, json={"version": 1, "description": "HQ"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"/v1/leases/{draft['id']}", headers=h, json={"version": 1, "description": "other"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    # Confirm → a recognition job writing one INITIAL_RECOGNITION run per enabled standard.
    r = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [draft["id"]]})
    res = r.json()["results"][0]
    assert res["status"] == "confirmed" and len(res["job_ids"]) == 1
    assert drain() == 1
    for job_id in res["job_ids"]:
        job = client.get(f"/v1/engine/jobs/{job_id}", headers=h).json()
        assert job["status"] == "succeeded" and job["result"]["runs_created"] == 2, job
    runs = client.get("/v1/engine/runs", headers=h, params={"lease_id": draft["id"]}).json()["data"]
    assert sorted(r["standard"] for r in runs) == ["ASC842", "IFRS16"]
    assert all(r["run_type"] == "INITIAL_RECOGNITION" and r["is_current"] for r in runs)
    for std in ("IFRS16", "ASC842"):
        sched = client.get(f"/v1/leases/{draft['id']}/schedule", headers=h, params={"standard": std})
        assert sched.status_code == 200, sched.text
        body = sched.json()
        assert body["discount_rate"] == "0.055" and len(body["periods"]) == 36
        assert body["periods"][-1]["closing_liability"] == "0.00"
        assert all(isinstance(p["interest"], str) for p in body["periods"])
    # Confirming again is a no-op that points at the same jobs.
    again = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [draft["id"]]}).json()["results"][0]
    assert again["status"] == "already_confirmed" and sorted(again["job_ids"]) == sorted(res["job_ids"])
    # Close January for both books; the re-run changes nothing and says so.
    r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01"})
    assert r.status_code == 202, r.text
    assert drain() == 2
    closes = r.json()["closes"]
    for c in closes:
        job = client.get(f"/v1/engine/jobs/{c['job_id']}", headers=h).json()
        assert job["status"] == "succeeded" and job["result"]["entries_written"] > 0, job
    r2 = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01"})
    assert r2.status_code == 200 and all(c["already_requested"] for c in r2.json()["closes"]) and r2.json()["job_ids"] == []
    # The IFRS 16 January journals equal the schedule's January row.
    ifrs = client.get(f"/v1/leases/{draft['id']}/schedule", headers=h, params={"standard": "IFRS16"}).json()
    jan = ifrs["periods"][0]
    with rt.db.session(demo.sandbox_tenant_id) as s:
        rows = s.execute(select(JournalLine.account, func.sum(JournalLine.debit_minor), func.sum(JournalLine.credit_minor))
                         .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                         .where(JournalEntry.standard == "IFRS16", JournalEntry.period == "2026-01",
                                JournalEntry.source_operation == "monthly_close")
                         .group_by(JournalLine.account)).all()
    by_acct = {a: (Decimal(d) / 100, Decimal(c) / 100) for a, d, c in rows}
    zero = (Decimal(0), Decimal(0))
    assert by_acct["INTEREST_EXPENSE"][0] == Decimal(jan["interest"]) > 0
    assert by_acct["DEPRECIATION_EXPENSE"][0] == Decimal(jan["depreciation"]) > 0
    # The first advance payment was settled at commencement (in the recognition entry), so the
    # close credits cash with January's schedule payment only: here none.
    assert by_acct.get("CASH", zero)[1] == Decimal(jan["payment"])
    feb_payment = Decimal(ifrs["periods"][1]["payment"])
    assert feb_payment == Decimal("10000.00")
    assert sum(d for d, _ in by_acct.values()) == sum(c for _, c in by_acct.values())


def test_locked_period_refuses_close_and_unlock_is_audited(client, demo, make_user):
    h = demo.headers()
    _u, preparer = make_user("PREPARER")
    r = client.get("/v1/lease/period-locks", headers=h, params={"entity": "DEMO-US", "period": "2026-02"})
    assert r.json()["data"] == [{"entity": "DEMO-US", "standard": "ALL", "period": "2026-02", "status": "OPEN",
                                 "changed_by": None, "changed_at": None, "reason": None}]
    lock = {"entity": "DEMO-US", "period": "2026-02", "standard": "ALL", "status": "LOCKED", "reason": "closed"}
    assert client.put("/v1/lease/period-locks", headers={"Authorization": f"Bearer {preparer}"}, json=lock).status_code == 403
    assert client.put("/v1/lease/period-locks", headers=h, json=lock).status_code == 200
    r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-02"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "period_locked"
    assert r.json()["error"]["details"] == {"entity": "DEMO-US", "standard": "IFRS16", "period": "2026-02"}
    assert client.put("/v1/lease/period-locks", headers=h, json={**lock, "status": "OPEN"}).status_code == 200
    events = client.get("/v1/audit-events", headers=h, params={"kind": "change", "resource_id": "DEMO-US:ALL:2026-02"})
    assert [e["action"] for e in events.json()["data"]] == ["period_locks.open", "period_locks.locked"]


def test_float_money_is_refused_with_the_field_named(client, demo):
    r = client.post("/v1/leases", headers=demo.headers(), json=office_lease(initial_direct_costs=3000.5))
    assert r.status_code == 400
    assert r.json()["error"]["details"][0]["field"] == "initial_direct_costs"


def test_duplicate_external_id_is_409(client, demo):
    _create(client, demo, office_lease("DUP-1"))
    r = client.post("/v1/leases", headers=demo.headers(), json=office_lease("DUP-1"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "lease_exists"


def test_list_filters(client, demo):
    _create(client, demo, office_lease("A-1", asset_class="vehicle", end_date="2027-06-30",
                                       payments=[{"from": "2026-01-01", "to": "2027-06-01", "amount": "500.00",
                                                  "frequency": "monthly", "timing": "advance"}]))
    _create(client, demo, office_lease("A-2"))
    r = client.get("/v1/leases", headers=demo.headers(), params={"asset_class": "vehicle"}).json()
    assert [x["external_id"] for x in r["data"]] == ["A-1"]
    r = client.get("/v1/leases", headers=demo.headers(), params={"expires_to": "2027-12-31"}).json()
    assert [x["external_id"] for x in r["data"]] == ["A-1"]


def test_sandbox_reset_removes_lease_data_but_never_production(client, demo, rt, drain):
    from backend.services.platform import admin

    h = demo.headers()
    lease = _create(client, demo, office_lease("RESET-1"))
    client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]})
    drain()
    prod = admin.mint_token(rt, email="owner@demo.example", tenant_kind="production", name="p")["token"]
    ph = {"Authorization": f"Bearer {prod}"}
    prod_lease = client.post("/v1/leases", headers=ph, json=office_lease("PROD-1")).json()
    r = client.post("/v1/sandbox/reset", headers=h)
    assert r.status_code == 200, r.text
    removed = r.json()["removed"]
    assert removed["leases"] == 1 and removed["lease_runs"] == 2 and removed["journal_entries"] >= 2
    assert client.get("/v1/leases", headers=h).json()["total_count"] == 0
    assert client.get(f"/v1/leases/{prod_lease['id']}", headers=ph).status_code == 200
    assert client.get("/v1/audit-events/verify", headers=h).json()["ok"] is True


def test_schedule_money_is_always_on_the_minor_unit(client, demo, drain):
    lease = _create(client, demo, office_lease("FMT-1"))
    client.post("/v1/leases/confirm", headers=demo.headers(), json={"lease_ids": [lease["id"]]})
    drain()
    sched = client.get(f"/v1/leases/{lease['id']}/schedule", headers=demo.headers(), params={"standard": "IFRS16"}).json()
    import re

    money = re.compile(r"^-?\d+\.\d{2}$")
    for p in sched["periods"]:
        for k, v in p.items():
            if k not in ("period", "period_end") and v is not None:
                assert money.match(v), (p["period"], k, v)


def test_schedule_carries_the_dated_cash_flows_that_make_up_the_liability(client, demo, drain):
    lease = _create(client, demo, office_lease("CF-1"))
    client.post("/v1/leases/confirm", headers=demo.headers(), json={"lease_ids": [lease["id"]]})
    drain()
    sched = client.get(f"/v1/leases/{lease['id']}/schedule", headers=demo.headers(), params={"standard": "IFRS16"}).json()
    flows = sched["cash_flows"]
    assert len(flows) >= 36 and flows[0]["date"] == "2026-01-01"
    assert sum(Decimal(p["payment"]) for p in sched["periods"]) <= sum(Decimal(f["amount"]) for f in flows)
