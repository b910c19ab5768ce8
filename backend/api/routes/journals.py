"""Journal entries (list, read, approve, batch-approve, reverse, void, posting reference, summary,
export) and the per-entity account mapping the export applies."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.api.schemas.journals import (
    AccountCodesOut, AccountMappingIn, AccountMappingOut, BatchApproveIn, BatchApproveOut, JournalEntryOut, JournalStatus,
    PostingReferenceIn, ReverseIn, ReverseOut, SummaryOut, VoidIn)
from backend.services.ledger import account_codes, account_mapping
from backend.services.ledger import export as journal_export
from backend.services.ledger import queries as journal_queries
from backend.services.ledger import journals
from backend.services.platform.context import Actor
from backend.api.schemas.fields import PERIOD_PATTERN, Day
from backend.services.ledger.queries import Filters
from backend.api.openapi_docs import EXPORT_CSV_EXAMPLE
from backend.api.schemas.journals import ExportJson
from backend.services.platform.pagination import DEFAULT_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["journals"])
Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="YYYY-MM")]


def journal_filters(
    entity: Annotated[str | None, Query(description="Entity code")] = None,
    period: Period = None, period_from: Period = None, period_to: Period = None,
    standard: Literal["IFRS16", "ASC842", "IFRS15", "ASC606"] | None = None,
    status: Annotated[list[JournalStatus] | None, Query(description="Repeat for several")] = None,
    source: Annotated[str | None, Query(description="source_operation, e.g. monthly_close, reversal")] = None,
    date_from: Annotated[Day | None, Query(description="entry_date on or after")] = None,
    date_to: Annotated[Day | None, Query(description="entry_date on or before")] = None,
    lease_id: Annotated[str | None, Query(description="Entries of one lease (source_type=lease)")] = None,
    run_id: str | None = None,
    source_type: Literal["lease", "revenue_contract", "manual"] | None = None,
    source_id: Annotated[str | None, Query(description="Entries of one lease, contract, …")] = None,
) -> Filters:
    return Filters(entity=entity, period=period, period_from=period_from, period_to=period_to, standard=standard,
                   status=tuple(status or ()), source=source, date_from=date_from, date_to=date_to,
                   lease_id=lease_id, run_id=run_id, source_type=source_type, source_id=source_id)


JournalFilters = Annotated[Filters, Depends(journal_filters)]
Book = Literal["IFRS16", "ASC842", "IFRS15", "ASC606"]


def export_filters(
    standard: Annotated[Book, Query(description="The book to export: one book per file (its name says which)")],
    entity: Annotated[str | None, Query(description="Entity code")] = None,
    period: Period = None, period_from: Period = None, period_to: Period = None,
    status: Annotated[list[JournalStatus] | None, Query(description="approved, posted, reversed (default all three)")] = None,
    source: Annotated[str | None, Query(description="source_operation, e.g. monthly_close, reversal")] = None,
    date_from: Annotated[Day | None, Query(description="entry_date on or after")] = None,
    date_to: Annotated[Day | None, Query(description="entry_date on or before")] = None,
    lease_id: Annotated[str | None, Query(description="Entries of one lease (source_type=lease)")] = None,
    run_id: str | None = None,
    source_type: Literal["lease", "revenue_contract", "manual"] | None = None,
    source_id: Annotated[str | None, Query(description="Entries of one lease, contract, …")] = None,
) -> Filters:
    return journal_filters(entity=entity, period=period, period_from=period_from, period_to=period_to,
                           standard=standard, status=status, source=source, date_from=date_from, date_to=date_to,
                           lease_id=lease_id, run_id=run_id, source_type=source_type, source_id=source_id)


@router.get("/journal-entries", operation_id="list_journal_entries", response_model=Page[JournalEntryOut])
def list_entries(request: Request, actor: Annotated[Actor, Depends(require("journals.read"))], filters: JournalFilters,
                 limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None):
    return page_out(journal_queries.list_entries(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                                 filters=filters))


@router.get("/journal-entries/summary", operation_id="journal_summary", response_model=SummaryOut,
            summary="Debit/credit totals by account × period × standard × currency, and counts by status")
def summary(request: Request, actor: Annotated[Actor, Depends(require("journals.read"))], filters: JournalFilters):
    return journal_queries.summary(runtime(request), actor, filters)


@router.get("/journal-entries/export", operation_id="export_journal_entries",
            summary="Approved, posted and reversed lines with GL accounts, streamed as CSV, XLSX or JSON",
            response_class=StreamingResponse,
            responses={200: {"description": "The lines of one book; `X-Export-Entries` and "
                                            "`X-Draft-Entries-Excluded` say what is in it and what was left out",
                             "content": {
                                 journal_export.FORMATS["csv"]: {"schema": {"type": "string"},
                                                                 "example": EXPORT_CSV_EXAMPLE},
                                 journal_export.FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                                 journal_export.FORMATS["json"]: {"schema": ExportJson.model_json_schema()}}}})
def export(request: Request, actor: Annotated[Actor, Depends(require("journals.export"))],
           filters: Annotated[Filters, Depends(export_filters)], format: Literal["csv", "xlsx", "json"]):
    plan = journal_export.prepare(runtime(request), actor, filters, format)
    return StreamingResponse(plan.body, media_type=plan.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{plan.filename}"',
                                      **plan.headers})


@router.post("/journal-entries/batch-approve", operation_id="batch_approve_journal_entries",
             response_model=BatchApproveOut,
             summary="Approve up to 200 drafts; per-item results (approved ones commit, refused ones say why)")
def batch_approve(body: BatchApproveIn, request: Request,
                  actor: Annotated[Actor, Depends(require("journals.approve"))],
                  idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: journals.batch_approve(runtime(request), actor, body.ids), body=body,
                   model=BatchApproveOut, idempotency_key=idempotency_key)


@router.get("/journal-entries/{entry_id}", operation_id="get_journal_entry", response_model=JournalEntryOut)
def get_entry(entry_id: str, request: Request, actor: Annotated[Actor, Depends(require("journals.read"))]):
    return journal_queries.get_entry(runtime(request), actor, entry_id)


@router.post("/journal-entries/{entry_id}/approve", operation_id="approve_journal_entry",
             response_model=JournalEntryOut,
             summary="Approve a draft: a human APPROVER/ADMIN/OWNER other than the preparer, period open")
def approve(entry_id: str, request: Request, actor: Annotated[Actor, Depends(require("journals.approve"))],
            idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: journals.approve(runtime(request), actor, entry_id),
                   model=JournalEntryOut, idempotency_key=idempotency_key)


@router.post("/journal-entries/{entry_id}/reverse", operation_id="reverse_journal_entry", response_model=ReverseOut,
             status_code=201, summary="Reverse an approved/posted entry once, in the first open period")
def reverse(entry_id: str, request: Request, actor: Annotated[Actor, Depends(require("journals.reverse"))],
            body: ReverseIn | None = None, idempotency_key: IdempotencyKeyHeader = None):
    memo = body.memo if body else None
    return respond(request, actor, lambda: journals.reverse(runtime(request), actor, entry_id, memo), body=body,
                   status_code=201, model=ReverseOut, idempotency_key=idempotency_key)


@router.post("/journal-entries/{entry_id}/void", operation_id="void_journal_entry", response_model=JournalEntryOut,
             summary="Void a draft (approved entries are corrected by reversal instead)")
def void(entry_id: str, request: Request, actor: Annotated[Actor, Depends(require("journals.void"))],
         body: VoidIn | None = None, idempotency_key: IdempotencyKeyHeader = None):
    reason = body.reason if body else None
    return respond(request, actor, lambda: journals.void(runtime(request), actor, entry_id, reason), body=body,
                   model=JournalEntryOut, idempotency_key=idempotency_key)


@router.put("/journal-entries/{entry_id}/posting-reference", operation_id="set_journal_posting_reference",
            response_model=JournalEntryOut, summary="Record the ERP's posting id: approved → posted")
def posting_reference(entry_id: str, body: PostingReferenceIn, request: Request,
                      actor: Annotated[Actor, Depends(require("journals.post"))]):
    return journals.set_posting_reference(runtime(request), actor, entry_id, body.posting_reference)


@router.get("/entities/{code}/account-mapping", operation_id="get_account_mapping", response_model=AccountMappingOut)
def get_mapping(code: str, request: Request, actor: Annotated[Actor, Depends(require("account_mapping.read"))]):
    return account_mapping.get_mapping(runtime(request), actor, code)


@router.put("/entities/{code}/account-mapping", operation_id="put_account_mapping", response_model=AccountMappingOut,
            summary="Replace the entity's engine-code → GL-account (and dimension) mapping")
def put_mapping(code: str, body: AccountMappingIn, request: Request,
                actor: Annotated[Actor, Depends(require("account_mapping.write"))]):
    return account_mapping.put_mapping(runtime(request), actor, code, body.accounts, body.dimensions, body.version)


@router.get("/account-codes", operation_id="list_account_codes", response_model=AccountCodesOut,
            summary="Every engine account code with its meaning, books and normal balance")
def list_account_codes(request: Request, actor: Annotated[Actor, Depends(require("account_mapping.read"))]):
    return {"data": account_codes.list_codes()}
