"""Revenue contracts: drafts, extract, validate, confirm, recalculate, events, schedules, RPO,
dead-letter queue, configuration (policy snapshots, SSP matrix, period locks), close, journals."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.api.schemas.fields import PERIOD_PATTERN, Day
from backend.api.schemas.journals import JournalStatus, SummaryOut
from backend.api.schemas.revenue import (
    ConfirmIn,
    ContractCreate,
    ContractOut,
    ContractPatch,
    PolicySnapshotIn,
    RecalculateIn,
    RevenueCloseIn,
    RevenueEngineRunIn,
    RevenueLockIn,
    SspMatrixIn,
    Standard,
)
from backend.services.leases.workbook_import import WorkbookRefused
from backend.services.ledger import close as ledger_close
from backend.services.ledger import export as journal_export
from backend.services.ledger import locks as period_locks
from backend.services.ledger import queries as journal_queries
from backend.services.ledger.queries import Filters
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT
from backend.services.revenue import close as _revenue_source  # noqa: F401  (registers revenue as a ledger source)
from backend.services.revenue import config as revenue_config
from backend.services.revenue import contracts
from backend.services.revenue import runs as revenue_runs
from backend.services.revenue import workbook_import as revenue_import
from backend.workbooks import WorkbookRejected
from backend.workbooks.preflight import DEFAULT_LIMITS

router = APIRouter(prefix="/v1/revenue", responses=ERROR_RESPONSES, tags=["revenue"])
PeriodQ = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="YYYY-MM")]
SOURCE = "revenue_contract"


@router.post("/contracts", operation_id="create_revenue_contract", response_model=ContractOut, status_code=201,
             summary="Create a contract draft from the engine's input contract (issues returned, not raised)")
def create_contract(body: ContractCreate, request: Request,
                    actor: Annotated[Actor, Depends(require("revenue.write"))],
                    idempotency_key: IdempotencyKeyHeader = None):
    data = body.engine_dict()
    entity = data.pop("entity")
    return respond(request, actor, lambda: contracts.create_contract(runtime(request), actor, entity, data),
                   body=body, status_code=201, model=ContractOut, idempotency_key=idempotency_key)


@router.post("/contracts/extract/file", operation_id="extract_revenue_contracts_from_file", status_code=201,
             summary="Upload a revenue workbook (.xlsx) or CSV: all drafts stored with their cell issues, or none")
async def extract_file(request: Request, actor: Annotated[Actor, Depends(require("revenue.write"))],
                       file: Annotated[UploadFile, File(description="revenue_contracts.xlsx (or a CSV of contracts)")],
                       entity: Annotated[str | None, Form(description="Entity code for rows without one")] = None,
                       idempotency_key: IdempotencyKeyHeader = None):
    cap = DEFAULT_LIMITS.max_file_bytes
    data = await file.read(cap + 1)
    if len(data) > cap:
        raise WorkbookRefused(WorkbookRejected("file_too_large", f"The file is larger than {cap // (1024 * 1024)} MB.",
                                               413))
    fingerprint = {"sha256": hashlib.sha256(data).hexdigest(), "entity": entity, "name": file.filename}
    rt = runtime(request)
    return await run_in_threadpool(
        respond, request, actor,
        lambda: revenue_import.import_file(rt, actor, data, filename=file.filename or "", default_entity=entity),
        body=fingerprint, status_code=201, idempotency_key=idempotency_key)


@router.get("/contracts", operation_id="list_revenue_contracts", response_model=Page[ContractOut])
def list_contracts(request: Request, actor: Annotated[Actor, Depends(require("revenue.read"))],
                   limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
                   entity: str | None = None, customer: str | None = None,
                   status: Literal["draft", "confirmed"] | None = None, standard: Standard | None = None,
                   start_from: Annotated[Day | None, Query(description="start_date on or after")] = None,
                   start_to: Annotated[Day | None, Query(description="start_date on or before")] = None):
    return page_out(contracts.list_contracts(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                             entity=entity, customer=customer, status=status, standard=standard,
                                             start_from=start_from, start_to=start_to))


@router.post("/contracts/confirm", operation_id="confirm_revenue_contracts", status_code=202,
             summary="Confirm drafts; INITIAL_RECOGNITION queued for every book of the entity's policy")
def confirm(body: ConfirmIn, request: Request, actor: Annotated[Actor, Depends(require("revenue.confirm"))],
            idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: contracts.confirm(runtime(request), actor, body.contract_ids), body=body,
                   status_code=202, idempotency_key=idempotency_key)


@router.get("/contracts/{contract_id}", operation_id="get_revenue_contract", response_model=ContractOut)
def get_contract(contract_id: str, request: Request, actor: Annotated[Actor, Depends(require("revenue.read"))]):
    return contracts.get_contract(runtime(request), actor, contract_id)


@router.patch("/contracts/{contract_id}", operation_id="update_revenue_contract", response_model=ContractOut,
              summary="Edit a contract (send the version you read); after confirm it is a recalculation input")
def patch_contract(contract_id: str, body: ContractPatch, request: Request,
                   actor: Annotated[Actor, Depends(require("revenue.write"))]):
    changes = body.model_dump(mode="json", exclude_unset=True)
    version = changes.pop("version")
    return contracts.patch_contract(runtime(request), actor, contract_id, version, changes)


@router.post("/contracts/{contract_id}/validate", operation_id="validate_revenue_contract",
             summary="Input errors and a dry engine run per book (no writes but the draft's issues)")
def validate(contract_id: str, request: Request, actor: Annotated[Actor, Depends(require("revenue.write"))],
             idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: contracts.validate(runtime(request), actor, contract_id),
                   idempotency_key=idempotency_key)


@router.post("/contracts/{contract_id}/recalculate", operation_id="recalculate_revenue_contract", status_code=202,
             summary="Re-run a confirmed contract (after a failure, an input or policy change): a new run "
                     "supersedes the old, journals for the difference only")
def recalculate(contract_id: str, request: Request, actor: Annotated[Actor, Depends(require("revenue.confirm"))],
                body: RecalculateIn | None = None, idempotency_key: IdempotencyKeyHeader = None):
    stds = body.standards if body else None
    return respond(request, actor, lambda: contracts.request_recalculate(runtime(request), actor, contract_id, stds),
                   body=body, status_code=202, idempotency_key=idempotency_key)


@router.get("/contracts/{contract_id}/schedule", operation_id="get_revenue_schedule",
            summary="The monthly schedule of the current run (or of `run_id`) in one book; money as strings")
def schedule(contract_id: str, request: Request, actor: Annotated[Actor, Depends(require("revenue.read"))],
             standard: Standard, run_id: str | None = None):
    return revenue_runs.get_schedule(runtime(request), actor, contract_id, standard, run_id)


@router.get("/contracts/{contract_id}/rpo", operation_id="get_revenue_rpo",
            summary="Remaining performance obligations at a date, per book (time bands)")
def rpo(contract_id: str, request: Request, actor: Annotated[Actor, Depends(require("revenue.read"))],
        as_of: Day, standard: Standard | None = None):
    return revenue_runs.get_rpo(runtime(request), actor, contract_id, as_of, standard)


@router.get("/dlq", operation_id="list_revenue_dead_letters",
            summary="Revenue runs the engine refused: error, rule, inputs hash (resolved by a recalculation)")
def dlq(request: Request, actor: Annotated[Actor, Depends(require("revenue.read"))],
        limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
        status: Literal["open", "resolved"] | None = None, contract_id: str | None = None):
    return page_out(revenue_runs.list_dlq(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                          status=status, contract_id=contract_id))


@router.post("/engine/run", operation_id="run_revenue_engine", status_code=202,
             summary="A modification, VC reassessment or progress update as a new run (202 + job); "
                     "dry_run previews it and writes nothing")
def run_engine(body: RevenueEngineRunIn, request: Request, actor: Annotated[Actor, Depends(require("engine.run"))],
               idempotency_key: IdempotencyKeyHeader = None):
    def run():
        return contracts.request_event(runtime(request), actor, contract_id=body.contract_id, run_type=body.run_type,
                                       effective_date=body.effective_date, changes=body.changes,
                                       treatment=body.treatment, rationale=body.rationale, standards=body.standards,
                                       dry_run=body.dry_run)

    if body.dry_run:
        return JSONResponse(jsonable_encoder(run()), status_code=200)
    return respond(request, actor, run, body=body, status_code=202, idempotency_key=idempotency_key)


@router.put("/ssp-matrix", operation_id="put_ssp_matrix",
            summary="Replace the entity's SSP matrix (a new version); a change reaching a locked period is refused")
def put_ssp(body: SspMatrixIn, request: Request, actor: Annotated[Actor, Depends(require("revenue_config.write"))]):
    return revenue_config.put_matrix(runtime(request), actor, body.entity,
                                     [r.model_dump(exclude_none=True) for r in body.rows])


@router.get("/ssp-matrix", operation_id="get_ssp_matrix")
def get_ssp(request: Request, actor: Annotated[Actor, Depends(require("revenue_config.read"))], entity: str):
    return revenue_config.get_matrix(runtime(request), actor, entity)


@router.post("/policy-snapshots", operation_id="create_revenue_policy_snapshot", status_code=201,
             summary="A new immutable policy snapshot for the entity; later runs use it, recalculate applies it")
def create_snapshot(body: PolicySnapshotIn, request: Request,
                    actor: Annotated[Actor, Depends(require("revenue_config.write"))],
                    idempotency_key: IdempotencyKeyHeader = None):
    data = body.model_dump(mode="json", exclude_none=True)
    entity = data.pop("entity")
    return respond(request, actor, lambda: revenue_config.create_snapshot(runtime(request), actor, entity, data),
                   body=body, status_code=201, idempotency_key=idempotency_key)


@router.get("/policy-snapshots", operation_id="list_revenue_policy_snapshots")
def list_snapshots(request: Request, actor: Annotated[Actor, Depends(require("revenue_config.read"))], entity: str):
    return revenue_config.list_snapshots(runtime(request), actor, entity)


@router.put("/period-lock", operation_id="put_revenue_period_lock",
            summary="Lock or unlock a revenue period (APPROVER+); ALL = both revenue books (lease books untouched)")
def put_lock(body: RevenueLockIn, request: Request, actor: Annotated[Actor, Depends(require("period_locks.write"))]):
    books = ("IFRS15", "ASC606") if body.standard == "ALL" else (body.standard,)
    rows = [period_locks.set_lock(runtime(request), actor, body.entity, body.period, std, body.status, body.reason)
            for std in books]
    return {"data": rows}


@router.get("/period-lock", operation_id="get_revenue_period_locks")
def get_locks(request: Request, actor: Annotated[Actor, Depends(require("period_locks.read"))], entity: str,
              period: PeriodQ = None, standard: Literal["IFRS15", "ASC606"] | None = None):
    return {"data": period_locks.get_locks(runtime(request), actor, entity, period=period, standard=standard,
                                           books=("IFRS15", "ASC606"))}


@router.post("/engine/monthly-close", operation_id="revenue_monthly_close", status_code=202,
             summary="Queue the revenue close of a period (idempotent per entity × standard × period)")
def monthly_close(body: RevenueCloseIn, request: Request, actor: Annotated[Actor, Depends(require("close.run"))],
                  idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: ledger_close.request_close(runtime(request), actor, SOURCE, body.entity,
                                                                      body.period, body.standards),
                   body=body, status_code=202, idempotency_key=idempotency_key)


def revenue_filters(
    entity: Annotated[str | None, Query(description="Entity code")] = None,
    period: PeriodQ = None, period_from: PeriodQ = None, period_to: PeriodQ = None,
    standard: Standard | None = None,
    status: Annotated[list[JournalStatus] | None, Query(description="Repeat for several")] = None,
    contract_id: Annotated[str | None, Query(description="Entries of one contract")] = None,
    date_from: Annotated[Day | None, Query(description="entry_date on or after")] = None,
    date_to: Annotated[Day | None, Query(description="entry_date on or before")] = None,
) -> Filters:
    return Filters(entity=entity, period=period, period_from=period_from, period_to=period_to, standard=standard,
                   status=tuple(status or ()), date_from=date_from, date_to=date_to, source_type=SOURCE,
                   source_id=contract_id)


RevenueFilters = Annotated[Filters, Depends(revenue_filters)]


@router.get("/journals/summary", operation_id="revenue_journal_summary", response_model=SummaryOut,
            summary="Revenue journals rolled up by account × period × standard × currency, counts by status")
def journal_summary(request: Request, actor: Annotated[Actor, Depends(require("journals.read"))],
                    filters: RevenueFilters):
    return journal_queries.summary(runtime(request), actor, filters)


@router.get("/journals/export", operation_id="export_revenue_journals", response_class=StreamingResponse,
            summary="Approved (and posted/reversed) revenue journal lines with GL accounts: CSV, XLSX or JSON",
            responses={200: {"content": {m: {} for m in journal_export.FORMATS.values()}}})
def journal_export_route(request: Request, actor: Annotated[Actor, Depends(require("journals.export"))],
                         filters: RevenueFilters, format: Literal["csv", "xlsx", "json"]):
    plan = journal_export.prepare(runtime(request), actor, filters, format)
    return StreamingResponse(plan.body, media_type=plan.media_type,
                             headers={"Content-Disposition": f'attachment; filename="revenue-{plan.filename}"'})


__all__ = ["date", "router"]
