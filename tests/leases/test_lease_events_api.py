"""Lease events over REST: runs with lineage, dry runs, rejections, termination, catch-up,
and the ledger tying to the current schedule after every change."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from backend.db.models import Job, JournalEntry, JournalLine, LeaseRun
from tests.leases.conftest import office_lease


def _confirmed_lease(client, demo, drain, **over):
    lease = client.post("/v1/leases", headers=demo.headers(), json=office_lease(**over)).json()
    r = client.post("/v1/leases/confirm", headers=demo.headers(), json={"lease_ids": [lease["id"]]})
    assert r.json()["confirmed"] == 1, r.text
    drain()
    return lease


def _schedule(client, demo, lease_id, std="IFRS16", run_id=None):
    params = {"standard": std, **({"run_id": run_id} if run_id else {})}
    r = client.get(f"/v1/leases/{lease_id}/schedule", headers=demo.headers(), params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _ledger(rt, tenant_id, lease_id, std, through: str) -> dict[str, int]:
    with rt.db.session(tenant_id) as s:
        rows = s.execute(select(JournalLine.account, func.sum(JournalLine.debit_minor - JournalLine.credit_minor))
                         .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                         .where(JournalEntry.source_id == lease_id, JournalEntry.standard == std,
                                JournalEntry.period <= through)
                         .group_by(JournalLine.account)).all()
    return defaultdict(int, {a: int(v) for a, v in rows})


def _ties(ledger, row) -> None:
    liability = -(ledger["LEASE_LIABILITY_CURRENT"] + ledger["LEASE_LIABILITY_NONCURRENT"])
    rou = ledger["ROU_ASSET"] + ledger["ROU_ACCUMULATED_DEPRECIATION"]
    assert Decimal(liability) / 100 == Decimal(row["closing_liability"]), (liability, row)
    assert Decimal(rou) / 100 == Decimal(row["closing_rou_asset"]), (rou, row)
    assert Decimal(-ledger["LEASE_LIABILITY_CURRENT"]) / 100 == Decimal(row["liability_current"])


def _row(schedule, period):
    return next(p for p in schedule["periods"] if p["period"] == period)


CONSIDERATION = {"modification_type": "change_in_consideration", "discount_rate": "0.07",
                 "payments": [{"from": "2027-01-01", "to": "2028-12-01", "amount": "9000.00", "frequency": "monthly",
                               "timing": "advance"}]}


def test_modification_creates_a_new_run_with_lineage_and_untouched_history(client, demo, rt, drain):
    h = demo.headers()
    lease = _confirmed_lease(client, demo, drain)
    before = _schedule(client, demo, lease["id"])
    r = client.post("/v1/engine/run", headers=h, json={"lease_id": lease["id"], "run_type": "MODIFICATION",
                                                       "effective_date": "2027-01-01", "changes": CONSIDERATION})
    assert r.status_code == 202, r.text
    drain()
    job = client.get(f"/v1/engine/jobs/{r.json()['job_id']}", headers=h).json()
    assert job["status"] == "succeeded", job
    after = _schedule(client, demo, lease["id"])
    assert after["run_id"] != before["run_id"] and after["run_type"] == "MODIFICATION"
    run = client.get(f"/v1/engine/runs/{after['run_id']}", headers=h).json()
    assert run["base_run_id"] == before["run_id"] == run["supersedes_run_id"]
    res = run["result"]
    assert res["liability_before"] and res["liability_after"] and res["gain_loss"] in ("0", "0.00", None)
    assert Decimal(res["liability_after"]) < Decimal(res["liability_before"])  # lower rent, higher rate
    assert res["changes"]["changes"]["modification_type"] == "change_in_consideration"
    # History before the effective date is byte-identical; the old version stays readable.
    old = [p for p in before["periods"] if p["period"] < "2027-01"]
    assert [p for p in after["periods"] if p["period"] < "2027-01"] == old
    assert _schedule(client, demo, lease["id"], run_id=before["run_id"])["periods"] == before["periods"]
    # Closing January 2027 posts from the new version; the ledger ties to it.
    for period in [f"2026-{m:02d}" for m in range(1, 13)] + ["2027-01"]:
        client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": period})
        drain()
    for std in ("IFRS16", "ASC842"):
        _ties(_ledger(rt, demo.sandbox_tenant_id, lease["id"], std, "2027-01"),
              _row(_schedule(client, demo, lease["id"], std), "2027-01"))


def test_dry_run_previews_and_writes_nothing(client, demo, rt, drain):
    lease = _confirmed_lease(client, demo, drain)
    with rt.db.session(demo.sandbox_tenant_id) as s:
        runs = s.scalar(select(func.count()).select_from(LeaseRun))
    with rt.db.session(system=True) as s:
        jobs = s.scalar(select(func.count()).select_from(Job))
    r = client.post("/v1/engine/run", headers=demo.headers(), json={
        "lease_id": lease["id"], "run_type": "MODIFICATION", "effective_date": "2027-01-01",
        "changes": CONSIDERATION, "dry_run": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dry_run"] is True and set(body["results"]) == {"IFRS16", "ASC842"}
    ifrs = body["results"]["IFRS16"]
    assert ifrs["summary"]["liability_after"] and ifrs["schedule"]["periods"] and ifrs["entries"]
    with rt.db.session(demo.sandbox_tenant_id) as s:
        assert s.scalar(select(func.count()).select_from(LeaseRun)) == runs
    with rt.db.session(system=True) as s:
        assert s.scalar(select(func.count()).select_from(Job)) == jobs


def test_inconsistent_events_are_refused_naming_the_rule(client, demo, drain):
    h = demo.headers()
    lease = _confirmed_lease(client, demo, drain)
    r = client.post("/v1/engine/run", headers=h, json={"lease_id": lease["id"], "run_type": "MODIFICATION",
                                                       "effective_date": "2025-06-01", "changes": CONSIDERATION})
    assert r.status_code == 422 and r.json()["error"]["code"] == "effective_date_before_commencement"
    r = client.post("/v1/engine/run", headers=h, json={
        "lease_id": lease["id"], "run_type": "MODIFICATION", "effective_date": "2027-01-01",
        "changes": {"modification_type": "decrease_scope", "scope_decrease_fraction": "1.5"}})
    assert r.status_code == 400
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert "changes.scope_decrease_fraction" in fields and "changes.discount_rate" in fields
    draft = client.post("/v1/leases", headers=h, json=office_lease("DRAFT-X")).json()
    r = client.post("/v1/engine/run", headers=h, json={"lease_id": draft["id"], "run_type": "TERMINATION",
                                                       "effective_date": "2027-01-01", "changes": {}})
    assert r.status_code == 409 and r.json()["error"]["code"] == "lease_not_confirmed"


def test_termination_with_penalty_then_no_more_events(client, demo, rt, drain):
    h = demo.headers()
    lease = _confirmed_lease(client, demo, drain)
    r = client.post("/v1/engine/run", headers=h, json={"lease_id": lease["id"], "run_type": "TERMINATION",
                                                       "effective_date": "2027-07-01",
                                                       "changes": {"termination_payment": "20000.00"}})
    assert r.status_code == 202, r.text
    drain()
    assert client.get(f"/v1/leases/{lease['id']}", headers=h).json()["status"] == "terminated"
    sched = _schedule(client, demo, lease["id"])
    run = client.get(f"/v1/engine/runs/{sched['run_id']}", headers=h).json()
    assert run["run_type"] == "TERMINATION" and Decimal(run["result"]["liability_after"]) == 0
    assert sched["periods"][-1]["period"] == "2027-07" and sched["periods"][-1]["closing_liability"] == "0.00"
    with rt.db.session(demo.sandbox_tenant_id) as s:
        events = set(s.scalars(select(JournalEntry.event).where(JournalEntry.run_id == sched["run_id"])))
    assert events  # the derecognition entry with its gain or loss
    r = client.post("/v1/engine/run", headers=h, json={"lease_id": lease["id"], "run_type": "MODIFICATION",
                                                       "effective_date": "2027-09-01", "changes": CONSIDERATION})
    assert r.status_code == 422 and r.json()["error"]["code"] in ("event_after_termination", "effective_date_after_end")


def test_late_lease_in_locked_periods_is_caught_up_in_the_first_open_one(client, demo, rt, drain):
    h = demo.headers()
    for p in ("2026-01", "2026-02", "2026-03"):
        client.put("/v1/lease/period-locks", headers=h, json={"entity": "DEMO-US", "period": p, "status": "LOCKED"})
    lease = _confirmed_lease(client, demo, drain)
    sched = _schedule(client, demo, lease["id"])
    assert sched["caught_up_periods"] == ["2026-01", "2026-02", "2026-03"]
    with rt.db.session(demo.sandbox_tenant_id) as s:
        periods = set(s.scalars(select(JournalEntry.period).where(JournalEntry.source_id == lease["id"])))
        events = set(s.scalars(select(JournalEntry.event).where(JournalEntry.source_id == lease["id"])))
    assert periods == {"2026-04"} and events == {"lease.catch_up"}
    r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-04"})
    assert r.status_code == 202
    drain()
    for std in ("IFRS16", "ASC842"):
        _ties(_ledger(rt, demo.sandbox_tenant_id, lease["id"], std, "2026-04"),
              _row(_schedule(client, demo, lease["id"], std), "2026-04"))


def test_event_in_closed_months_is_caught_up_and_the_ledger_ties(client, demo, rt, drain):
    h = demo.headers()
    lease = _confirmed_lease(client, demo, drain)
    for p in ("2026-01", "2026-02", "2026-03"):
        client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": p})
        drain()
    client.put("/v1/lease/period-locks", headers=h, json={"entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"})
    change = {"modification_type": "extend_term", "end_date": "2030-12-31", "discount_rate": "0.065"}
    r = client.post("/v1/engine/run", headers=h, json={"lease_id": lease["id"], "run_type": "MODIFICATION",
                                                       "effective_date": "2026-02-15", "changes": change})
    assert r.status_code == 202, r.text
    drain()
    sched = _schedule(client, demo, lease["id"])
    assert sched["caught_up_periods"] == ["2026-02", "2026-03"]
    with rt.db.session(demo.sandbox_tenant_id) as s:
        catch_up = s.scalars(select(JournalEntry).where(JournalEntry.source_id == lease["id"],
                                                        JournalEntry.event == "lease.catch_up")).all()
    assert {c.period for c in catch_up} == {"2026-04"}
    client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-04"})
    drain()
    for std in ("IFRS16", "ASC842"):
        _ties(_ledger(rt, demo.sandbox_tenant_id, lease["id"], std, "2026-04"),
              _row(_schedule(client, demo, lease["id"], std), "2026-04"))
