"""Reading a job's status: the polling side of every asynchronous API (202 + job id)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from backend.db.models import Job
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import NotFound
from backend.services.platform.pagination import Page, SortSpec, paginate


def _progress(job: Job) -> dict[str, int]:
    """done/total for every kind: a job that does not count its work is one unit (0/1, then 1/1)."""
    total = job.progress_total if job.progress_total is not None else 1
    done = total if job.status == "succeeded" else min(job.progress_done or 0, total)
    return {"done": done, "total": total}


def view(job: Job) -> dict[str, Any]:
    error = {"code": job.error_code, "message": job.error_message} if job.error_code else None
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": _progress(job),
            "result": job.result, "error": error, "attempts": job.attempts, "max_attempts": job.max_attempts,
            "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
            "run_at": job.run_at}


def get_job(rt: Runtime, actor: Actor, job_id: str) -> dict[str, Any]:
    """One job of the caller's tenant; another tenant's job (or a housekeeping job) is not found."""
    with rt.db.session(actor.tenant_id) as s:
        # Job is not TenantScoped (housekeeping jobs have no tenant), so filter explicitly.
        job = s.execute(select(Job).where(Job.id == job_id, Job.tenant_id == actor.tenant_id)).scalar_one_or_none()
        if job is None:
            raise NotFound(f"No job {job_id}.", code="job_not_found")
        return view(job)


# Kinds a tenant's client sees (webhook deliveries have their own endpoints; housekeeping has no tenant).
def list_jobs(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
              kind: str | None = None, status: str | None = None, created_from: datetime | None = None,
              created_to: datetime | None = None) -> Page:
    """The tenant's jobs, newest first, filtered by kind, status and creation time."""
    spec = SortSpec.parse(sort, ["created_at"])
    stmt = select(Job).where(Job.tenant_id == actor.tenant_id)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    if created_from is not None:
        stmt = stmt.where(Job.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(Job.created_at < created_to)
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, stmt, Job, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"kind": kind, "status": status,
                                 "created_from": created_from.isoformat() if created_from else None,
                                 "created_to": created_to.isoformat() if created_to else None}, view=view)
