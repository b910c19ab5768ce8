"""Every tool over HTTP with the SDK client: listed with schema and examples, callable, audited."""
from __future__ import annotations

from backend.auth.permissions import MATRIX
from backend.mcp.catalogue import all_tools

EXPECTED = {"portfolio.search", "portfolio.summary", "needs_attention", "lease.detail", "lease.schedule",
            "lease.validate_enhanced", "lease.confirm", "engine.run", "close.preview", "journal.search",
            "journal.summary", "journal.detail", "summary.draft", "disclosures.get", "contract.detail",
            "contract.schedule", "contract.validate_enhanced", "contract.confirm"}


def test_list_tools_names_schemas_examples(mcp, demo):
    tools = {t.name: t for t in mcp.list_tools(demo.owner_token)}
    assert set(tools) == EXPECTED
    for name, t in tools.items():
        assert t.description and "\n" not in t.description, name
        assert t.input_schema["type"] == "object", name
        assert t.input_schema.get("examples"), f"{name} has no examples"
        assert t.meta["ledger_layer/action"] in MATRIX
        assert "ctx" not in t.input_schema.get("properties", {})
    assert "idempotency_key" in tools["lease.confirm"].input_schema["properties"]
    assert tools["portfolio.search"].annotations.read_only_hint is True


def test_no_tool_approves_locks_or_configures():
    human_or_admin = {"journals.approve", "journals.reverse", "period_locks.write", "lease_config.write",
                      "revenue_config.write", "disclosures.override",
                      "account_mapping.write", "entities.create", "entities.update", "users.create", "users.update",
                      "webhooks.write", "sandbox.reset", "tokens.create", "tokens.revoke", "journals.void",
                      "journals.post"}
    assert not {t.action for t in all_tools()} & human_or_admin
    assert not [t.name for t in all_tools() if any(w in t.name for w in ("approve", "lock", "config"))]


def test_call_each_tool_end_to_end(mcp, demo, make_lease, drain, audit_rows):
    lease = make_lease()
    owner = demo.owner_token
    checked = mcp.ok(owner, "lease.validate_enhanced", {"lease_id": lease["id"]})
    assert checked["valid"] and not checked["blocks_confirmation"]
    confirmed = mcp.ok(owner, "lease.confirm", {"lease_ids": [lease["id"]]})
    assert confirmed["confirmed"] == 1
    drain()

    hits = mcp.ok(owner, "portfolio.search", {"text": "nyc", "status": "confirmed"})
    assert [h["id"] for h in hits["leases"]["data"]] == [lease["id"]] and hits["contracts"]["total_count"] == 0
    assert mcp.ok(owner, "portfolio.search", {"text": "nowhere"})["total_count"] == 0
    summary = mcp.ok(owner, "portfolio.summary", {"entity": "DEMO-US", "period": "2026-06"})
    books = {b["standard"]: b for b in summary["leases_by_book"]}
    assert books and all(b["leases"] == 1 and b["liability"] != "0.00" for b in books.values())
    assert summary["contracts_by_entity"] == [] and summary["revenue_by_book"] == []

    detail = mcp.ok(owner, "lease.detail", {"lease_id": lease["id"]})
    assert detail["status"] == "confirmed" and detail["current_runs"]
    std = detail["current_runs"][0]["standard"]
    sched = mcp.ok(owner, "lease.schedule", {"lease_id": lease["id"], "standard": std})
    assert sched["periods"][0]["period"] == "2026-01"
    june = next(p for p in sched["periods"] if p["period"] == "2026-06")
    assert books[std]["liability"] == june["closing_liability"]  # the summary reads the same schedule
    assert books[std]["rou_asset"] == june["closing_rou_asset"]

    what_if = mcp.ok(owner, "engine.run", {"lease_id": lease["id"], "run_type": "TERMINATION",
                                           "effective_date": "2027-06-30",
                                           "changes": {"termination_payment": "25000.00"}})
    assert what_if["dry_run"] is True and what_if["results"]

    preview = mcp.ok(owner, "close.preview", {"entity": "DEMO-US", "period": "2026-02"})
    book = preview["books"][0]
    assert book["leases_covered"] == 1 and book["entries_to_write"] >= 1 and book["can_close"]

    entries = mcp.ok(owner, "journal.search", {"entity": "DEMO-US", "status": ["draft"]})
    assert entries["total_count"] >= 1
    entry = mcp.ok(owner, "journal.detail", {"entry_id": entries["data"][0]["id"]})
    assert entry["lines"]
    assert mcp.ok(owner, "journal.summary", {"entity": "DEMO-US"})["entry_count"] >= 1
    narrative = mcp.ok(owner, "summary.draft", {"entity": "DEMO-US", "period": "2026-01"})
    assert narrative["status"] == "draft" and narrative["requires_human_review"]
    assert narrative["sections"][0]["facts"]["leases_commenced"][0]["lease_id"] == lease["id"]

    pack = mcp.ok(owner, "disclosures.get", {"entity": "DEMO-US", "period": "2026-01", "standard": "IFRS16"})
    assert pack["standard"] == "IFRS16" and pack["sections"] and pack["checks"]

    attention = mcp.ok(owner, "needs_attention", {"older_than_days": 0})
    assert attention["unapproved_journals"] and attention["failed_webhooks"]["visible"] is True

    # One audit row per tool call: channel mcp, the tool, the action, the result's request_id.
    is_error, body = mcp.call(owner, "lease.detail", {"lease_id": lease["id"]})
    assert not is_error and body["request_id"].startswith("req_")
    (row,) = audit_rows(request_id=body["request_id"])
    assert row["method"] == "MCP" and row["route"] == "mcp:lease.detail" and row["action"] == "leases.read"
    assert row["details"]["channel"] == "mcp" and row["details"]["tool"] == "lease.detail"
    assert row["outcome"] == "success" and row["token_id"]


def test_errors_carry_code_and_request_id(mcp, demo, audit_rows):
    is_error, body = mcp.call(demo.owner_token, "lease.detail", {"lease_id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ"})
    assert is_error
    assert body["error"]["code"] == "lease_not_found" and body["error"]["request_id"] == body["request_id"]
    (row,) = audit_rows(request_id=body["request_id"])
    assert row["status"] == 404 and row["details"]["error_code"] == "lease_not_found"


def test_arguments_are_checked_against_the_schema_and_refusals_audited(mcp, demo, audit_rows):
    is_error, body = mcp.call(demo.owner_token, "close.preview", {"entity": "DEMO-US", "period": "2026-13"})
    assert is_error and body["error"]["code"] == "invalid_arguments" and "period" in body["error"]["message"]
    (row,) = audit_rows(request_id=body["request_id"])
    assert (row["status"], row["action"], row["route"]) == (400, "close.run", "mcp:close.preview")
    assert row["details"]["channel"] == "mcp" and row["actor_user_id"]
    is_error, body = mcp.call(demo.owner_token, "journals.approve", {"entry_id": "x"})
    assert is_error and body["error"]["code"] == "unknown_tool"
    assert audit_rows(request_id=body["request_id"])[0]["status"] == 404


def test_dead_jobs_are_surfaced(mcp, demo, rt):
    from backend.jobs.queue import enqueue

    with rt.db.session(demo.sandbox_tenant_id, write=True) as s:
        job = enqueue(s, kind="ledger.monthly_close", payload={}, now=rt.clock(), tenant_id=demo.sandbox_tenant_id)
        job.status, job.error_code, job.error_message = "dead", "period_locked", "Period 2026-01 was locked."
        job_id = job.id
    attention = mcp.ok(demo.owner_token, "needs_attention", {})
    assert [(j["job_id"], j["error_code"]) for j in attention["dead_letter_jobs"]] == [(job_id, "period_locked")]


def test_mcp_layer_never_imports_the_database():
    import ast
    from pathlib import Path

    import backend.mcp

    for path in Path(backend.mcp.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.startswith(("backend.db", "sqlalchemy"))], path.name
