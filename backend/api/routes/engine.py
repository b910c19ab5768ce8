"""Engine runs and monthly close."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.api.schemas.results import CloseOut, DryRunOut, RunAccepted, RunOut
from backend.api.schemas.fields import Day, Period, text
from backend.api.schemas.leases import Standard
from backend.services.leases import close as lease_close  # noqa: F401  (registers leases as a ledger source)
from backend.services.leases import events as lease_events
from backend.services.leases import failures as lease_failures
from backend.services.leases import run_reads
from backend.services.ledger import close as ledger_close
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["engine"])


class EngineRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"lease_id": "01J…", "run_type": "MODIFICATION", "effective_date": "2027-01-01",
         "changes": {"modification_type": "extend_term", "end_date": "2032-12-31", "discount_rate": "0.07"}},
        {"lease_id": "01J…", "run_type": "TERMINATION", "effective_date": "2027-06-30",
         "changes": {"termination_payment": "25000.00"}, "dry_run": True}]})
    lease_id: text(40, 1)
    run_type: Literal["MODIFICATION", "REMEASUREMENT", "TERMINATION", "CATCH_UP"]
    effective_date: Day
    changes: dict[str, Any] = Field(default_factory=dict, description=(
        "modification_type, reason, scope_decrease_fraction, decrease_method, payments, other_payments, end_date, "
        "discount_rate, index_value, purchase_option, residual_value_guarantee, fair_value, termination_payment, "
        "new_lease — money and rates as strings"))
    standards: list[Standard] | None = Field(None, max_length=2)
    dry_run: bool = Field(False, description="Return the full result (summary, schedule, entries) and write nothing")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"entity": "DEMO-US",
                                                                              "period": "2026-01"}]})
    entity: text(200, 1)
    period: Period
    standards: list[Standard] | None = Field(None, max_length=2, description="default: the entity's enabled lease standards")


@router.post("/engine/run", operation_id="run_engine", status_code=202, response_model=RunAccepted,
             responses={200: {"model": DryRunOut, "description": "dry_run: the full result, nothing written"}},
             summary="A lease event as a new engine run (202 + job); dry_run previews it and writes nothing")
def run_engine(body: EngineRunIn, request: Request, actor: Annotated[Actor, Depends(require("engine.run"))],
               idempotency_key: IdempotencyKeyHeader = None):
    def run():
        return lease_events.request_run(runtime(request), actor, lease_id=body.lease_id, run_type=body.run_type,
                                        effective_date=body.effective_date, changes=body.changes,
                                        standards=body.standards, dry_run=body.dry_run)

    if body.dry_run:  # a preview writes nothing, so it is answered directly and never stored
        return JSONResponse(jsonable_encoder(run()), status_code=200)
    return respond(request, actor, run, body=body, status_code=202, idempotency_key=idempotency_key)


@router.get("/engine/runs", operation_id="list_engine_runs", response_model=Page[RunOut],
            summary="Engine runs (lineage: base, supersedes, reversal of), filtered by lease, standard, run type")
def list_runs(request: Request, actor: Annotated[Actor, Depends(require("engine.read"))],
              limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
              lease_id: str | None = None, standard: Standard | None = None, run_type: str | None = None):
    return page_out(run_reads.list_runs(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                         lease_id=lease_id, standard=standard, run_type=run_type))


class DlqItemOut(BaseModel):
    lease_id: str
    entity: str
    external_id: str
    status: str
    failure: dict[str, Any] = Field(description="code (the engine rule), message, field, run_type, standards, "
                                                "inputs_hash, job_id, failed_at")
    created_at: datetime


@router.get("/engine/dlq", operation_id="list_failed_lease_runs", response_model=Page[DlqItemOut],
            summary="Leases whose recognition or event run failed (the dead-letter queue)",
            description="Fix the input (PATCH is not possible after confirm: use an engine run) or the "
                        "configuration (IBR matrix, FX rates, policy), then POST /v1/leases/{id}/recalculate.")
def list_dlq(request: Request, actor: Annotated[Actor, Depends(require("engine.read"))],
             limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
             entity: str | None = None, code: str | None = None):
    return page_out(lease_failures.list_dlq(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                            entity=entity, code=code))


@router.get("/engine/runs/{run_id}", operation_id="get_engine_run", response_model=RunOut,
            summary="One engine run with its inputs hash, versions and result")
def get_run(run_id: str, request: Request, actor: Annotated[Actor, Depends(require("engine.read"))]):
    return run_reads.get_run(runtime(request), actor, run_id)


@router.post("/engine/monthly-close", operation_id="monthly_close", status_code=202, response_model=CloseOut,
             responses={200: {"model": CloseOut, "description": "Every close was requested before: nothing queued"}},
             summary="Queue the lease close of a period (idempotent per entity × standard × period)")
def monthly_close(body: CloseIn, request: Request, actor: Annotated[Actor, Depends(require("close.run"))],
                  idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: ledger_close.request_close(runtime(request), actor, "lease",
                                                                      body.entity, body.period, body.standards),
                   body=body, status_code=lambda out: 202 if out["job_ids"] else 200, idempotency_key=idempotency_key)
