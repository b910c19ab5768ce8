"""Job status: what a client polls after a 202 from an asynchronous endpoint."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel, Field

from backend.api.deps import require, runtime
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.services.platform import jobs
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["jobs"])


class ProgressOut(BaseModel):
    done: int = Field(description="Units of work done (leases recognised, leases closed, …)")
    total: int = Field(description="Units of work in the job; a job that does not count its work is one unit")


class JobErrorOut(BaseModel):
    code: str
    message: str | None


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "completed_with_failures", "failed", "dead"] = Field(
        description="`queued` (also while waiting to retry), `running`, `succeeded`; `completed_with_failures`: "
                    "the job finished but some of its items failed (see `result.failed`, `result.counts` and "
                    "GET /v1/engine/dlq); `failed`: a permanent error; `dead`: every attempt failed")
    progress: ProgressOut
    result: dict[str, Any] | None
    error: JobErrorOut | None = Field(description="The last attempt's error (kept while a retry is queued)")
    attempts: int
    max_attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    run_at: datetime = Field(description="When the job (or its next retry) becomes due")


JobStatus = Literal["queued", "running", "succeeded", "failed", "dead"]


@router.get("/engine/jobs", operation_id="list_jobs", response_model=Page[JobOut],
            summary="Asynchronous jobs of this tenant with progress, newest first")
def list_jobs(request: Request, actor: Annotated[Actor, Depends(require("jobs.read"))],
              limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
              kind: Annotated[str | None, Query(description="e.g. lease.initial_recognition, ledger.monthly_close, "
                                                             "lease.event")] = None,
              status: JobStatus | None = None,
              created_from: Annotated[AwareDatetime | None, Query(description="inclusive, with offset")] = None,
              created_to: Annotated[AwareDatetime | None, Query(description="exclusive, with offset")] = None):
    return page_out(jobs.list_jobs(runtime(request), actor, limit=limit, cursor=cursor, sort=sort, kind=kind,
                                   status=status, created_from=created_from, created_to=created_to))


@router.get("/engine/jobs/{job_id}", operation_id="get_job", response_model=JobOut,
            summary="Status, progress and result of an asynchronous job")
def get_job(request: Request, job_id: str, actor: Annotated[Actor, Depends(require("jobs.read"))]):
    return jobs.get_job(runtime(request), actor, job_id)
