"""The Worker end to end on an injected clock: outcomes, retries, housekeeping, in-process mode."""
from __future__ import annotations

import threading

import pytest
import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from backend.db.ids import new_id
from backend.db.models import IdempotencyRecord, Job
from backend.jobs import housekeeping
from backend.jobs.worker import Worker


def _worker(rt, **kw) -> Worker:
    return Worker(rt, "w1", lease_seconds=30, schedule_housekeeping=False, **kw)


def test_runs_a_job_to_success_once(jrt, put, load, clock):
    job_id = put("test.echo", {"x": 1})
    w = _worker(jrt)
    assert w.run_once() == 1
    row = load(job_id)
    assert (row.status, row.result, row.attempts, row.locked_by, row.error_code) == (
        "succeeded", {"echo": {"x": 1}, "attempt": 1}, 1, None, None)
    assert row.started_at == row.finished_at == clock()
    assert w.run_once() == 0


def test_retries_with_backoff_then_dead(jrt, put, load, clock):
    job_id = put("test.flaky", max_attempts=3)
    w = _worker(jrt)
    assert w.run_once() == 1
    row = load(job_id)
    assert (row.status, row.attempts, row.error_code, row.run_at - clock()) == (
        "queued", 1, "handler_error", timedelta(seconds=30))
    # The message names the kind of failure; the exception text (internals) stays in the log.
    assert "RuntimeError" in row.error_message and "transient failure" not in row.error_message
    clock.advance(seconds=29)
    assert w.run_once() == 0  # backing off
    clock.advance(seconds=1)
    assert w.run_once() == 1
    assert (load(job_id).status, load(job_id).run_at - clock()) == ("queued", timedelta(seconds=60))
    clock.advance(seconds=60)
    assert w.run_once() == 1
    row = load(job_id)
    assert (row.status, row.attempts, row.finished_at) == ("dead", 3, clock())
    clock.advance(days=2)
    assert w.run_once() == 0


def test_a_retry_that_succeeds_clears_the_error(jrt, put, load, clock):
    job_id = put("test.flaky", {"succeed_on": 2})
    w = _worker(jrt)
    w.run_once()
    clock.advance(seconds=30)
    w.run_once()
    row = load(job_id)
    assert (row.status, row.attempts, row.error_code, row.result) == ("succeeded", 2, None, {"ok": True})


def test_non_retryable_errors_fail_at_once(jrt, put, load):
    ids = {kind: put(kind) for kind in ("test.permanent", "test.engine_reject", "test.bad_result", "test.nope")}
    w = _worker(jrt, concurrency=4)
    assert w.run_once() == 4
    got = {kind: (load(i).status, load(i).attempts, load(i).error_code) for kind, i in ids.items()}
    assert got == {"test.permanent": ("failed", 1, "bad_payload"),
                   "test.engine_reject": ("failed", 1, "end_before_commencement"),
                   "test.bad_result": ("failed", 1, "invalid_result"),
                   "test.nope": ("failed", 1, "unknown_job_kind")}


def test_handler_progress_is_stored(jrt, put, load):
    job_id = put("test.progress")
    _worker(jrt).run_once()
    row = load(job_id)
    assert (row.progress_done, row.progress_total, row.result) == (3, 10, {"progress_recorded": True})


def test_concurrency_runs_a_batch(jrt, put, load):
    ids = [put() for _ in range(5)]
    w = _worker(jrt, concurrency=3)
    assert (w.run_once(), w.run_once(), w.run_once()) == (3, 2, 0)
    assert {load(i).status for i in ids} == {"succeeded"}


def test_housekeeping_purges_expired_idempotency_records_hourly(jrt, clock, demo, load):
    now = clock()
    table = IdempotencyRecord.__table__
    rows = {"old": now - timedelta(seconds=1), "fresh": now + timedelta(hours=1)}
    with jrt.db.session(system=True, write=True) as s:
        for key, expires in rows.items():
            s.execute(insert(table).values(id=new_id(), tenant_id=demo.sandbox_tenant_id, user_id="u1", created_at=now,
                                           endpoint="POST /v1/users", key=key, fingerprint="0" * 64,
                                           status="completed", locked_at=now, expires_at=expires))
    [job_id] = housekeeping.schedule(jrt, now)
    assert housekeeping.schedule(jrt, now + timedelta(minutes=59)) == [job_id]  # same hour: deduped
    w = Worker(jrt, "w1", lease_seconds=30)
    assert w.run_once() == 1
    assert load(job_id).result == {"deleted": 1}
    with jrt.db.session(system=True) as s:
        assert s.execute(select(table.c.key)).scalars().all() == ["fresh"]
    clock.advance(hours=2)
    w._maybe_schedule()  # what run_forever does before each poll
    assert w.run_once() == 1
    with jrt.db.session(system=True) as s:
        purges = s.execute(select(Job.dedupe_key, Job.result).where(Job.kind == housekeeping.PURGE_IDEMPOTENCY)
                           .order_by(Job.dedupe_key)).all()
    assert purges == [("purge-idempotency:2026-01-15T09", {"deleted": 1}),
                      ("purge-idempotency:2026-01-15T11", {"deleted": 1})]


def _wait(predicate, timeout=15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_run_forever_works_until_stopped(jrt, put, load):
    stop = threading.Event()
    w = Worker(jrt, "loop", poll_interval=0.02, lease_seconds=30)
    thread = threading.Thread(target=w.run_forever, args=(stop,))
    thread.start()
    try:
        job_id = put()
        assert _wait(lambda: load(job_id).status == "succeeded")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    with jrt.db.session(system=True) as s:  # the loop scheduled this hour's housekeeping
        assert s.execute(select(func.count()).select_from(Job)
                         .where(Job.kind == housekeeping.PURGE_IDEMPOTENCY)).scalar_one() == 1


def test_heartbeats_keep_a_long_job_leased_to_its_live_worker(rt, tmp_path, load):
    """Real time: the lease (1 s) is far shorter than the job (2.5 s); another worker polling
    throughout must never get it, because the running worker keeps extending the lease."""
    from backend.jobs import claim, enqueue
    from backend.services.platform.context import system_clock

    rt.clock = system_clock  # `load` brought in the FakeClock; this test needs time to pass
    with rt.db.session(system=True, write=True) as s:
        job_id = enqueue(s, kind="test.slow_marker", payload={"marker": str(tmp_path / "m"), "sleep": 2.5},
                         now=rt.clock()).id
    runner = threading.Thread(target=Worker(rt, "owner", lease_seconds=1.0, schedule_housekeeping=False).run_once)
    runner.start()
    assert _wait(lambda: load(job_id).locked_by == "owner")  # the thief starts once the owner holds it
    stolen, polls = [], 0
    while runner.is_alive():
        stolen += claim(rt.db, worker_id="thief", now=rt.clock(), lease_seconds=30)
        polls += 1
        time.sleep(0.05)
    runner.join()
    assert stolen == [] and polls > 20
    row = load(job_id)
    assert (row.status, row.attempts) == ("succeeded", 1)


def test_the_api_process_runs_jobs_when_worker_in_process(rt, settings, put, load):
    from fastapi.testclient import TestClient

    from backend.serving import serving_app
    from backend.services.platform.context import Runtime
    from backend.db.session import Database

    live = Runtime(settings=settings.model_copy(update={"worker_in_process": True}),
                   db=Database(settings.database_url), secret_key=rt.secret_key)
    with TestClient(serving_app(live, workers=1)):
        with live.db.session(system=True, write=True) as s:
            from backend.jobs import enqueue

            job_id = enqueue(s, kind="test.echo", payload={}, now=live.clock()).id
        assert _wait(lambda: load(job_id).status == "succeeded")
    assert not any(t.name == "ledger-worker" and t.is_alive() for t in threading.enumerate())


@pytest.mark.slow
def test_serve_runs_a_pool_of_worker_processes(rt, settings, load):
    """#22: `serving_app(rt, workers=2)` — what `serve --workers 2` runs — starts two worker
    processes with the app, the jobs run in those processes (not in the API process), the API
    answers meanwhile, and the pool stops with the app: each child finishes and exits cleanly."""
    import multiprocessing
    import os

    from fastapi.testclient import TestClient

    from backend.db.session import Database
    from backend.jobs import enqueue
    from backend.serving import serving_app
    from backend.services.platform.context import Runtime

    live = Runtime(settings=settings.model_copy(update={"worker_in_process": True}),
                   db=Database(settings.database_url), secret_key=rt.secret_key)
    before = set(multiprocessing.active_children())
    app = serving_app(live, workers=2, imports=["job_kinds"])
    assert not [p for p in multiprocessing.active_children() if p not in before]  # nothing before the lifespan
    with TestClient(app) as client:
        pool = [p for p in multiprocessing.active_children() if p.name.startswith("ledger-worker-")]
        assert len(pool) == 2 and all(p.is_alive() for p in pool)
        assert not any(t.name == "ledger-worker" for t in threading.enumerate())  # no worker thread here
        with live.db.session(system=True, write=True) as s:
            job_ids = [enqueue(s, kind="test.pid", payload={"sleep": 0.3}, now=live.clock()).id for _ in range(4)]
        assert client.get("/v1/health").status_code == 200
        assert _wait(lambda: all(load(j).status == "succeeded" for j in job_ids), timeout=60)
        pids = {load(j).result["pid"] for j in job_ids}
        assert pids <= {p.pid for p in pool} and os.getpid() not in pids
        assert all(load(j).locked_by is None for j in job_ids)
    assert not any(p.is_alive() for p in pool)
    assert [p.exitcode for p in pool] == [0, 0]  # stopped by SIGTERM after the job in hand, not killed
    live.db.dispose()


@pytest.mark.slow
def test_the_serve_command_hands_its_workers_option_to_the_pool(settings, monkeypatch, load):
    """`ledger-layer serve --workers 2` builds the app with a pool of two processes (uvicorn.run is
    replaced by running the app's lifespan here); `--workers 1` keeps a thread in the process."""
    import multiprocessing
    from datetime import datetime, timezone

    import uvicorn
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from backend import cli
    from backend.db.session import Database
    from backend.jobs import enqueue
    from backend.jobs.housekeeping import PURGE_IDEMPOTENCY

    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LEDGER_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("LEDGER_WORKER_IN_PROCESS", "true")
    monkeypatch.delenv("LEDGER_WORKER_PROCESSES", raising=False)
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(app))
    db = Database(settings.database_url)
    try:
        for workers, processes, threads in (("2", 2, 0), ("1", 0, 1)):
            result = CliRunner().invoke(cli.app, ["serve", "--port", "8765", "--workers", workers])
            assert result.exit_code == 0, result.output
            with TestClient(served.pop()):
                pool = [p for p in multiprocessing.active_children() if p.name.startswith("ledger-worker-")]
                assert len([p for p in pool if p.is_alive()]) == processes
                assert sum(t.name == "ledger-worker" for t in threading.enumerate()) == threads
                with db.session(system=True, write=True) as s:
                    job_id = enqueue(s, kind=PURGE_IDEMPOTENCY, payload={}, now=datetime.now(timezone.utc)).id
                assert _wait(lambda j=job_id: load(j).status == "succeeded", timeout=60)
            assert not any(p.is_alive() for p in pool)
    finally:
        db.dispose()
