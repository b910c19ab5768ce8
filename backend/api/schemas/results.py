"""Response shapes of the lease, configuration, engine and platform routes (issue #13: every route has a
typed response model, so ``/v1/openapi.json`` describes every body). Money and rates are decimal strings
in the currency's unit. Nested engine detail that grows with the engine (classification tests, cash
flows, event summaries) stays an open object; the top level is fixed. The examples are trimmed
copies of real responses."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.api.schemas.leases import LeaseOut

LEASE_ID = "01M9535VK7XGNXWWJEF7TQ19RV"
JOB_ID = "01M9535VM98BD7S2P0B8FZ72ST"
RUN_ID = "01M9535VNMGZ87C2NE8VS0JX6K"


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Open(BaseModel):
    """A response object that may carry more fields than listed (engine detail)."""
    model_config = ConfigDict(extra="allow")


class HealthOut(BaseModel):
    model_config = _examples({"status": "ok", "database": "sqlite", "version": "0.1.0"})
    status: str = Field(description="`ok` when the database answers")
    database: str = Field(description="sqlite | postgresql")
    version: str


class SandboxResetOut(BaseModel):
    model_config = _examples({
        "tenant_id": "01M9535VF0QY4GTB5Z2TR9A25T",
        "removed": {"leases": 5, "lease_runs": 4, "journal_entries": 9, "journal_lines": 27, "close_runs": 2,
                    "jobs": 4, "period_locks": 1, "webhook_deliveries": 0},
        "kept": ["users", "api_tokens", "entities", "lease_policy_versions", "ibr_rates", "fx_rates",
                 "account_mappings", "webhook_endpoints", "audit_events"]})
    tenant_id: str
    removed: dict[str, int] = Field(description="Rows removed per table (transactional data)")
    kept: list[str] = Field(default_factory=list, description="What a reset keeps: people, tokens, entities and "
                                                              "their configuration, the audit trail")


# ---- leases ---------------------------------------------------------------------------------------------------

class IssueOut(Open):
    severity: Literal["error", "warning", "info"]
    code: str
    message: str
    field: str | None = None


class ValidateOut(BaseModel):
    model_config = _examples({
        "lease_id": LEASE_ID, "valid": True, "errors": [],
        "warnings": [{"severity": "warning", "field": "fair_value", "code": "classification_input_missing",
                      "message": "Fair value is missing, so the ASC 842 substantially-all (90 %) test cannot be "
                                 "assessed."}],
        "discount_rate": "0.06", "discount_rate_source": {"source": "lease"}})
    lease_id: str
    valid: bool = Field(description="No errors: the lease can be confirmed")
    errors: list[IssueOut]
    warnings: list[IssueOut]
    discount_rate: str | None = Field(description="The rate the engine will use (lease, implicit or IBR matrix)")
    discount_rate_source: dict[str, Any] | None = Field(description="Where the rate comes from and why")


class ConfirmResult(BaseModel):
    lease_id: str
    status: Literal["confirmed", "refused", "not_found", "already_confirmed", "already_terminated"]
    errors: list[IssueOut]
    job_ids: list[str] = Field(description="INITIAL_RECOGNITION jobs of the lease (also for already_confirmed)")


class ConfirmOut(BaseModel):
    model_config = _examples({
        "results": [{"lease_id": LEASE_ID, "status": "confirmed", "errors": [], "job_ids": [JOB_ID]}],
        "confirmed": 1, "refused": 0, "job_ids": [JOB_ID]})
    results: list[ConfirmResult]
    confirmed: int
    refused: int
    job_ids: list[str] = Field(description="Jobs queued by this request (empty: answered 200, nothing to wait for)")


class NotImportedRow(Open):
    draft_index: int
    row: str | None
    entity: str | None
    external_id: str | None
    issues: list[dict[str, Any]]


class ExtractSummary(BaseModel):
    drafts: int
    not_imported: int
    errors: int = Field(description="Every error in this response (cells, rows, drafts)")
    warnings: int
    infos: int
    drafts_with_errors: int


class ExtractOut(BaseModel):
    model_config = _examples({
        "drafts": [{"id": LEASE_ID, "entity": "UK01", "external_id": "L-1001", "status": "draft", "version": 1,
                    "source": "workbook",
                    "lease": {"external_id": "L-1001", "description": "Head office, 3rd floor, 10 King Street",
                              "asset_class": "property", "currency": "GBP", "commencement_date": "2026-01-01",
                              "end_date": "2035-12-31", "discount_rate": "0.055"},
                    "issues": [{"severity": "warning", "field": "fair_value", "code": "classification_input_missing",
                                "message": "Fair value is missing, so the ASC 842 substantially-all (90 %) test "
                                           "cannot be assessed."}],
                    "provenance": {"_row": "Leases!2", "external_id": "Leases!A2"},
                    "created_at": "2026-12-06T07:13:07.954875Z", "updated_at": None, "confirmed_at": None}],
        "draft_indexes": [0], "not_imported": [],
        "issues": [{"severity": "warning", "field": "fair_value", "code": "classification_input_missing",
                    "message": "Fair value is missing, so the ASC 842 substantially-all (90 %) test cannot be "
                               "assessed.", "cell": "Leases!2", "row": 0}],
        "summary": {"drafts": 1, "not_imported": 0, "errors": 0, "warnings": 1, "infos": 0, "drafts_with_errors": 0}})
    drafts: list[LeaseOut]
    draft_indexes: list[int]
    not_imported: list[NotImportedRow] = Field(description="Rows whose Entity names no known entity (not stored)")
    issues: list[dict[str, Any]] = Field(description="Every issue with its cell")
    summary: ExtractSummary


class SchedulePeriod(Open):
    """One calendar month; amounts are decimal strings, null where the book has none (exempt leases)."""
    period: str
    period_end: date
    opening_liability: str | None = None
    interest: str | None = None
    payment: str | None = None
    closing_liability: str | None = None
    depreciation: str | None = None
    lease_cost: str | None = None


SCHEDULE_EXAMPLE = {
    "lease_id": LEASE_ID, "standard": "IFRS16", "classification": None, "exemption": None, "run_id": RUN_ID,
    "run_type": "INITIAL_RECOGNITION", "engine_version": "0.1.0", "entity": "DEMO-US", "currency": "USD",
    "discount_rate": "0.06", "discount_rate_source": {"source": "lease"}, "commencement_date": "2026-01-01",
    "end_date": "2030-12-31", "initial_liability": "540034.19", "initial_rou_asset": "550034.19", "warnings": [],
    "periods": [{"period": "2026-01", "period_end": "2026-01-31", "opening_liability": "540034.19",
                 "interest": "2700.17", "payment": "0.00", "cash_paid": "10000.00",
                 "closing_liability": "542734.36", "liability_current": "90799.23",
                 "liability_noncurrent": "451935.13", "opening_rou_asset": "550034.19", "depreciation": "9167.24",
                 "closing_rou_asset": "540866.95", "accumulated_depreciation": "9167.24", "lease_cost": "11867.41",
                 "accrued_lease_liability": None, "gain_loss": "0.00", "fx_gain_loss": None}]}


class ScheduleOut(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [SCHEDULE_EXAMPLE]})
    lease_id: str
    standard: Literal["IFRS16", "ASC842"]
    classification: Literal["finance", "operating"] | None = Field(
        description="ASC 842 only; IFRS 16 has a single lessee model (null)")
    exemption: str | None = Field(description="short_term | low_value when the lease is exempt")
    run_id: str | None
    run_type: str | None = None
    currency: str
    discount_rate: str | None
    periods: list[SchedulePeriod]
    warnings: list[dict[str, Any]] = Field(default_factory=list)


# ---- engine runs and close ------------------------------------------------------------------------------------

RUN_EXAMPLE = {
    "id": RUN_ID, "lease_id": LEASE_ID, "standard": "ASC842", "run_type": "INITIAL_RECOGNITION",
    "effective_date": "2026-01-01", "is_current": True, "base_run_id": None, "supersedes_run_id": None,
    "reversal_of_run_id": None, "job_id": JOB_ID, "inputs_hash": "04d942831f72adcb410bbe22e9fafbf2b2be6ee7d98",
    "engine_version": "0.1.0", "policy_version": 0, "classification": "operating", "exemption": None,
    "created_at": "2026-12-06T07:13:01.608109Z",
    "result": {"initial_liability": "540034.19", "initial_rou_asset": "550034.19", "discount_rate": "0.06"}}


class RunOut(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [RUN_EXAMPLE]})
    id: str
    lease_id: str
    standard: Literal["IFRS16", "ASC842"]
    run_type: str
    effective_date: date | None
    is_current: bool
    base_run_id: str | None
    supersedes_run_id: str | None
    reversal_of_run_id: str | None
    job_id: str | None
    classification: Literal["finance", "operating"] | None
    exemption: str | None
    created_at: datetime
    result: dict[str, Any] | None = None


class RunAccepted(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "job_id": "01M95361NH567CTVF3KVGWR33M", "status": "queued", "lease_id": LEASE_ID, "run_type": "TERMINATION",
        "effective_date": "2027-06-30"}]})
    job_id: str
    status: str
    lease_id: str
    run_type: str
    effective_date: date


class DryRunOut(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "dry_run": True, "lease_id": LEASE_ID, "run_type": "TERMINATION", "effective_date": "2027-06-30",
        "results": {"IFRS16": {"run_type": "TERMINATION", "effective_period": "2027-06",
                               "summary": {"liability_before": "411001.05", "gain_loss": "671.54",
                                           "termination_payment": "25000.00"},
                               "entries": [], "warnings": []}}}]})
    dry_run: Literal[True]
    lease_id: str
    run_type: str
    effective_date: date
    results: dict[str, Any] = Field(description="Per standard: summary, schedule and entries (nothing written)")


class CloseTotals(Open):
    leases: int | None = None
    entries_written: int | None = None
    entries_already_present: int | None = None
    no_changes: bool | None = None
    debits_by_currency: dict[str, str] | None = Field(
        None, description="Debits written, per currency, as decimal strings in the currency's unit")


class CloseRunOut(BaseModel):
    close_id: str
    entity: str
    standard: str
    period: str
    status: str = Field(description="queued | running | completed | failed")
    job_id: str | None
    totals: CloseTotals
    created_at: datetime
    completed_at: datetime | None
    already_requested: bool = Field(description="true: this entity × standard × period was requested before")
    reopened_for_runs: int


class CloseOut(BaseModel):
    model_config = _examples({
        "closes": [{"close_id": "01M95361HTV7QGM73RPV7Z7X42", "entity": "DEMO-US", "standard": "IFRS16",
                    "period": "2026-01", "status": "completed", "job_id": "01M95361HYQMPZSP7XYYJH6JX9",
                    "totals": {"leases": 1, "entries_written": 3, "entries_already_present": 0, "no_changes": False,
                               "debits_by_currency": {"USD": "102666.64"}},
                    "created_at": "2026-12-06T07:13:07.641Z", "completed_at": "2026-12-06T07:13:07.656Z",
                    "already_requested": True, "reopened_for_runs": 0}],
        "job_ids": []})
    closes: list[CloseRunOut]
    job_ids: list[str] = Field(description="Jobs queued by this request (empty when every close was requested before)")


# ---- configuration ----------------------------------------------------------------------------------------------

class PolicyOut(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "version": 1, "effective_date": "2026-01-01", "enabled_standards": ["IFRS16", "ASC842"],
        "rate_convention": "nominal", "compounding_interval_months": None, "short_term_classes": ["*"],
        "low_value_classes": ["*"], "low_value_threshold": "5000", "asc_major_part_threshold": "0.75",
        "asc_substantially_all_threshold": "0.90", "current_portion_method": "principal_next_12_months",
        "functional_currency": "USD", "asc_restoration_in_rou": False, "interest_convention": "periodic",
        "depreciation_convention": "calendar_month"}]})
    entity: str
    version: int = Field(description="0: the built-in default policy")
    effective_date: date | None
    enabled_standards: list[str]


class IbrRateOut(BaseModel):
    matrix_version: int
    effective_date: date
    currency: str
    term_from_months: int
    term_to_months: int
    rate: str


class IbrMatrixOut(BaseModel):
    model_config = _examples({"entity": "DEMO-US", "rates": [
        {"matrix_version": 1, "effective_date": "2026-01-01", "currency": "USD", "term_from_months": 0,
         "term_to_months": 60, "rate": "0.055"}]})
    entity: str
    rates: list[IbrRateOut]


class FxRateOut(BaseModel):
    from_currency: str
    to_currency: str
    date: date
    rate: str


class FxRatesOut(BaseModel):
    model_config = _examples({"entity": "DEMO-US", "rates": [
        {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-31", "rate": "1.0842"}]})
    entity: str
    rates: list[FxRateOut]


class FxUpsertOut(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"entity": "DEMO-US", "upserted": 1, "changed": []}]})
    entity: str
    upserted: int
    changed: list[Any] = Field(description="Rates that replaced a different earlier value")


LOCK_EXAMPLE = {"entity": "DEMO-US", "standard": "ALL", "period": "2026-01", "status": "LOCKED",
                "changed_by": "01M9535VEWK0HHF2Z1XERY0XWR", "changed_at": "2026-12-06T07:13:01.878Z",
                "reason": "January closed"}


class LockOut(BaseModel):
    model_config = _examples(LOCK_EXAMPLE)
    entity: str
    standard: Literal["IFRS16", "ASC842", "ALL"]
    period: str
    status: Literal["LOCKED", "OPEN"]
    changed_by: str | None
    changed_at: datetime | None
    reason: str | None


class LocksOut(BaseModel):
    model_config = _examples({"data": [LOCK_EXAMPLE]})
    data: list[LockOut]


# ---- add-in -------------------------------------------------------------------------------------------------------

class AddinActionsOut(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "ok": True, "message": "3 leases extracted (0 with errors).",
        "actions": [{"func": "setValues", "args": [[["Status"], ["draft"]]], "values": [], "sheet_position": 0,
                     "start_row": 0, "start_column": 20, "row_count": 2, "column_count": 1}]}]})
    ok: bool
    message: str | None = None
    actions: list[dict[str, Any]] = Field(description="xlwings actions, to apply in order inside one Excel.run")


class AddinSessionOut(BaseModel):
    model_config = _examples({
        "user": {"name": "Demo Owner", "email": "owner@demo.example"}, "role": "OWNER", "actor_kind": "human",
        "tenant_kind": "sandbox", "tenant_id": "01M9535VF0QY4GTB5Z2TR9A25T", "entities": ["DE01", "DEMO-US"],
        "addin_enabled": True, "message": None})
    user: dict[str, str]
    role: str
    actor_kind: str
    tenant_kind: str
    tenant_id: str
    entities: list[str]
    addin_enabled: bool
    message: str | None
