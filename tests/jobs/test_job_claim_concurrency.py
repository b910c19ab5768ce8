"""Claim exclusivity under real concurrency: every job is claimed by exactly one worker.

On PostgreSQL this exercises FOR UPDATE SKIP LOCKED; on SQLite, BEGIN IMMEDIATE + UPDATE … RETURNING.
Each thread is its own worker with its own connection, and all start together at a barrier.
"""
from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import select

from backend.db.models import Job
from backend.jobs import claim

JOBS, WORKERS, BATCH = 120, 8, 3


def test_concurrent_claims_take_each_job_exactly_once(jrt, clock, put):
    ids = {put(payload={"n": n}) for n in range(JOBS)}
    barrier = threading.Barrier(WORKERS)
    claimed: dict[str, list[str]] = {f"w{i}": [] for i in range(WORKERS)}
    errors: list[BaseException] = []

    def work(worker_id: str) -> None:
        try:
            barrier.wait()
            while True:
                got = claim(jrt.db, worker_id=worker_id, now=clock(), lease_seconds=300, limit=BATCH)
                if not got:
                    return
                claimed[worker_id].extend(j.id for j in got)
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    taken = Counter(j for got in claimed.values() for j in got)
    assert set(taken) == ids
    assert [j for j, n in taken.items() if n > 1] == []
    assert sum(1 for got in claimed.values() if got) > 1, "claims did not overlap; the test proves nothing"
    with jrt.db.session(system=True) as s:
        rows = {r.id: r for r in s.execute(select(Job)).scalars()}
    owner = {j: w for w, got in claimed.items() for j in got}
    assert all(rows[j].status == "running" and rows[j].attempts == 1 and rows[j].locked_by == owner[j] for j in ids)
