"""A revenue re-run computes outside its write transaction. A copy of the same job that wrote in
between (a worker that lost its lease and the worker that took the job over) must not lead to a
second set of runs and journals; another run written in between makes this one retry, never
supersede a run that is no longer current."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.db.models import JournalEntry, RevenueRun
from backend.services.platform.errors import Conflict
from backend.services.revenue import runs
from tests.revenue.conftest import saas


def _confirmed(client, demo, drain) -> str:
    cid = client.post("/v1/revenue/contracts", headers=demo.headers(), json=saas("RACE-1")).json()["id"]
    client.post("/v1/revenue/contracts/confirm", headers=demo.headers(), json={"contract_ids": [cid]})
    drain()
    return cid


def _rerun(rt, tenant, cid, job_id):
    return runs.rerun(rt, tenant, cid, run_type="RECALCULATION", event=None, standards=None, job_id=job_id,
                      actor_user_id=None, actor_kind=None, request_id=None)


def _interleave(monkeypatch, inner):
    """Run ``inner`` once, inside the outer re-run's compute (between its read and its write)."""
    real, done = runs.compute, []

    def compute(*a, **k):
        if not done:
            done.append(True)
            inner()
        return real(*a, **k)

    monkeypatch.setattr(runs, "compute", compute)


def test_the_same_job_twice_writes_one_set_of_runs(client, demo, drain, rt, monkeypatch):
    cid, tenant = _confirmed(client, demo, drain), demo.sandbox_tenant_id
    _interleave(monkeypatch, lambda: _rerun(rt, tenant, cid, "job-A"))
    assert _rerun(rt, tenant, cid, "job-A") == {"contract_id": cid, "already_done": True}
    with rt.db.session(tenant) as s:
        assert s.scalar(select(func.count()).select_from(RevenueRun).where(RevenueRun.job_id == "job-A")) == 2
        assert s.scalar(select(func.count()).select_from(RevenueRun).where(
            RevenueRun.contract_id == cid, RevenueRun.is_current.is_(True))) == 2  # one per book
        assert s.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.run_id.in_(
            select(RevenueRun.id).where(RevenueRun.job_id == "job-A")))) == 0  # a recalculation of the same input


def test_a_run_written_meanwhile_makes_this_one_retry(client, demo, drain, rt, monkeypatch):
    cid, tenant = _confirmed(client, demo, drain), demo.sandbox_tenant_id
    _interleave(monkeypatch, lambda: _rerun(rt, tenant, cid, "job-B"))
    with pytest.raises(Conflict) as err:
        _rerun(rt, tenant, cid, "job-C")
    assert err.value.code == "runs_changed"
    monkeypatch.undo()
    assert _rerun(rt, tenant, cid, "job-C")["status"] == "succeeded"  # the retry computes on what is current
    with rt.db.session(tenant) as s:
        current = s.scalars(select(RevenueRun).where(RevenueRun.contract_id == cid, RevenueRun.is_current.is_(True)))
        assert sorted(r.job_id for r in current) == ["job-C", "job-C"]
