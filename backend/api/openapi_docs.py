"""What ``/v1/openapi.json`` adds to the routes' own declarations: a description per operation and a
realistic example per body, so the reference (Swagger UI, ReDoc, the Postman collection) is usable on its
own. A route's docstring or ``description=`` wins over the text here; a model's own ``examples`` win over
the examples here. ``tests/firsthour/test_openapi_complete.py`` fails when an operation or body has none:
new routes document themselves with a docstring and ``json_schema_extra={"examples": [...]}`` on their models.
"""
from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from backend.api import openapi_revenue_docs

USER = "01M9535VEWK0HHF2Z1XERY0XWR"
APPROVER = "01M95362B8S1Q7T4K3WJ2N9D6F"
TENANT = "01M9535VF0QY4GTB5Z2TR9A25T"
LEASE = "01M9535VK7XGNXWWJEF7TQ19RV"
ENTRY = "01M95361PZ0V4R3JK8Q2D6XG1B"
ENDPOINT = "01M9536A4T7C2W9KQX5P8R1M3D"
DELIVERY = "01M9536A9YB2N6H4J1K7Q3S8VE"
EVENT = "01M9536A8QW3E5R7T9Y1U2I4OP"
STAMP = "2026-01-15T09:00:00Z"

DESCRIPTIONS: dict[str, str] = {
    "health": "Answers 200 with `status: ok` when the API process runs and its database answers. No token needed; "
              "use it for load-balancer and container health checks.",
    "get_me": "The user, tenant (sandbox or production), role and actor kind the bearer token acts as. The quickest "
              "way to check that a token works.",
    "reset_sandbox": "Removes this sandbox tenant's transactional data — leases, engine runs, journal entries, closes, "
                     "jobs, period locks, webhook deliveries and idempotency records — and keeps users, tokens, "
                     "entities and their configuration (lease policy, IBR matrix, FX rates, account mapping, webhook "
                     "endpoints) and the audit trail. Production tenants refuse it (403).",
    "create_user": "Adds a person or an agent to the account (users are shared by its sandbox and production "
                   "tenants). OWNER/ADMIN only. Mint a token for the new user with `POST /v1/tokens {\"user_id\"}`.",
    "list_users": "Users of the account, newest first; filter by role or active state.",
    "get_user": "One user of the account.",
    "update_user": "Change a user's name, email, role or actor kind; `active: false` deactivates the user and "
                   "revokes every token it holds.",
    "create_token": "Mints an API token for yourself, or (OWNER/ADMIN, human) for another user given by `user_id`. "
                    "The secret is in this response only; it is stored as an HMAC hash.",
    "list_tokens": "Tokens of this tenant (prefix, owner, state) — never the secrets.",
    "revoke_token": "Revokes a token with immediate effect: its next request gets 401.",
    "create_entity": "Adds a reporting entity with its functional currency, enabled standards, fiscal year end and "
                     "the aliases lease registers use for it.",
    "list_entities": "Entities of this tenant.",
    "get_entity": "One entity by its code.",
    "update_entity": "Change an entity's name, enabled standards, fiscal year end or aliases (the code and the "
                     "functional currency are fixed).",
    "list_audit_events": "The tenant's audit trail, newest first: one row per request (refusals included) and per "
                         "domain change, filtered by kind, outcome, action, actor, request id, resource and time.",
    "verify_audit_chain": "Recomputes the tenant's hash chain and reports the first row whose hash does not match "
                          "(`ok: false`), or `ok: true` with the number of rows checked.",
    "get_job": "Status, progress (`done` of `total`) and result of one asynchronous job: what a client polls after "
               "a 202 (`ledger-layer jobs wait ID` does it with a progress bar).",
    "list_jobs": "Asynchronous jobs of this tenant (recognition runs, engine events, closes), newest first, with "
                 "progress; filter by kind, status and creation time.",
    "create_lease": "Stores a lease draft. Nothing is refused for being incomplete: the answer lists the issues "
                    "(errors block confirmation, warnings are for the reviewer).",
    "extract_leases_from_file": "Uploads a lease register (.xlsx, .xlsm or CSV; the template or another tool's "
                                "export). Every row becomes a draft with its cell issues; rows naming an unknown "
                                "entity come back in `not_imported`. `summary` counts every issue of the response.",
    "list_leases": "Leases of this tenant with server-side filters (entity, status, asset class, currency, end date).",
    "get_lease": "One lease with its input, issues, provenance (workbook cells) and version.",
    "update_lease": "Edits a draft. Send the `version` you read: a stale one is refused with 409 `version_conflict`.",
    "validate_lease": "Errors (which block confirmation) and warnings of one lease, and the discount rate the engine "
                      "would use with its source (the lease, the implicit rate or the entity's IBR matrix).",
    "confirm_leases": "Confirms valid drafts and queues one INITIAL_RECOGNITION job per batch of leases, computing "
                      "every enabled standard. Answers 202 with the job ids when jobs were queued, and 200 with the "
                      "per-lease results when nothing was (every lease refused, not found or already confirmed).",
    "get_lease_schedule": "The monthly schedule of the lease's current run (or of `run_id`) for one standard: "
                          "liability, interest, payments, ROU asset, depreciation and lease cost per month, money "
                          "as decimal strings. IFRS 16 has a single lessee model, so its `classification` is null.",
    "get_lease_policy": "The entity's current lease policy: enabled standards, rate convention, exemptions by asset "
                        "class, ASC 842 thresholds.",
    "put_lease_policy": "Adds a policy version from an effective date; runs already made keep the version they used.",
    "get_ibr_matrix": "Every version of the entity's incremental borrowing rates (currency × term band).",
    "put_ibr_matrix": "Adds an IBR matrix version from an effective date. A lease without a rate takes the matching "
                      "rate; its run records which one and why.",
    "list_fx_rates": "FX rates of an entity (units of `to_currency` per `from_currency`), filtered by pair and dates.",
    "put_fx_rates": "Adds or replaces FX rates per pair and date; the answer lists rates that changed.",
    "get_period_locks": "The lock state of an entity's periods; a period never locked reads as an explicit OPEN "
                        "record.",
    "put_period_lock": "Locks or unlocks a period for one standard or ALL (APPROVER and above). Nothing is written "
                       "into a locked period: late entries are caught up in the first open one.",
    "run_engine": "Applies a lease event (MODIFICATION, REMEASUREMENT, TERMINATION, CATCH_UP) as a new engine run "
                  "with lineage. Answers 202 with a job id; with `dry_run: true` answers 200 with the full result and "
                  "writes nothing.",
    "list_engine_runs": "Engine runs of this tenant with their lineage (`base_run_id`, `supersedes_run_id`, "
                        "`reversal_of_run_id`).",
    "get_engine_run": "One engine run: inputs hash, engine and policy versions, classification and result.",
    "monthly_close": "Queues the lease close of one period for each enabled standard (or those given): draft "
                     "journals for every active lease. Idempotent per entity × standard × period: a close requested "
                     "before is reported, not redone (200 when nothing was queued, 202 otherwise).",
    "list_webhook_event_types": "The catalogue of event types an endpoint can subscribe to.",
    "create_webhook_endpoint": "Subscribes a URL to event types. The signing secret (`whsec_…`) is in this response "
                               "only; deliveries are signed per Standard Webhooks.",
    "list_webhook_endpoints": "Webhook endpoints of this tenant.",
    "get_webhook_endpoint": "One webhook endpoint (never its secret).",
    "update_webhook_endpoint": "Change an endpoint's URL, event types, description, or enable it again.",
    "delete_webhook_endpoint": "Deletes an endpoint: no new deliveries; its delivery history stays readable.",
    "rotate_webhook_secret": "Issues a new signing secret (shown once); the old one keeps signing alongside for the "
                             "grace period given.",
    "list_webhook_deliveries": "Deliveries (one per event × endpoint) with their state and attempt counts.",
    "get_webhook_delivery": "One delivery with every attempt (status, latency, first bytes of the response) and the "
                            "payload sent.",
    "retry_webhook_delivery": "Sends a delivery again now: one more attempt for a failed one, the next attempt "
                              "brought forward for a pending one.",
    "list_journal_entries": "Journal entries with their lines, filtered by entity, period, standard, status, source "
                            "and dates.",
    "journal_summary": "Debit and credit totals by account × period × standard × currency, counts by status, and "
                       "the totals per currency, for the same filters as the list.",
    "export_journal_entries": "Streams the approved, posted and reversed lines of one book (`standard`) with each "
                              "entity's GL accounts, as CSV, XLSX or JSON. Preparer and approver appear as names and "
                              "emails. `X-Export-Entries` and `X-Draft-Entries-Excluded` say what is in the file and "
                              "how many drafts (not yet approved) were left out. Unmapped engine codes block the "
                              "export (422) with the list of what is missing.",
    "batch_approve_journal_entries": "Approves up to 200 drafts; approved ones commit and refused ones say why "
                                     "(per-item results).",
    "get_journal_entry": "One journal entry with its balanced lines.",
    "approve_journal_entry": "Approves a draft: a human APPROVER, ADMIN or OWNER other than the preparer, in an open "
                             "period. Approved entries are immutable.",
    "reverse_journal_entry": "Books the mirror entry of an approved or posted entry in the first open period (once).",
    "void_journal_entry": "Voids a draft; approved entries are corrected by reversal instead.",
    "set_journal_posting_reference": "Records the ERP's posting id: the entry moves from approved to posted.",
    "get_account_mapping": "The entity's map from engine account codes to GL accounts (and dimensions), with the "
                           "codes its journals use that are not mapped yet.",
    "put_account_mapping": "Replaces the entity's mapping. Send the `version` you read (409 when stale).",
    "list_account_codes": "Every engine account code with its meaning, the books (standards) that post to it and its "
                          "normal balance: the rows of an account mapping.",
    "addin_session": "Who the add-in's token is, the entities it sees, and whether the add-in routes are enabled "
                     "(XLWINGS_LICENSE_KEY).",
}
ADDIN_DESCRIPTION = ("The task pane posts the workbook as xlwings book JSON (client `Office.js`) with `args`; the "
                     "answer is a list of xlwings actions to apply in order inside one `Excel.run`. Needs "
                     "XLWINGS_LICENSE_KEY (503 `addin_not_configured` without it).")

LINE = {"line_no": 1, "account": "ROU_ASSET", "debit": "550034.19", "credit": "0.00", "currency": "USD",
        "dimensions": {"entity": "DEMO-US", "lease_id": LEASE, "asset_class": "property", "standard": "IFRS16"}}
ENTRY_EXAMPLE = {
    "id": ENTRY, "entity": "DEMO-US", "standard": "IFRS16", "period": "2026-01", "entry_date": "2026-01-01",
    "currency": "USD", "event": "lease.initial_recognition", "source_operation": "initial_recognition",
    "source_type": "lease", "source_id": LEASE, "lease_id": LEASE, "run_id": "01M9535VNMGZ87C2NE8VS0JX6K",
    "close_id": None, "status": "approved", "memo": "Initial recognition HQ-1", "total_debit": "550034.19",
    "prepared_by": USER, "prepared_actor_kind": "human", "request_id": "req_5f2c0d0e9b7a4c55b1f7f0f4a1c2d3e4",
    "approved_by": APPROVER, "approved_at": STAMP, "posting_reference": None, "posted_at": None,
    "reversal_of_id": None, "reversed_by_id": None, "created_at": STAMP,
    "lines": [LINE, {**LINE, "line_no": 2, "account": "LEASE_LIABILITY_NONCURRENT", "debit": "0.00",
                     "credit": "449234.96"},
              {**LINE, "line_no": 3, "account": "LEASE_LIABILITY_CURRENT", "debit": "0.00", "credit": "90799.23"},
              {**LINE, "line_no": 4, "account": "CASH", "debit": "0.00", "credit": "10000.00"}]}
USER_EXAMPLE = {"id": APPROVER, "name": "Ada Approver", "email": "ada@example.com", "role": "APPROVER",
                "actor_kind": "human", "active": True, "created_at": STAMP, "deactivated_at": None}
TOKEN_EXAMPLE = {"id": "01M95362C4V7N2B8X1Z6Q3W9E5", "name": "approver", "user_id": APPROVER,
                 "prefix": "ll_test_4fQ2", "actor_kind": "human", "created_at": STAMP, "revoked_at": None,
                 "active": True}
ENDPOINT_EXAMPLE = {"id": ENDPOINT, "url": "https://erp-bridge.example.com/hooks/ledger",
                    "description": "ERP posting bridge", "event_types": ["journal.approved", "close.completed"],
                    "enabled": True, "disabled_reason": None, "disabled_at": None, "previous_secret_expires_at": None,
                    "created_at": STAMP, "updated_at": STAMP, "deleted_at": None}
DELIVERY_EXAMPLE = {"id": DELIVERY, "event_id": EVENT, "event_type": "close.completed", "endpoint_id": ENDPOINT,
                    "status": "delivered", "attempts": 1, "first_attempt_at": STAMP, "next_attempt_at": None,
                    "last_attempt_at": STAMP, "last_status_code": 200, "last_error": None, "delivered_at": STAMP,
                    "created_at": STAMP, "updated_at": STAMP}

# Examples by component schema name (a model's own examples win).
EXAMPLES: dict[str, Any] = {
    "UserOut": USER_EXAMPLE,
    "MeOut": {"user": {**USER_EXAMPLE, "id": USER, "name": "Demo Owner", "email": "owner@demo.example",
                       "role": "OWNER"},
              "tenant_id": TENANT, "tenant_kind": "sandbox", "role": "OWNER", "actor_kind": "human",
              "token_id": "01M9535VF4D2S8K6T1W3Y7Q0ZC", "plan": "starter"},
    "TokenOut": TOKEN_EXAMPLE,
    "TokenCreated": {**TOKEN_EXAMPLE, "token": "ll_test_4fQ2kP9xWm7Lr3Tz8Vb1Nc6Hd0Js5Ga2Ye4Uo7Ik9Qw1Rt3"},
    "EntityUpdate": {"name": "Acme UK Limited", "aliases": ["Acme United Kingdom", "Acme UK"]},
    "AuditEventOut": {"id": "01M9536B2K4M6P8R0T2V4X6Z8B", "seq": 42, "created_at": STAMP, "kind": "change",
                      "action": "journals.approve", "outcome": "success", "actor_user_id": APPROVER,
                      "actor_kind": "human", "token_id": "01M95362C4V7N2B8X1Z6Q3W9E5",
                      "request_id": "req_5f2c0d0e9b7a4c55b1f7f0f4a1c2d3e4", "method": None, "route": None,
                      "status": None, "resource_type": "journal_entry", "resource_id": ENTRY,
                      "details": {"before": {"status": "draft"}, "after": {"status": "approved"}},
                      "prev_hash": "9c1f…", "hash": "4be2…"},
    "VerifyOut": {"ok": True, "checked": 1284, "first_broken": None},
    "JobOut": {"id": "01M9535VM98BD7S2P0B8FZ72ST", "kind": "lease.initial_recognition", "status": "succeeded",
               "progress": {"done": 1, "total": 1},
               "result": {"standards": ["IFRS16", "ASC842"], "runs_created": 2, "journal_entries": 2, "failed": []},
               "error": None, "attempts": 1, "max_attempts": 5, "created_at": STAMP, "started_at": STAMP,
               "finished_at": STAMP, "run_at": STAMP},
    "LeaseOut": {"id": LEASE, "entity": "DEMO-US", "external_id": "HQ-1", "status": "draft", "version": 1,
                 "source": "api",
                 "lease": {"external_id": "HQ-1", "asset_class": "property", "currency": "USD",
                           "commencement_date": "2026-01-01", "end_date": "2030-12-31", "discount_rate": "0.06",
                           "payments": [{"from": "2026-01-01", "to": "2030-12-01", "amount": "10000.00",
                                         "frequency": "monthly", "timing": "advance",
                                         "escalation": {"percent": "3", "every_months": 12}}]},
                 "issues": [{"severity": "warning", "field": "fair_value", "code": "classification_input_missing",
                             "message": "Fair value is missing, so the ASC 842 substantially-all (90 %) test "
                                        "cannot be assessed."}],
                 "provenance": {}, "created_at": STAMP, "updated_at": STAMP, "confirmed_at": None},
    "LeasePatch": {"version": 1, "description": "Head office, New York", "fair_value": "900000.00"},
    "ConfirmIn": {"lease_ids": [LEASE]},
    "FxRatesIn": {"entity": "DEMO-US", "rates": [{"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-31",
                                                  "rate": "1.0842"}]},
    "EventTypeOut": {"event_type": "close.completed", "description": "A monthly close finished"},
    "EndpointOut": ENDPOINT_EXAMPLE,
    "EndpointWithSecret": {**ENDPOINT_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqXnSmP0pTcU9vbKk4gJ7Yd"},
    "EndpointUpdate": {"event_types": ["journal.approved"], "enabled": True},
    "RotateIn": {"previous_valid_hours": 24},
    "DeliveryOut": DELIVERY_EXAMPLE,
    "DeliveryDetail": {**DELIVERY_EXAMPLE,
                       "attempt_log": [{"attempt": 1, "trigger": "scheduled", "attempted_at": STAMP,
                                        "status_code": 200, "latency_ms": 84, "error": None,
                                        "response_excerpt": None}],
                       "payload": {"event_id": EVENT, "event_type": "close.completed", "timestamp": STAMP,
                                   "actor": {"user_id": USER, "actor_kind": "human"}, "request_id": None,
                                   "data": {"entity": "DEMO-US", "standard": "IFRS16", "period": "2026-01"}}},
    "JournalEntryOut": ENTRY_EXAMPLE,
    "SummaryOut": {"filters": {"entity": "DEMO-US", "period": "2026-01", "standard": "IFRS16"},
                   "rows": [{"account": "INTEREST_EXPENSE", "period": "2026-01", "standard": "IFRS16",
                             "currency": "USD", "debit": "2700.17", "credit": "0.00", "line_count": 1,
                             "entry_count": 1}],
                   "totals_by_currency": [{"currency": "USD", "debit": "102666.64", "credit": "102666.64"}],
                   "status_counts": {"draft": 3, "approved": 1}, "entry_count": 4, "reversal_entry_count": 0},
    "BatchApproveIn": {"ids": [ENTRY, "01M95361Q1A3C5E7G9J1L3N5P7"]},
    "BatchApproveOut": {"approved": 1, "refused": 1, "results": [
        {"id": ENTRY, "outcome": "approved", "entry": ENTRY_EXAMPLE, "error": None},
        {"id": "01M95361Q1A3C5E7G9J1L3N5P7", "outcome": "refused", "entry": None,
         "error": {"code": "four_eyes", "message": "The preparer of an entry cannot approve it.", "details": {}}}]},
    "ReverseIn": {"memo": "Wrong lease term; re-recognised in February"},
    "ReverseOut": {"original": {**ENTRY_EXAMPLE, "status": "reversed", "reversed_by_id": "01M9536C0R2E4V6E8R0S2A4L6Q"},
                   "reversal": {**ENTRY_EXAMPLE, "id": "01M9536C0R2E4V6E8R0S2A4L6Q", "status": "draft",
                                "period": "2026-02", "entry_date": "2026-02-28", "source_operation": "reversal",
                                "reversal_of_id": ENTRY, "approved_by": None, "approved_at": None}},
    "VoidIn": {"reason": "Duplicate of the February entry"},
    "PostingReferenceIn": {"posting_reference": "SAP-5100003412"},
    "AccountMappingIn": {"accounts": {"ROU_ASSET": "1610", "ROU_ACCUMULATED_DEPRECIATION": "1619",
                                      "LEASE_LIABILITY_CURRENT": "2310", "LEASE_LIABILITY_NONCURRENT": "2710",
                                      "INTEREST_EXPENSE": "7110", "DEPRECIATION_EXPENSE": "6810",
                                      "LEASE_EXPENSE": "6210", "CASH": "1000"},
                         "dimensions": {"lease_id": "PROJECT", "asset_class": "COST_CENTER"}, "version": 1},
    "AccountMappingOut": {"entity": "DEMO-US", "accounts": {"ROU_ASSET": "1610", "CASH": "1000"},
                          "dimensions": {"lease_id": "PROJECT"}, "version": 2,
                          "updated_by": USER, "updated_at": STAMP,
                          "unmapped": ["GAIN_LOSS"]},
}

EXPORT_CSV_EXAMPLE = (
    "entry_id,entity,standard,period,entry_date,status,source_operation,event,source_type,source_id,run_id,"
    "posting_reference,prepared_by,prepared_by_email,approved_by,approved_by_email,approved_at,reversal_of_id,memo,"
    "line_no,account,gl_account,debit,credit,currency,dimensions\r\n"
    f"{ENTRY},DEMO-US,IFRS16,2026-01,2026-01-31,approved,monthly_close,lease.interest,lease,{LEASE},"
    "01M9535VNMGZ87C2NE8VS0JX6K,,Demo Owner,owner@demo.example,Ada Approver,ada@example.com,"
    "2026-02-02T10:15:00+00:00,,,1,INTEREST_EXPENSE,7110,2700.17,0.00,USD,\r\n")


def _with_example(schema: dict, example: Any) -> None:
    if not schema.get("examples") and schema.get("example") is None:
        schema["examples"] = [copy.deepcopy(example)]


def _page_example(spec: dict, name: str, schema: dict) -> None:
    item = (schema.get("properties", {}).get("data", {}).get("items") or {}).get("$ref", "")
    item_schema = spec["components"]["schemas"].get(item.rsplit("/", 1)[-1], {})
    examples = item_schema.get("examples")
    if examples:
        _with_example(schema, {"data": [examples[0]], "total_count": 1, "has_more": False, "next_cursor": None})


def enrich(spec: dict) -> dict:
    schemas = spec.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        base = name.removesuffix("-Input").removesuffix("-Output")
        if base in EXAMPLES:
            _with_example(schema, EXAMPLES[base])
    for name, schema in schemas.items():
        if name.startswith("Page_"):
            _page_example(spec, name, schema)
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            op_id = op.get("operationId", "")
            if not op.get("description"):
                op["description"] = DESCRIPTIONS.get(op_id) or (ADDIN_DESCRIPTION if op_id.startswith("addin_") else "")
    openapi_revenue_docs.apply(spec)
    return spec


def install(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = enrich(get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version,
                summary=app.summary, description=app.description, routes=app.routes, tags=app.openapi_tags,
                servers=app.servers))
        return app.openapi_schema

    app.openapi = openapi
