"""Lease drafts, validation, confirmation and schedules."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.api.schemas.fields import Currency
from backend.api.schemas.leases import ConfirmIn, LeaseCreate, LeaseOut, LeasePatch, Standard
from backend.api.schemas.results import ConfirmOut, ExtractOut, ScheduleOut, ValidateOut
from backend.services.leases import workbook_import as lease_import
from backend.services.leases import failures as lease_failures
from backend.services.leases import run_reads
from backend.services.leases import drafts as leases
from backend.services.leases.workbook_import import WorkbookRefused
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT
from backend.workbooks import WorkbookRejected
from backend.workbooks.preflight import DEFAULT_LIMITS

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["leases"])


@router.post("/leases", operation_id="create_lease", response_model=LeaseOut, status_code=201,
             summary="Create a lease draft (issues are computed and returned, not raised)")
def create_lease(body: LeaseCreate, request: Request, actor: Annotated[Actor, Depends(require("leases.write"))],
                 idempotency_key: IdempotencyKeyHeader = None):
    data = body.engine_dict()
    entity = data.pop("entity")
    return respond(request, actor, lambda: leases.create_lease(runtime(request), actor, entity, data),
                   body=body, status_code=201, model=LeaseOut, idempotency_key=idempotency_key)


@router.post("/leases/extract-file", operation_id="extract_leases_from_file", status_code=201,
             response_model=ExtractOut,
             summary="Upload a lease workbook (.xlsx/.xlsm): all drafts are stored with their cell issues, or none")
async def extract_file(request: Request, actor: Annotated[Actor, Depends(require("leases.write"))],
                       file: Annotated[UploadFile, File(description="The lease workbook (template or a variant)")],
                       entity: Annotated[str | None, Form(description="Entity code for rows without one")] = None,
                       locale: Annotated[str | None, Form(description="e.g. en-GB: how to read 03/04/2026")] = None,
                       idempotency_key: IdempotencyKeyHeader = None):
    cap = DEFAULT_LIMITS.max_file_bytes
    data = await file.read(cap + 1)
    if len(data) > cap:
        raise WorkbookRefused(WorkbookRejected("file_too_large", f"The file is larger than {cap // (1024 * 1024)} MB.",
                                               413))
    fingerprint = {"sha256": hashlib.sha256(data).hexdigest(), "entity": entity, "locale": locale}
    rt = runtime(request)
    return await run_in_threadpool(
        respond, request, actor,
        lambda: lease_import.import_workbook(rt, actor, data, default_entity=entity, locale=locale),
        body=fingerprint, status_code=201, idempotency_key=idempotency_key)


@router.get("/leases", operation_id="list_leases", response_model=Page[LeaseOut])
def list_leases(request: Request, actor: Annotated[Actor, Depends(require("leases.read"))],
                limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
                entity: str | None = None, status: Literal["draft", "confirmed", "terminated"] | None = None,
                asset_class: str | None = None, currency: Currency | None = None,
                expires_from: Annotated[date | None, Query(description="end_date on or after")] = None,
                expires_to: Annotated[date | None, Query(description="end_date on or before")] = None):
    return page_out(leases.list_leases(runtime(request), actor, limit=limit, cursor=cursor, sort=sort, entity=entity,
                                       status=status, asset_class=asset_class, currency=currency,
                                       expires_from=expires_from, expires_to=expires_to))


@router.get("/leases/{lease_id}", operation_id="get_lease", response_model=LeaseOut)
def get_lease(lease_id: str, request: Request, actor: Annotated[Actor, Depends(require("leases.read"))]):
    return leases.get_lease(runtime(request), actor, lease_id)


@router.patch("/leases/{lease_id}", operation_id="update_lease", response_model=LeaseOut,
              summary="Edit a draft; send the version you read (409 version_conflict when stale)")
def patch_lease(lease_id: str, body: LeasePatch, request: Request,
                actor: Annotated[Actor, Depends(require("leases.write"))]):
    changes = body.engine_dict()
    version = changes.pop("version")
    return leases.patch_lease(runtime(request), actor, lease_id, version, changes)


@router.post("/leases/{lease_id}/validate", operation_id="validate_lease", response_model=ValidateOut,
             summary="Errors (block confirm) and warnings (for the reviewer) of one lease")
def validate_lease(lease_id: str, request: Request, actor: Annotated[Actor, Depends(require("leases.write"))],
                   idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: leases.validate(runtime(request), actor, lease_id),
                   idempotency_key=idempotency_key)


@router.post("/leases/confirm", operation_id="confirm_leases", status_code=202, response_model=ConfirmOut,
             responses={200: {"model": ConfirmOut, "description": "Nothing was queued (every lease refused, not "
                                                                  "found or already confirmed): per-lease results"}},
             summary="Confirm drafts and queue INITIAL_RECOGNITION per enabled standard (per-lease results)")
def confirm(body: ConfirmIn, request: Request, actor: Annotated[Actor, Depends(require("leases.confirm"))],
            idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: leases.confirm(runtime(request), actor, body.lease_ids), body=body,
                   status_code=lambda out: 202 if out["job_ids"] else 200, idempotency_key=idempotency_key)


class RecalculateOut(BaseModel):
    lease_id: str
    status: Literal["queued", "up_to_date"]
    job_id: str | None
    standards: list[str] | None = None
    message: str | None = None


@router.post("/leases/{lease_id}/recalculate", operation_id="recalculate_lease", response_model=RecalculateOut,
             summary="Run recognition again for the books of a confirmed lease that have no run (after a fix)",
             description="A lease in the dead-letter list (GET /v1/engine/dlq) is retried once its input or "
                         "configuration is fixed. Idempotent: books that already have a run are skipped, and a "
                         "lease with nothing to redo answers `up_to_date`.")
def recalculate(lease_id: str, request: Request, actor: Annotated[Actor, Depends(require("leases.confirm"))],
                idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: lease_failures.recalculate(runtime(request), actor, lease_id),
                   model=RecalculateOut, idempotency_key=idempotency_key)


@router.get("/leases/{lease_id}/schedule", operation_id="get_lease_schedule", response_model=ScheduleOut,
            summary="The monthly schedule of the current run (or of `run_id`); money as strings")
def schedule(lease_id: str, request: Request, actor: Annotated[Actor, Depends(require("leases.read"))],
             standard: Standard, run_id: str | None = None):
    return run_reads.get_schedule(runtime(request), actor, lease_id, standard, run_id)
