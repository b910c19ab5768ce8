"""Descriptions and response examples of the revenue, disclosure and dead-letter operations (the
complement of ``openapi_docs.py`` for the routes added after it). A response whose route declares no
model gets its body documented here as an object with a realistic example; files get a binary schema."""
from __future__ import annotations

from typing import Any

CONTRACT = "01M957A1K2J3H4G5F6D7S8A9Q0"
RUN = "01M957A2Z1X2C3V4B5N6M7L8K9"
JOB = "01M957A3P0O9I8U7Y6T5R4E3W2"
LEASE = "01M9535VK7XGNXWWJEF7TQ19RV"
STAMP = "2026-01-15T09:00:00Z"

DESCRIPTIONS: dict[str, str] = {
    "lease_disclosure_pack": "The lease disclosure pack of an entity for a month (YYYY-MM) or fiscal year (YYYY): "
                             "IFRS 16.53 amounts or ASC 842-20-50 cost components, maturity analysis reconciled to "
                             "the liability, roll-forwards, weighted averages, narrative (generated, override, final) "
                             "and tie-out checks against the schedules and the approved journals. `format=xlsx` "
                             "returns the workbook with one sheet per note and native charts.",
    "list_lease_narrative_overrides": "Auditor narrative overrides of the lease packs of an entity × standard × "
                                      "period, every version with who and why.",
    "put_lease_narrative_override": "Adds a version of a section's narrative (APPROVER and above, audited); the pack "
                                    "shows the generated and the final text without re-running the engine. "
                                    "`text: null` reverts to the generated text.",
    "list_revenue_narrative_overrides": "Auditor narrative overrides of the revenue packs of an entity × scope × "
                                        "period, every version with who and why.",
    "put_revenue_narrative_override": "Adds a version of a revenue pack section's narrative (APPROVER and above, "
                                      "audited); `text: null` reverts to the generated text.",
    "create_revenue_contract": "Stores one contract as a draft, in the revenue engine's input contract (customer, "
                               "transaction price, billing, performance obligations); the response lists its "
                               "issues. Confirm it to recognise revenue.",
    "list_revenue_contracts": "Contracts of the tenant, newest first; filter by entity, customer, status, standard or "
                              "start-date range.",
    "extract_revenue_contracts_from_file": "Upload the revenue contract workbook (Contracts, Performance "
                                           "obligations and Billing sheets) or a CSV: every contract becomes a draft "
                                           "with its cell-level issues, or nothing is stored.",
    "confirm_revenue_contracts": "Confirms valid drafts and queues INITIAL_RECOGNITION for every standard the "
                                 "entity's revenue policy enables; per-contract results (refused ones with their "
                                 "errors).",
    "get_revenue_contract": "One contract with its input, events, issues and confirmation state.",
    "update_revenue_contract": "Edits a draft (optimistic concurrency with `version`); after confirmation the change "
                               "is a recalculation input and the contract is marked `needs_recalculation`.",
    "validate_revenue_contract": "Errors that block confirmation and warnings for the reviewer, per book (SSP gaps, "
                                 "variable consideration without a constraint judgement, …).",
    "recalculate_revenue_contract": "Re-runs recognition after a fix or a policy change: a new run supersedes the "
                                    "old with lineage, journals only for the difference, locked periods caught up "
                                    "in the first open period.",
    "get_revenue_schedule": "The contract's schedule for one book: transaction price, allocation, revenue by "
                            "performance obligation per month, billing, receivable, contract asset and liability, "
                            "RPO and the IFRS 15 / ASC 606 divergences.",
    "get_revenue_rpo": "Remaining performance obligations at a date with time bands (within 12 months and by "
                       "calendar year) and the expedients applied.",
    "list_revenue_dead_letters": "Contract runs that failed (the engine rule, message, inputs hash and job); fix "
                                 "the input or configuration and recalculate.",
    "run_revenue_engine": "A contract event as a new run: MODIFICATION, VARIABLE_CONSIDERATION_REASSESSMENT or "
                          "PROGRESS_UPDATE; 202 with the job, or `dry_run` to preview the result and its entries.",
    "put_ssp_matrix": "Adds a version of the stand-alone selling price matrix (sku × currency × optional "
                      "dimensions, a point or a low/mid/high range, effective dates). A change reaching a locked "
                      "period is refused.",
    "get_ssp_matrix": "The SSP matrix rows of an entity, every version.",
    "create_revenue_policy_snapshot": "Records an immutable, versioned set of revenue elections for an entity "
                                      "(ratable convention, financing and costs-to-obtain expedients, RPO "
                                      "expedients, …); runs after it use it, recalculate applies it to older ones.",
    "list_revenue_policy_snapshots": "The revenue policy snapshots of an entity, newest first.",
    "put_revenue_period_lock": "Locks or opens a revenue period of an entity for one book (or both). APPROVER and "
                               "above, human only; nothing is then written into it (late changes are caught up "
                               "in the first open period).",
    "get_revenue_period_locks": "Revenue period locks of an entity; a period never locked reads as OPEN.",
    "revenue_monthly_close": "Queues the revenue close of a period for each enabled book (idempotent per entity × "
                             "book × period) through the ledger's one close mechanism.",
    "revenue_journal_summary": "Debit and credit totals of revenue journal entries by account, period, book and "
                               "currency, with entry counts by status.",
    "export_revenue_journals": "Approved revenue journal lines for the ERP, with the entity's account mapping "
                               "applied, as CSV, XLSX or JSON.",
}

_CONTRACT_VIEW = {
    "id": CONTRACT, "entity": "DEMO-US", "external_id": "SAAS-2026-001", "customer": "Northwind Traders",
    "currency": "USD", "start_date": "2026-01-01", "status": "confirmed", "version": 2, "source": "api",
    "contract": {"external_id": "SAAS-2026-001", "customer": "Northwind Traders", "currency": "USD",
                 "start_date": "2026-01-01", "transaction_price": {"fixed": "36000.00"},
                 "billing": [{"date": "2026-01-01", "amount": "36000.00"}],
                 "performance_obligations": [{"id": "SUB", "description": "Subscription", "ssp": "36000.00",
                                              "ssp_method": "observable", "pattern": "ratable",
                                              "start_date": "2026-01-01", "end_date": "2028-12-31"}]},
    "events": [], "issues": [], "provenance": {}, "needs_recalculation": False, "standards": ["IFRS15", "ASC606"],
    "created_at": STAMP, "updated_at": STAMP, "confirmed_at": STAMP}
_SCHEDULE = {
    "contract_id": CONTRACT, "standard": "IFRS15", "run_id": RUN, "currency": "USD",
    "transaction_price": {"fixed": "36000.00", "variable_estimate": "0.00", "variable_included": "0.00",
                          "financing_adjustment": "0.00", "total": "36000.00"},
    "ssp_total": "36000.00", "allocation": {"SUB": "36000.00"},
    "periods": [{"period": "2026-01", "period_end": "2026-01-31", "revenue": {"SUB": "1000.00"},
                 "revenue_total": "1000.00", "billed": "36000.00", "receivable": "36000.00",
                 "contract_asset": "0.00", "contract_liability": "35000.00", "interest": "0.00"}],
    "rpo": {"as_of": "2026-01-31", "total": "35000.00",
            "time_bands": {"within_12_months": "12000.00", "2026": "11000.00", "2027": "12000.00", "2028": "12000.00"}},
    "divergences": []}
_OVERRIDE = {"id": "01M957A4Q1W2E3R4T5Y6U7I8O9", "source": "lease", "entity": "DEMO-US", "standard": "IFRS16",
             "period": "2026", "section": "maturity", "version": 2,
             "text": "Lease payments fall mainly within five years; no lease extends beyond 2034.",
             "reason": "Auditor wording agreed at the year-end meeting", "created_by": "01M95362B8S1Q7T4K3WJ2N9D6F",
             "created_at": STAMP}
_JSON = "application/json"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BINARY = {"type": "string", "format": "binary"}


def _obj(description: str) -> dict[str, Any]:
    return {"type": "object", "description": description, "additionalProperties": True}


# operationId → status → media type → (schema or None to keep the route's own, example)
RESPONSES: dict[str, dict[str, dict[str, tuple[dict | None, Any]]]] = {
    "confirm_leases": {},
    "recalculate_lease": {"200": {_JSON: (None, {"lease_id": LEASE, "status": "queued", "job_id": JOB,
                                                  "standards": ["IFRS16", "ASC842"], "message": None})}},
    "list_failed_lease_runs": {"200": {_JSON: (None, {"data": [{
        "lease_id": LEASE, "entity": "DEMO-US", "external_id": "NYC-HQ-01", "status": "confirmed",
        "failure": {"code": "fx_rate_missing", "message": "No EUR->USD exchange rate for 2026-01-01.",
                    "field": "currency", "run_type": "INITIAL_RECOGNITION", "standards": ["IFRS16", "ASC842"],
                    "inputs_hash": "9f2c…", "job_id": JOB, "failed_at": STAMP},
        "created_at": STAMP}], "total_count": 1, "has_more": False, "next_cursor": None})}},
    "lease_disclosure_pack": {"200": {
        _JSON: (_obj("The pack: entity, period, standard, sections (rows or table, narrative), maturity_analysis, "
                     "checks"),
                {"entity": "DEMO-US", "period": "2026", "standard": "IFRS16",
                 "sections": [{"id": "maturity", "title": "Maturity analysis of lease liabilities",
                               "table": [{"label": "Within 1 year", "amount": "123600.00"}],
                               "narrative": {"generated": "Undiscounted lease payments…", "override": None,
                                             "final": "Undiscounted lease payments…"}}],
                 "maturity_analysis": {"bands": [{"label": "Within 1 year", "amount": "123600.00"}],
                                       "total_undiscounted": "367236.00", "imputed_interest": "31220.41",
                                       "lease_liability": "336015.59"},
                 "checks": [{"name": "liability ties to the ledger", "ok": True, "expected": "336015.59",
                             "actual": "336015.59"}]}),
        _XLSX: (_BINARY, None)}},
    "list_lease_narrative_overrides": {"200": {_JSON: (None, {"data": [_OVERRIDE]})}},
    "put_lease_narrative_override": {"200": {_JSON: (None, _OVERRIDE)}},
    "revenue_disclosure_pack": {"200": {
        _JSON: (_obj("The pack: entity, period, scope, sections (rows or table, narrative), checks"),
                {"entity": "DEMO-US", "period": "2026", "scope": "COMBINED",
                 "sections": [{"id": "contract_balances", "title": "Contract balances",
                               "rows": [{"label": "Contract liabilities, opening", "IFRS15": "0.00",
                                         "ASC606": "0.00"},
                                        {"label": "Contract liabilities, closing", "IFRS15": "24000.00",
                                         "ASC606": "24000.00"}],
                               "narrative": {"generated": "Contract liabilities arise from annual billing in "
                                                          "advance…", "override": None,
                                             "final": "Contract liabilities arise from annual billing in advance…"}}],
                 "checks": [{"name": "revenue ties to the ledger (IFRS15)", "ok": True, "expected": "12000.00",
                             "actual": "12000.00"}]}),
        _XLSX: (_BINARY, None)}},
    "list_revenue_narrative_overrides": {"200": {_JSON: (None, {"data": [{**_OVERRIDE, "source": "revenue",
                                                                           "standard": "COMBINED",
                                                                           "section": "rpo"}]})}},
    "put_revenue_narrative_override": {"200": {_JSON: (None, {**_OVERRIDE, "source": "revenue",
                                                              "standard": "COMBINED", "section": "rpo"})}},
    "create_revenue_contract": {"201": {_JSON: (None, {**_CONTRACT_VIEW, "status": "draft", "version": 1,
                                                        "confirmed_at": None})}},
    "list_revenue_contracts": {"200": {_JSON: (None, {"data": [_CONTRACT_VIEW], "total_count": 1,
                                                       "has_more": False, "next_cursor": None})}},
    "get_revenue_contract": {"200": {_JSON: (None, _CONTRACT_VIEW)}},
    "update_revenue_contract": {"200": {_JSON: (None, _CONTRACT_VIEW)}},
    "extract_revenue_contracts_from_file": {"201": {_JSON: (_obj("drafts, issues (with sheet and cell), summary"), {
        "drafts": [{**_CONTRACT_VIEW, "status": "draft", "version": 1, "source": "workbook"}],
        "issues": [{"severity": "warning", "field": "performance_obligations[0].ssp", "code": "ssp_from_matrix",
                    "message": "No SSP on the row: the SSP matrix row for SKU-SUB applies.",
                    "sheet": "Performance obligations", "cell": "E2"}],
        "summary": {"drafts": 1, "errors": 0, "warnings": 1}})}},
    "confirm_revenue_contracts": {"202": {_JSON: (_obj("per-contract results, counts and the queued jobs"), {
        "results": [{"contract_id": CONTRACT, "status": "confirmed", "errors": [], "job_ids": [JOB]}],
        "confirmed": 1, "refused": 0, "job_ids": [JOB]})}},
    "validate_revenue_contract": {"200": {_JSON: (_obj("valid, errors, warnings and the books"), {
        "contract_id": CONTRACT, "valid": True, "errors": [],
        "warnings": [{"severity": "warning", "field": "performance_obligations[0].ssp", "code": "ssp_from_matrix",
                      "message": "The SSP comes from the SSP matrix (SKU-SUB, USD)."}],
        "books": ["IFRS15", "ASC606"]})}},
    "recalculate_revenue_contract": {"202": {_JSON: (_obj("the queued recalculation"), {
        "contract_id": CONTRACT, "run_type": "RECALCULATION", "job_id": JOB, "status": "queued"})}},
    "get_revenue_schedule": {"200": {_JSON: (_obj("the output contract of the revenue engine for one book"),
                                             _SCHEDULE)}},
    "get_revenue_rpo": {"200": {_JSON: (_obj("RPO at a date with time bands and expedients"), {
        "contract_id": CONTRACT, "standard": "IFRS15", "as_of": "2026-06-30", "total": "30000.00",
        "time_bands": {"within_12_months": "12000.00", "2026": "6000.00", "2027": "12000.00", "2028": "12000.00"},
        "expedients": []})}},
    "list_revenue_dead_letters": {"200": {_JSON: (_obj("failed contract runs, paginated"), {
        "data": [{"contract_id": CONTRACT, "entity": "DEMO-US", "run_type": "INITIAL_RECOGNITION",
                  "code": "ssp_missing", "message": "No SSP for SKU-HW in USD on 2026-01-01.",
                  "inputs_hash": "4c1d…", "job_id": JOB, "resolved": False, "created_at": STAMP}],
        "total_count": 1, "has_more": False, "next_cursor": None})}},
    "run_revenue_engine": {"202": {_JSON: (_obj("the queued event run"), {
        "contract_id": CONTRACT, "run_type": "MODIFICATION", "job_id": JOB, "status": "queued"})}},
    "put_ssp_matrix": {"200": {_JSON: (_obj("the matrix after the new version"), {
        "entity": "DEMO-US", "version": 2, "rows": [{"sku": "SKU-SUB", "currency": "USD", "dimensions": {},
                                                     "method": "observable", "point": "1000.00", "low": None,
                                                     "mid": None, "high": None, "effective_from": "2026-01-01",
                                                     "effective_to": None, "version": 2}]})}},
    "get_ssp_matrix": {"200": {_JSON: (_obj("the SSP matrix rows"), {
        "entity": "DEMO-US", "rows": [{"sku": "SKU-SUB", "currency": "USD", "dimensions": {"region": "EMEA"},
                                       "method": "adjusted_market_assessment", "point": None, "low": "900.00",
                                       "mid": "1000.00", "high": "1100.00", "effective_from": "2026-01-01",
                                       "effective_to": None, "version": 1}]})}},
    "create_revenue_policy_snapshot": {"201": {_JSON: (_obj("the recorded snapshot"), {
        "id": "01M957A5A1S2D3F4G5H6J7K8L9", "entity": "DEMO-US", "version": 1, "effective_date": "2026-01-01",
        "policy": {"ratable_convention": "monthly", "financing_expedient": True,
                   "costs_to_obtain_expedient": True, "enabled_standards": ["IFRS15", "ASC606"]},
        "created_at": STAMP})}},
    "list_revenue_policy_snapshots": {"200": {_JSON: (_obj("the snapshots, newest first"), {"data": [{
        "id": "01M957A5A1S2D3F4G5H6J7K8L9", "entity": "DEMO-US", "version": 1, "effective_date": "2026-01-01",
        "policy": {"ratable_convention": "monthly"}, "created_at": STAMP}]})}},
    "put_revenue_period_lock": {"200": {_JSON: (_obj("the lock(s) after the change"), {"data": [
        {"entity": "DEMO-US", "standard": "IFRS15", "period": "2026-01", "status": "LOCKED",
         "changed_by": "01M95362B8S1Q7T4K3WJ2N9D6F", "changed_at": STAMP, "reason": "January closed"}]})}},
    "get_revenue_period_locks": {"200": {_JSON: (_obj("the revenue locks of an entity"), {"data": [
        {"entity": "DEMO-US", "standard": "IFRS15", "period": "2026-01", "status": "OPEN", "changed_by": None,
         "changed_at": None, "reason": None}]})}},
    "revenue_monthly_close": {"202": {_JSON: (_obj("one close per book and the queued jobs"), {
        "closes": [{"close_id": "01M957A6B2N3M4Q5W6E7R8T9Y0", "source": "revenue_contract", "entity": "DEMO-US",
                    "standard": "IFRS15", "period": "2026-01", "status": "queued", "job_id": JOB, "totals": {},
                    "created_at": STAMP, "completed_at": None, "already_requested": False,
                    "reopened_for_runs": 0}], "job_ids": [JOB]})}},
    "export_revenue_journals": {"200": {
        "text/csv; charset=utf-8": ({"type": "string"},
                                    "entry_id,entity,standard,period,entry_date,status,source_operation,event,"
                                    "source_type,source_id,…\r\n"),
        _JSON: (_obj("entries with their mapped lines"), {"entries": [], "excluded_draft_entries": 0}),
        _XLSX: (_BINARY, None)}},
}


def apply(spec: dict) -> None:
    """Fill in what the routes above leave out (never overriding a route's own documentation)."""
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            op_id = op.get("operationId", "")
            if len((op.get("description") or "").strip()) < 20 and op_id in DESCRIPTIONS:
                op["description"] = DESCRIPTIONS[op_id]
            for status, media_types in RESPONSES.get(op_id, {}).items():
                content = op.setdefault("responses", {}).setdefault(status, {"description": "OK"}).setdefault(
                    "content", {})
                for ctype, (schema, example) in media_types.items():
                    media = content.setdefault(ctype, {})
                    if schema is not None and not media.get("schema"):
                        media["schema"] = schema
                    if example is not None and media.get("example") is None and not media.get("examples"):
                        media["example"] = example
