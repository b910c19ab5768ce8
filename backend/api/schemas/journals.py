"""Journal entry, batch-approval and account-mapping shapes. Money is a decimal string."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

JournalStatus = Literal["draft", "approved", "posted", "void", "reversed"]


class JournalLineOut(BaseModel):
    line_no: int
    account: str = Field(description="Engine account code, e.g. ROU_ASSET")
    debit: str = Field(examples=["1200.00"])
    credit: str = Field(examples=["0.00"])
    currency: str
    dimensions: dict[str, str]


class JournalEntryOut(BaseModel):
    id: str
    entity: str
    standard: str
    period: str
    entry_date: date
    currency: str
    event: str
    source_operation: str
    source_type: Literal["lease", "revenue_contract", "manual"] = Field(
        description="The subledger the entry comes from")
    source_id: str | None = Field(description="The lease, revenue contract, … of the entry")
    lease_id: str | None = Field(description="Compatibility: source_id when source_type is lease")
    run_id: str | None
    close_id: str | None
    status: JournalStatus
    memo: str | None
    total_debit: str
    prepared_by: str | None
    prepared_actor_kind: str | None
    request_id: str | None
    approved_by: str | None
    approved_at: datetime | None
    posting_reference: str | None
    posted_at: datetime | None
    reversal_of_id: str | None
    reversed_by_id: str | None
    created_at: datetime
    lines: list[JournalLineOut]


class BatchApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(min_length=1, max_length=200)


class ItemError(BaseModel):
    code: str
    message: str
    details: Any = None


class BatchItem(BaseModel):
    id: str
    outcome: Literal["approved", "refused"]
    entry: JournalEntryOut | None
    error: ItemError | None


class BatchApproveOut(BaseModel):
    approved: int
    refused: int
    results: list[BatchItem]


class ReverseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    memo: str | None = Field(None, max_length=500)


class ReverseOut(BaseModel):
    original: JournalEntryOut
    reversal: JournalEntryOut


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=500)


class PostingReferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    posting_reference: str = Field(min_length=1, max_length=100, examples=["SAP-5100003412"])


class SummaryRow(BaseModel):
    account: str
    period: str
    standard: str
    currency: str
    debit: str
    credit: str
    line_count: int
    entry_count: int


class CurrencyTotal(BaseModel):
    currency: str
    debit: str
    credit: str


class SummaryOut(BaseModel):
    filters: dict[str, Any]
    rows: list[SummaryRow]
    totals_by_currency: list[CurrencyTotal]
    status_counts: dict[str, int]
    entry_count: int
    reversal_entry_count: int


class AccountMappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accounts: dict[str, str] = Field(description="engine code → GL account", examples=[{"ROU_ASSET": "1610"}])
    dimensions: dict[str, str] = Field(default_factory=dict, description="engine dimension → ERP dimension name",
                                       examples=[{"lease_id": "PROJECT", "asset_class": "COST_CENTER"}])
    version: int | None = Field(None, description="The version you read; a stale one gets 409 version_conflict")


class AccountMappingOut(BaseModel):
    entity: str
    accounts: dict[str, str]
    dimensions: dict[str, str]
    version: int
    updated_by: str | None
    updated_at: datetime | None
    unmapped: list[str] = Field(description="Engine codes used by this entity's journals that have no GL account")


class ExportJson(BaseModel):
    """The JSON export: one object per line under the same column names as the CSV."""
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "columns": ["entry_id", "entity", "standard", "period", "account", "gl_account", "debit", "credit", "currency"],
        "lines": [{"entry_id": "01M95361PZ0V4R3JK8Q2D6XG1B", "entity": "DEMO-US", "standard": "IFRS16",
                   "period": "2026-01", "prepared_by": "Demo Owner", "prepared_by_email": "owner@demo.example",
                   "approved_by": "Ada Approver", "approved_by_email": "ada@example.com", "line_no": 1,
                   "account": "INTEREST_EXPENSE", "gl_account": "7110", "debit": "2700.17", "credit": "0.00",
                   "currency": "USD"}],
        "line_count": 1, "excluded_draft_entries": 2,
        "totals_by_currency": {"USD": {"debit": "2700.17", "credit": "2700.17"}}}]})
    columns: list[str]
    lines: list[dict[str, Any]]
    line_count: int
    excluded_draft_entries: int | None = Field(None, description="Drafts matching the filters, left out")
    totals_by_currency: dict[str, dict[str, str]] = Field(description="{currency: {debit, credit}}")


class AccountCodeOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "LEASE_LIABILITY_CURRENT", "meaning": "Lease liability due within twelve months (principal of the "
                                                      "next 12 months)",
        "standards": ["IFRS16", "ASC842"], "normal_balance": "credit", "example_gl_account": "2310"}]})
    code: str = Field(description="The engine's stable account code, the key of an account mapping")
    meaning: str
    standards: list[str] = Field(description="The books that post to it")
    normal_balance: Literal["debit", "credit"]
    example_gl_account: str = Field(description="Its account in the demo chart (what the demo mapping uses)")


class AccountCodesOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"data": [
        {"code": "ROU_ASSET", "meaning": "Right-of-use asset at cost", "standards": ["IFRS16", "ASC842"],
         "normal_balance": "debit", "example_gl_account": "1610"},
        {"code": "REVENUE", "meaning": "Revenue from contracts with customers", "standards": ["IFRS15", "ASC606"],
         "normal_balance": "credit", "example_gl_account": "4000"}]}]})
    data: list[AccountCodeOut]
