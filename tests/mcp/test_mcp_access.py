"""Auth, permissions, budgets and idempotency on the MCP channel: the REST rules, through the same door."""
from __future__ import annotations

import httpx
import pytest

from backend.api import ratelimit
from backend.auth.permissions import MATRIX
from backend.auth.roles import Role
from backend.mcp.catalogue import all_tools

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "raw", "version": "0"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.mark.parametrize("kind", ["human", "agent"])
def test_every_tool_for_every_role_follows_the_matrix(mcp, demo, make_user, kind):
    """Walks tool × role for one actor kind: refused (forbidden, naming the action) exactly when the
    permission matrix says so; an agent is refused nothing a human of its role may do, because no
    tool approves."""
    tools = all_tools()
    for role in Role:
        token = demo.owner_token if role is Role.OWNER and kind == "human" else make_user(role.value, kind)[1]
        results = mcp.calls(token, [(t.name, dict(t.examples[0])) for t in tools])
        for spec, (is_error, body) in zip(tools, results):
            denied = is_error and body["error"]["code"] == "forbidden"
            assert denied == (role not in MATRIX[spec.action]), f"{kind} {role} {spec.name}: {body}"
            if denied:
                assert body["error"]["details"] == {"action": spec.action, "role": role.value}


def test_refused_call_is_audited(mcp, make_user, audit_rows):
    _, token = make_user("REVIEWER", "agent")
    is_error, body = mcp.call(token, "lease.confirm", {"lease_ids": ["01ZZZZZZZZZZZZZZZZZZZZZZZZ"]})
    assert is_error and body["error"]["code"] == "forbidden"
    (row,) = audit_rows(request_id=body["request_id"])
    assert (row["outcome"], row["status"], row["actor_kind"]) == ("denied", 403, "agent")
    assert row["details"]["tool"] == "lease.confirm" and row["details"]["channel"] == "mcp"


def test_no_token_and_bad_tokens_are_401_and_audited(live_server, client, demo, audit_rows):
    url = f"{live_server}/mcp"
    r = httpx.post(url, json=INIT, headers=MCP_HEADERS)
    assert r.status_code == 401 and "Bearer" in r.headers["www-authenticate"] and r.headers["x-request-id"]
    r = httpx.post(url, json=INIT, headers={**MCP_HEADERS, "Authorization": "Bearer ll_test_nonsense"})
    assert r.status_code == 401
    # A revoked token still names its tenant: its refusal is in that tenant's audit chain.
    t = client.post("/v1/tokens", headers=demo.headers(), json={"name": "agent-laptop"}).json()
    assert client.delete(f"/v1/tokens/{t['id']}", headers=demo.headers()).status_code in (200, 204)
    r = httpx.post(url, json=INIT, headers={**MCP_HEADERS, "Authorization": f"Bearer {t['token']}"})
    assert r.status_code == 401
    rows = audit_rows(kind="auth_failure")
    revoked = [x for x in rows if x["request_id"] == r.headers["x-request-id"]]
    assert revoked and revoked[0]["details"] == {"channel": "mcp", "path": "/mcp", "error_code": "token_revoked"}
    assert revoked[0]["token_id"] == t["id"]


def test_failed_authentication_is_throttled_per_address(live_server, monkeypatch):
    monkeypatch.setattr(ratelimit, "FAILED_AUTH_PER_MINUTE", 3)
    codes = [httpx.post(f"{live_server}/mcp", json=INIT, headers=MCP_HEADERS).status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


def test_budget_per_token_is_shared_with_rest(mcp, client, make_user, monkeypatch):
    monkeypatch.setitem(ratelimit.PLAN_PER_MINUTE, "starter", 3)
    _, token = make_user("REVIEWER", "agent")
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    results = mcp.calls(token, [("portfolio.summary", {})] * 3)
    assert results[0][1]["rate_limit"]["limit"] == 3 and results[1][1]["rate_limit"]["remaining"] == 0
    assert [r[0] for r in results] == [False, False, True]
    assert results[2][1]["error"]["code"] == "rate_limited"
    assert results[2][1]["error"]["details"]["scope"] in ("token", "user")


def test_confirm_is_idempotent_per_key(mcp, demo, make_lease):
    lease = make_lease()
    args = {"lease_ids": [lease["id"]], "idempotency_key": "batch-7"}
    first = mcp.call(demo.owner_token, "lease.confirm", args)[1]
    again = mcp.call(demo.owner_token, "lease.confirm", args)[1]
    assert first["result"]["confirmed"] == 1 and "idempotent_replayed" not in first
    assert again["idempotent_replayed"] is True and again["result"] == first["result"]
    other = make_lease(external_id="NYC-02")
    is_error, body = mcp.call(demo.owner_token, "lease.confirm", {"lease_ids": [other["id"]],
                                                                    "idempotency_key": "batch-7"})
    assert is_error and body["error"]["code"] == "idempotency_key_reused"


def test_agent_is_refused_approval_on_rest_and_audited(mcp, client, demo, make_user, make_lease, drain,
                                                       audit_rows):
    lease = make_lease()
    assert mcp.ok(demo.owner_token, "lease.confirm", {"lease_ids": [lease["id"]]})["confirmed"] == 1
    drain()
    entry = mcp.ok(demo.owner_token, "journal.search", {"status": ["draft"]})["data"][0]
    _, agent = make_user("APPROVER", "agent")
    r = client.post(f"/v1/journal-entries/{entry['id']}/approve", headers={"Authorization": f"Bearer {agent}"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "approval_requires_human"
    (row,) = audit_rows(request_id=r.headers["x-request-id"])
    assert row["outcome"] == "denied" and row["actor_kind"] == "agent"
    assert row["details"]["error_code"] == "approval_requires_human"
    # The entry is untouched; the agent can still see it through MCP.
    assert mcp.ok(agent, "journal.detail", {"entry_id": entry["id"]})["status"] == "draft"


def test_engine_run_queues_once_per_key_and_dry_run_writes_nothing(mcp, demo, make_lease, drain, client):
    lease = make_lease()
    mcp.ok(demo.owner_token, "lease.confirm", {"lease_ids": [lease["id"]]})
    drain()
    args = {"lease_id": lease["id"], "run_type": "TERMINATION", "effective_date": "2027-06-30",
            "changes": {"termination_payment": "25000.00"}}
    preview = mcp.ok(demo.owner_token, "engine.run", args)  # dry_run is the default
    assert preview["dry_run"] is True
    assert client.get("/v1/leases/" + lease["id"], headers=demo.headers()).json()["status"] == "confirmed"
    real = {**args, "dry_run": False, "idempotency_key": "terminate-nyc-01"}
    first = mcp.call(demo.owner_token, "engine.run", real)[1]
    again = mcp.call(demo.owner_token, "engine.run", real)[1]
    assert first["result"]["status"] == "queued" and again["result"]["job_id"] == first["result"]["job_id"]
    assert again["idempotent_replayed"] is True
    drain()
    assert client.get("/v1/leases/" + lease["id"], headers=demo.headers()).json()["status"] == "terminated"


def test_agent_is_refused_period_locks_on_rest_and_audited(client, make_user, audit_rows):
    _, agent = make_user("OWNER", "agent")
    r = client.put("/v1/lease/period-locks", headers={"Authorization": f"Bearer {agent}"},
                   json={"entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "approval_requires_human"
    (row,) = audit_rows(request_id=r.headers["x-request-id"])
    assert (row["outcome"], row["actor_kind"], row["action"]) == ("denied", "agent", "period_locks.write")
