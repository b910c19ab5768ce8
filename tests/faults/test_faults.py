"""Faults from issue #22: SIGKILLed workers mid-recognition and mid-close, a PostgreSQL crash and
restart under load, a webhook receiver down for an hour of simulated time. The scenarios live in
scenarios.py (bench/bench_faults.py runs the same ones larger); each returns its measurements and
the list of broken promises, which must be empty."""
from __future__ import annotations

import pytest

import scenarios
from procs import logs, private_pg_available


@pytest.mark.slow
def test_sigkill_mid_recognition_and_mid_close_leaves_the_same_ledger_as_a_clean_run(rt, db_url, tmp_path):
    out = scenarios.sigkill_mid_work(rt, db_url, tmp_path, leases=24, recognition_batch=8, close_batch=5)
    assert out["problems"] == [], (out, logs(tmp_path))
    assert out["recognition_jobs"] == 3 and out["jobs_rerun"] == 2
    assert out["close_entries_committed_at_kill"] > 0  # the close was half written when its worker died
    assert out["entries"] == out["reference_entries"] > 0


@pytest.mark.slow
def test_a_paused_worker_resuming_mid_recognition_adds_no_second_runs_or_journals(rt, db_url, tmp_path):
    if rt.db.dialect != "postgresql":
        pytest.skip("SQLite's write lock serialises the two workers: the second cannot claim while the first "
                    "is frozen inside its write transaction")
    out = scenarios.paused_worker_resumes_mid_recognition(rt, db_url, tmp_path, leases=6)
    assert out["problems"] == [], (out, logs(tmp_path))
    assert out["job"] == ("succeeded", 2) and out["runs"] == out["reference_runs"] == 12


@pytest.mark.slow
def test_postgres_crash_and_restart_under_load_loses_no_acknowledged_write(tmp_path):
    """A private cluster (initdb + pg_ctl, never the shared server), crashed with an immediate
    shutdown while clients write and the worker runs; the app processes are not restarted."""
    why = private_pg_available()
    if why:
        pytest.skip(f"needs a private PostgreSQL cluster: {why}")
    out = scenarios.pg_restart_under_load(tmp_path, clients=4, leases_per_client=12, down_seconds=2.0)
    assert out["problems"] == [], (out, logs(tmp_path))
    assert out["recovery_s"] is not None and out["recovery_s"] < 30


def test_webhook_receiver_down_for_an_hour_then_every_event_is_delivered(rt, wall_clock):
    from tests.webhooks.webhook_receiver import Receiver

    rt.clock = wall_clock
    receiver = Receiver()
    try:
        out = scenarios.receiver_down_for_an_hour(rt, wall_clock, receiver, events=12)
    finally:
        receiver.stop()
    assert out["problems"] == [], out
    assert out["attempts_while_down"] >= 2 * 12  # the first try and the +5 min retry, at least
    assert out["distinct_events_received"] == 12
