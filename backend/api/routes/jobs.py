"""Job status: what a client polls after a 202 from an asynchronous endpoint."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from backend.api.deps import require, runtime
from backend.api.schemas.common import ERROR_RESPONSES
from backend.services.platform import jobs
from backend.services.platform.context import Actor

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["jobs"])


class ProgressOut(BaseModel):
    done: int
    total: int | None = Field(description="Null until the job knows how much work there is")


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


@router.get("/engine/jobs/{job_id}", operation_id="get_job", response_model=JobOut,
            summary="Status, progress and result of an asynchronous job")
def get_job(request: Request, job_id: str, actor: Annotated[Actor, Depends(require("jobs.read"))]):
    return jobs.get_job(runtime(request), actor, job_id)
