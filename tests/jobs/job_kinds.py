"""Test-only job kinds. Imported by the tests and, with `ledger-layer worker --import job_kinds`,
by worker subprocesses (tests/jobs on PYTHONPATH)."""
from __future__ import annotations

import os
import time

from backend.engine.errors import EngineError
from backend.jobs import PermanentJobError, handler, progress


@handler("test.echo")
def echo(rt, job):
    return {"echo": job.payload, "attempt": job.attempt}


@handler("test.flaky")
def flaky(rt, job):
    """Fails until attempt ``payload["succeed_on"]`` (never, when absent)."""
    if job.attempt < job.payload.get("succeed_on", 10**6):
        raise RuntimeError(f"transient failure on attempt {job.attempt}")
    return {"ok": True}


@handler("test.permanent")
def permanent(rt, job):
    raise PermanentJobError("the payload names no lease", code="bad_payload")


@handler("test.engine_reject")
def engine_reject(rt, job):
    raise EngineError("end_before_commencement", "The lease ends before it commences.")


@handler("test.progress")
def with_progress(rt, job):
    ok = progress(rt.db, job.id, 3, 10, worker_id=job.worker_id, attempt=job.attempt)
    return {"progress_recorded": ok}


@handler("test.bad_result")
def bad_result(rt, job):
    return {"when": object()}


@handler("test.slow_marker")
def slow_marker(rt, job):
    """Appends `start <attempt>`, sleeps, appends `finish <attempt>`: the crash tests read the file.
    ``first_sleep`` (attempt 1 only) keeps a job in hand until the test kills its worker, however
    slowly a loaded machine starts the other processes."""
    path = job.payload["marker"]
    pause = job.payload.get("first_sleep", job.payload.get("sleep", 1.0)) if job.attempt == 1 \
        else job.payload.get("sleep", 1.0)
    _append(path, f"start {job.attempt} {os.getpid()}")
    time.sleep(pause)
    _append(path, f"finish {job.attempt} {os.getpid()}")
    return {"slept": pause}


def _append(path: str, line: str) -> None:
    with open(path, "a") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


@handler("test.pid")
def which_process(rt, job):
    """Which process ran the job (the worker pool tests); sleeps ``payload["sleep"]`` seconds first."""
    time.sleep(job.payload.get("sleep", 0))
    return {"pid": os.getpid()}
