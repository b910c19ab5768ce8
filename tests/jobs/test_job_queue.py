"""Queue mechanics: outbox enqueue, dedupe, claim order, leases, fencing of stale workers."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.db.models import Job
from backend.jobs import claim, complete, enqueue, fail, heartbeat, progress
from backend.jobs.queue import backoff


def _count(rt) -> int:
    with rt.db.session(system=True) as s:
        return s.execute(select(func.count()).select_from(Job)).scalar_one()


def test_enqueue_commits_or_rolls_back_with_the_callers_transaction(jrt, clock, demo):
    with pytest.raises(RuntimeError):
        with jrt.db.unit_of_work(demo.sandbox_tenant_id) as s:
            enqueue(s, kind="test.echo", payload={"n": 1}, tenant_id=demo.sandbox_tenant_id, now=clock())
            raise RuntimeError("the domain change failed")
    assert _count(jrt) == 0
    with jrt.db.unit_of_work(demo.sandbox_tenant_id) as s:  # the tenant comes from the session
        job = enqueue(s, kind="test.echo", payload={"n": 2}, now=clock(), request_id="req_1")
    assert _count(jrt) == 1
    [claimed] = claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30)
    assert (claimed.id, claimed.payload, claimed.tenant_id, claimed.request_id, claimed.attempt) == (
        job.id, {"n": 2}, demo.sandbox_tenant_id, "req_1", 1)


def test_dedupe_key_inserts_at_most_once(jrt, clock, put, load):
    first = put(dedupe_key="daily:2026-01-15")
    again = put(dedupe_key="daily:2026-01-15", payload={"ignored": True})
    assert again == first and load(first).payload == {}
    assert put(dedupe_key="daily:2026-01-16") != first
    assert _count(jrt) == 2


def test_claim_takes_due_jobs_by_priority_then_run_at(jrt, clock, put):
    now = clock()
    late = put(run_at=now - timedelta(minutes=1))
    early = put(run_at=now - timedelta(minutes=5))
    urgent = put(priority=10)
    put(run_at=now + timedelta(seconds=1))  # not due yet
    got = claim(jrt.db, worker_id="w", now=now, lease_seconds=30, limit=10)
    assert [j.id for j in got] == [urgent, early, late]
    assert claim(jrt.db, worker_id="w2", now=now, lease_seconds=30, limit=10) == []
    clock.advance(seconds=1)
    assert len(claim(jrt.db, worker_id="w2", now=clock(), lease_seconds=30, limit=10)) == 1


def test_claim_filters_by_kind(jrt, clock, put):
    put(kind="test.echo")
    flaky = put(kind="test.flaky")
    assert [j.id for j in claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30, kinds=["test.flaky"])] == [flaky]


def test_expired_lease_is_reclaimed_and_the_stale_worker_is_fenced_off(jrt, clock, put, load):
    job_id = put()
    [a] = claim(jrt.db, worker_id="A", now=clock(), lease_seconds=30)
    clock.advance(seconds=30)
    assert claim(jrt.db, worker_id="B", now=clock(), lease_seconds=30) == []  # locked_until is not yet past
    clock.advance(seconds=1)
    [b] = claim(jrt.db, worker_id="B", now=clock(), lease_seconds=30)
    assert (b.id, b.attempt) == (job_id, 2)
    # A wakes up after its lease expired: none of its writes may land.
    assert complete(jrt.db, job_id, "A", {"by": "A"}, clock()) is False
    assert fail(jrt.db, job_id, "A", "boom", "late", clock()) is None
    assert heartbeat(jrt.db, job_id, "A", clock(), 30) is False
    assert progress(jrt.db, job_id, 1, 2, worker_id="A") is False
    row = load(job_id)
    assert (row.status, row.locked_by, row.attempts, row.progress_done) == ("running", "B", 2, 0)
    assert complete(jrt.db, job_id, "B", {"by": "B"}, clock(), attempt=2) is True
    row = load(job_id)
    assert (row.status, row.result, row.locked_by, row.finished_at) == ("succeeded", {"by": "B"}, None, clock())


def test_attempt_is_a_fencing_token_even_for_the_same_worker_id(jrt, clock, put, load):
    job_id = put()
    [first] = claim(jrt.db, worker_id="W", now=clock(), lease_seconds=30)
    clock.advance(seconds=31)
    [second] = claim(jrt.db, worker_id="W", now=clock(), lease_seconds=30)
    assert complete(jrt.db, job_id, "W", {"attempt": 1}, clock(), attempt=first.attempt) is False
    assert complete(jrt.db, job_id, "W", {"attempt": 2}, clock(), attempt=second.attempt) is True
    assert load(job_id).result == {"attempt": 2}


def test_heartbeat_extends_the_lease(jrt, clock, put):
    job_id = put()
    claim(jrt.db, worker_id="A", now=clock(), lease_seconds=30)
    clock.advance(seconds=20)
    assert heartbeat(jrt.db, job_id, "A", clock(), 30, attempt=1) is True
    clock.advance(seconds=20)  # 40 s after the claim, 20 s after the heartbeat
    assert claim(jrt.db, worker_id="B", now=clock(), lease_seconds=30) == []
    clock.advance(seconds=11)
    assert [j.id for j in claim(jrt.db, worker_id="B", now=clock(), lease_seconds=30)] == [job_id]


def test_fail_backs_off_exponentially_then_dead(jrt, clock, put, load):
    job_id = put(max_attempts=3)
    delays = []
    for attempt in (1, 2):
        [job] = claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30)
        assert job.attempt == attempt
        assert fail(jrt.db, job_id, "w", "boom", f"try {attempt}", clock(), attempt=attempt) == "queued"
        row = load(job_id)
        delays.append(row.run_at - clock())
        assert claim(jrt.db, worker_id="w", now=row.run_at - timedelta(microseconds=1), lease_seconds=30) == []
        clock.now = row.run_at
    assert delays == [timedelta(seconds=30), timedelta(seconds=60)]
    claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30)
    assert fail(jrt.db, job_id, "w", "boom", "try 3", clock(), attempt=3) == "dead"
    row = load(job_id)
    assert (row.status, row.attempts, row.error_code, row.error_message, row.finished_at) == (
        "dead", 3, "boom", "try 3", clock())
    clock.advance(days=1)
    assert claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30) == []


def test_backoff_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8)] == [30, 60, 120, 3600]
    assert backoff(40) == timedelta(hours=1)


def test_permanent_failure_skips_the_retries(jrt, clock, put, load):
    job_id = put(max_attempts=5)
    claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30)
    assert fail(jrt.db, job_id, "w", "bad_payload", "no lease", clock(), permanent=True) == "failed"
    assert (load(job_id).status, load(job_id).attempts) == ("failed", 1)


def test_a_job_whose_last_attempt_crashed_goes_dead_not_round_again(jrt, clock, put, load):
    job_id = put(max_attempts=2)
    claim(jrt.db, worker_id="A", now=clock(), lease_seconds=30)
    clock.advance(seconds=31)
    [retry] = claim(jrt.db, worker_id="B", now=clock(), lease_seconds=30)
    assert retry.attempt == 2
    clock.advance(seconds=31)  # B died too
    assert claim(jrt.db, worker_id="C", now=clock(), lease_seconds=30) == []
    row = load(job_id)
    assert (row.status, row.attempts, row.error_code, row.locked_by) == ("dead", 2, "lease_expired", None)


def test_progress_is_recorded_on_running_jobs_only(jrt, clock, put, load):
    job_id = put()
    assert progress(jrt.db, job_id, 1, 4) is False  # still queued
    claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30)
    assert progress(jrt.db, job_id, 2, 4, worker_id="w", attempt=1) is True
    assert (load(job_id).progress_done, load(job_id).progress_total) == (2, 4)
