"""The DB-backed job queue: enqueue in the caller's transaction, claim with a lease, finish.

Claiming (shared/reference/api-platform.md §1c): PostgreSQL locks candidate rows with
``FOR UPDATE SKIP LOCKED`` so concurrent workers never wait on, or take, each other's rows;
SQLite serialises writers with ``BEGIN IMMEDIATE`` and claims with one
``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING``. A claim is a lease: a running job whose
``locked_until`` has passed belongs to a worker that died and is claimable again, so delivery
is at-least-once and handlers must be idempotent.

Every outcome (complete, fail, heartbeat, progress) is a compare-and-set on the lease owner and
attempt number — a fencing token — so a worker whose lease expired and was re-claimed cannot
overwrite the new owner's outcome.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, update
from sqlalchemy.orm import Session

from backend.db.dialect import insert_ignore
from backend.db.ids import new_id
from backend.db.models import Job
from backend.db.session import Database

T = Job.__table__
STATUSES = ("queued", "running", "succeeded", "failed", "dead")
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_MESSAGE = 2000


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (bad payload, missing resource): the job fails at once."""

    def __init__(self, message: str, *, code: str = "permanent_error"):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ClaimedJob:
    """What a handler receives: the job as claimed, plus the lease it runs under."""

    id: str
    kind: str
    payload: dict
    tenant_id: str | None
    attempt: int  # 1 on the first run; the fencing token for complete/fail/heartbeat
    max_attempts: int
    request_id: str | None
    worker_id: str
    locked_until: datetime


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts`` (1-based): 30 s, 60 s, 120 s … capped at one hour."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def enqueue(session: Session, *, kind: str, payload: dict, now: datetime, tenant_id: str | None = None,
            run_at: datetime | None = None, priority: int = 100, max_attempts: int = 5,
            dedupe_key: str | None = None, request_id: str | None = None) -> Job:
    """Insert a job in the caller's transaction, so it exists iff the caller's changes commit.

    ``tenant_id`` defaults to the session's tenant (a system session gives a tenant-less job).
    With ``dedupe_key`` (global: include the tenant in it when it matters) the insert is ignored
    when a job with that key already exists — recurring and housekeeping jobs — and the existing
    job is returned.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    tenant_id = tenant_id or session.info.get("tenant_id")
    values = {"id": new_id(), "created_at": now, "tenant_id": tenant_id, "kind": kind, "payload": payload,
              "status": "queued", "priority": priority, "run_at": run_at or now, "attempts": 0,
              "max_attempts": max_attempts, "progress_done": 0, "dedupe_key": dedupe_key, "request_id": request_id}
    if dedupe_key is None:
        job = Job(**values)
        session.add(job)
        session.flush()
        return job
    insert_ignore(session, T, values, ["dedupe_key"])
    return session.execute(select(Job).where(Job.dedupe_key == dedupe_key)).scalar_one()


def _claimable(now: datetime):
    expired = and_(T.c.status == "running", T.c.locked_until < now, T.c.attempts < T.c.max_attempts)
    return or_(and_(T.c.status == "queued", T.c.run_at <= now), expired)


def _claim_values(worker_id: str, now: datetime, lease_seconds: float) -> dict:
    return {"status": "running", "locked_by": worker_id, "locked_until": now + timedelta(seconds=lease_seconds),
            "attempts": T.c.attempts + 1, "started_at": func.coalesce(T.c.started_at, literal(now, T.c.started_at.type))}


_RETURNED = (T.c.id, T.c.kind, T.c.payload, T.c.tenant_id, T.c.attempts, T.c.max_attempts, T.c.request_id,
             T.c.locked_until, T.c.priority, T.c.run_at)


def claim(db: Database, *, worker_id: str, now: datetime, lease_seconds: float, limit: int = 1,
          kinds: list[str] | None = None) -> list[ClaimedJob]:
    """Lease up to ``limit`` due jobs to ``worker_id`` (ordered by priority, run_at, id)."""
    where = _claimable(now) if not kinds else and_(_claimable(now), T.c.kind.in_(kinds))
    # A read first, so an idle poll does not take SQLite's write lock every interval.
    with db.session(system=True) as s:
        idle = s.execute(select(T.c.id).where(where).limit(1)).first() is None
    _reap(db, now)
    if idle:
        return []
    order = (T.c.priority, T.c.run_at, T.c.id)
    with db.session(system=True, write=True) as s:
        if db.dialect == "postgresql":
            ids = s.execute(select(T.c.id).where(where).order_by(*order).limit(limit)
                            .with_for_update(skip_locked=True)).scalars().all()
            if not ids:
                return []
            target = T.c.id.in_(ids)
        else:  # SQLite: the write session began IMMEDIATE, so no other writer can interleave
            target = T.c.id.in_(select(T.c.id).where(where).order_by(*order).limit(limit))
        rows = s.execute(update(T).where(target).values(**_claim_values(worker_id, now, lease_seconds))
                         .returning(*_RETURNED)).mappings().all()
    rows = sorted(rows, key=lambda r: (r["priority"], r["run_at"], r["id"]))
    return [ClaimedJob(id=r["id"], kind=r["kind"], payload=r["payload"] or {}, tenant_id=r["tenant_id"],
                       attempt=r["attempts"], max_attempts=r["max_attempts"], request_id=r["request_id"],
                       worker_id=worker_id, locked_until=r["locked_until"]) for r in rows]


def _reap(db: Database, now: datetime) -> int:
    """Expired leases that used their last attempt are dead: the worker crashed on every try."""
    exhausted = and_(T.c.status == "running", T.c.locked_until < now, T.c.attempts >= T.c.max_attempts)
    with db.session(system=True) as s:
        if s.execute(select(T.c.id).where(exhausted).limit(1)).first() is None:
            return 0
    with db.session(system=True, write=True) as s:
        query = select(T.c.id).where(exhausted)
        ids: Select[Any] | Sequence[Any] = query
        if db.dialect == "postgresql":
            ids = s.execute(query.with_for_update(skip_locked=True)).scalars().all()
        done = s.execute(update(T).where(T.c.id.in_(ids), exhausted).values(
            status="dead", error_code="lease_expired", finished_at=now, locked_by=None, locked_until=None,
            error_message="The worker running the last attempt stopped before finishing (lease expired).")
            .returning(T.c.id)).all()
    return len(done)


def _owned(job_id: str, worker_id: str, attempt: int | None):
    cond = and_(T.c.id == job_id, T.c.status == "running", T.c.locked_by == worker_id)
    return cond if attempt is None else and_(cond, T.c.attempts == attempt)


def complete(db: Database, job_id: str, worker_id: str, result: dict[str, Any], now: datetime, *,
             attempt: int | None = None) -> bool:
    """Mark the job done — ``succeeded``, or ``completed_with_failures`` when its result lists items
    that failed (a batch job that finished but not for everything); False when this worker no longer
    owns the job (nothing changes then)."""
    status = "completed_with_failures" if result.get("failed") else "succeeded"
    with db.session(system=True, write=True) as s:
        return s.execute(update(T).where(_owned(job_id, worker_id, attempt)).values(
            status=status, result=result, finished_at=now, locked_by=None, locked_until=None,
            error_code=None, error_message=None).returning(T.c.id)).first() is not None


def fail(db: Database, job_id: str, worker_id: str, error_code: str, message: str, now: datetime, *,
         permanent: bool = False, attempt: int | None = None) -> str | None:
    """Record a failed attempt. Returns the new status — ``queued`` (retry after backoff), ``dead``
    (attempts used up) or ``failed`` (permanent) — or None when this worker no longer owns the job."""
    owned = _owned(job_id, worker_id, attempt)
    with db.session(system=True, write=True) as s:
        q = select(T.c.attempts, T.c.max_attempts).where(owned)
        row = s.execute(q.with_for_update() if db.dialect == "postgresql" else q).first()
        if row is None:
            return None
        error = {"error_code": error_code[:80], "error_message": message[:MAX_MESSAGE],
                 "locked_by": None, "locked_until": None}
        if permanent or row.attempts >= row.max_attempts:
            status = "failed" if permanent else "dead"
            values = {**error, "status": status, "finished_at": now}
        else:
            status = "queued"
            values = {**error, "status": status, "run_at": now + backoff(row.attempts)}
        s.execute(update(T).where(owned).values(**values))
    return status


def heartbeat(db: Database, job_id: str, worker_id: str, now: datetime, lease_seconds: float, *,
              attempt: int | None = None) -> bool:
    """Extend the lease of a job this worker still owns; False when it was lost."""
    with db.session(system=True, write=True) as s:
        return s.execute(update(T).where(_owned(job_id, worker_id, attempt))
                         .values(locked_until=now + timedelta(seconds=lease_seconds))
                         .returning(T.c.id)).first() is not None


def progress(db: Database, job_id: str, done: int, total: int | None, *, worker_id: str | None = None,
             attempt: int | None = None) -> bool:
    """Report progress of a running job (checked against the owner when ``worker_id`` is given)."""
    cond = and_(T.c.id == job_id, T.c.status == "running")
    if worker_id is not None:
        cond = _owned(job_id, worker_id, attempt)
    with db.session(system=True, write=True) as s:
        return s.execute(update(T).where(cond).values(progress_done=done, progress_total=total)
                         .returning(T.c.id)).first() is not None
