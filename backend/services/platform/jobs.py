"""Reading a job's status: the polling side of every asynchronous API (202 + job id)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.db.models import Job
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import NotFound


def view(job: Job) -> dict[str, Any]:
    error = {"code": job.error_code, "message": job.error_message} if job.error_code else None
    return {"id": job.id, "kind": job.kind, "status": job.status,
            "progress": {"done": job.progress_done, "total": job.progress_total},
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
