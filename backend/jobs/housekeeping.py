"""Housekeeping jobs (no tenant) and the scheduler that enqueues them."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete

from backend.db.models import IdempotencyRecord
from backend.jobs.queue import ClaimedJob, enqueue
from backend.jobs.registry import handler

PURGE_IDEMPOTENCY = "housekeeping.purge_idempotency"


@handler(PURGE_IDEMPOTENCY)
def purge_idempotency(rt, job: ClaimedJob) -> dict:
    """Delete idempotency records past their retention. Idempotent: a re-run deletes nothing more."""
    table = IdempotencyRecord.__table__
    with rt.db.session(system=True, write=True) as s:
        deleted = s.execute(delete(table).where(table.c.expires_at < rt.clock())).rowcount
    return {"deleted": deleted}


def schedule(rt, now: datetime) -> list[str]:
    """Enqueue this hour's housekeeping jobs; the dedupe key makes repeated calls (any worker,
    any process) insert at most one job per hour. Returns the job ids (new or existing)."""
    with rt.db.session(system=True, write=True) as s:
        job = enqueue(s, kind=PURGE_IDEMPOTENCY, payload={}, now=now, priority=500, max_attempts=3,
                      dedupe_key=f"purge-idempotency:{now.astimezone(timezone.utc).strftime('%Y-%m-%dT%H')}")
        return [job.id]
