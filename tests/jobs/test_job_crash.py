"""Real `ledger-layer worker` processes: a SIGKILLed worker's job is re-run after its lease expires
and completes exactly once; SIGTERM finishes the job in hand and claims nothing more.

The handler (tests/jobs/job_kinds.py, loaded with --import) appends `start`/`finish` lines to a
marker file around a sleep, so the file shows exactly what ran, in which process.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from backend.db.models import Job
from backend.jobs import enqueue

from tests.conftest import TEST_SECRET

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXE = os.path.join(os.path.dirname(sys.executable), "ledger-layer")
LEASE = 2.0


def _start(db_url: str, tmp_path: Path, name: str, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=db_url, LEDGER_SECRET_KEY=TEST_SECRET,
               PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]))
    log = open(tmp_path / f"{name}.log", "w")
    return subprocess.Popen([EXE, "worker", "--lease-seconds", str(LEASE), "--poll-interval", "0.1",
                             "--import", "job_kinds", *extra], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait(predicate, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _put(rt, marker: Path, sleep: float, first_sleep: float | None = None) -> str:
    payload = {"marker": str(marker), "sleep": sleep, **({"first_sleep": first_sleep} if first_sleep else {})}
    with rt.db.session(system=True, write=True) as s:
        return enqueue(s, kind="test.slow_marker", payload=payload, now=rt.clock(), max_attempts=3).id


def _job(rt, job_id: str) -> Job:
    with rt.db.session(system=True) as s:
        return s.execute(select(Job).where(Job.id == job_id)).scalar_one()


def _logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(tmp_path.glob("*.log")))


def test_sigkilled_worker_job_is_rerun_after_lease_expiry_and_completes_once(rt, db_url, tmp_path):
    marker = tmp_path / "marker.txt"
    job_id = _put(rt, marker, sleep=3.0, first_sleep=120.0)  # attempt 1 is in hand until the kill
    first = _start(db_url, tmp_path, "first")
    second = None
    try:
        _wait(lambda: _lines(marker), what="the first worker to start the job")
        # The second worker polls while the first is alive and must leave its leased job alone.
        second = _start(db_url, tmp_path, "second")
        _wait(lambda: "started" in (tmp_path / "second.log").read_text(), what="the second worker")
        assert len(_lines(marker)) == 1, _logs(tmp_path)
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
        killed_at = time.monotonic()
        row = _job(rt, job_id)
        assert (row.status, row.attempts) == ("running", 1), _logs(tmp_path)

        _wait(lambda: len(_lines(marker)) >= 2, what="the re-run to start")
        # The lease was heartbeated every LEASE/3, so it ran out between 2/3 LEASE and LEASE after the kill:
        # never re-run earlier; the upper bound is loose because a loaded CI box delays the poller.
        waited = time.monotonic() - killed_at
        assert LEASE * 2 / 3 - 0.1 <= waited <= LEASE + 8.0, waited
        _wait(lambda: _job(rt, job_id).status == "succeeded", what="the job to succeed")
        lines = _lines(marker)
        assert [ln.split()[:2] for ln in lines] == [["start", "1"], ["start", "2"], ["finish", "2"]], lines
        assert lines[0].split()[2] == str(first.pid) and lines[2].split()[2] == str(second.pid)
        row = _job(rt, job_id)
        assert (row.status, row.attempts, row.result, row.locked_by) == ("succeeded", 2, {"slept": 3.0}, None)

        second.send_signal(signal.SIGTERM)
        assert second.wait(20) == 0, _logs(tmp_path)
    finally:
        for proc in (first, second):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait(10)


def test_sigterm_finishes_the_jobs_in_hand_and_claims_no_more(rt, db_url, tmp_path):
    markers = [tmp_path / f"m{i}.txt" for i in range(3)]
    ids = [_put(rt, m, sleep=8.0) for m in markers]  # long enough that both are in hand on a loaded box
    parent = _start(db_url, tmp_path, "pool", "--processes", "2")
    try:
        _wait(lambda: sum(bool(_lines(m)) for m in markers) == 2, what="two jobs to start")
        started = [m for m in markers if _lines(m)]
        pids = {_lines(m)[0].split()[2] for m in started}
        assert len(pids) == 2, "the two jobs should run in two worker processes"
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(30) == 0, _logs(tmp_path)
        for job_id, m in zip(ids, markers):
            row = _job(rt, job_id)
            if m in started:
                assert (row.status, row.attempts) == ("succeeded", 1)
                assert [ln.split()[0] for ln in _lines(m)] == ["start", "finish"]
            else:
                assert (row.status, row.attempts, _lines(m)) == ("queued", 0, [])
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
            parent.wait(10)
