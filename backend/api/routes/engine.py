"""Engine runs and monthly close."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES
from backend.api.schemas.leases import Standard
from backend.services import lease_close, lease_runs
from backend.services.context import Actor
from backend.services.pagination import DEFAULT_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["engine"])


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"entity": "DEMO-US",
                                                                              "period": "2026-01"}]})
    entity: str
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    standards: list[Standard] | None = Field(None, description="default: the entity's enabled lease standards")


@router.get("/engine/runs", operation_id="list_engine_runs")
def list_runs(request: Request, actor: Annotated[Actor, Depends(require("engine.read"))],
              limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
              lease_id: str | None = None, standard: Standard | None = None, run_type: str | None = None):
    return page_out(lease_runs.list_runs(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                         lease_id=lease_id, standard=standard, run_type=run_type))


@router.get("/engine/runs/{run_id}", operation_id="get_engine_run")
def get_run(run_id: str, request: Request, actor: Annotated[Actor, Depends(require("engine.read"))]):
    return lease_runs.get_run(runtime(request), actor, run_id)


@router.post("/engine/monthly-close", operation_id="monthly_close", status_code=202,
             summary="Queue the lease close of a period (idempotent per entity × standard × period)")
def monthly_close(body: CloseIn, request: Request, actor: Annotated[Actor, Depends(require("close.run"))],
                  idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: lease_close.request_close(runtime(request), actor, body.entity,
                                                                     body.period, body.standards),
                   body=body, status_code=202, idempotency_key=idempotency_key)
