"""#12 critical/high and medium findings on identity: each attack fails, the legitimate path works.

Every test runs on SQLite and (with LEDGER_TEST_DATABASE_URL) on PostgreSQL through the shared
fixtures in tests/conftest.py.
"""
from __future__ import annotations

import json

from sqlalchemy import select

from backend.db.models import AuditEvent, IdempotencyRecord
from backend.services.platform import admin


def _prod_token(rt, email: str) -> str:
    return admin.mint_token(rt, email=email, tenant_kind="production", name="prod")["token"]


def _me(client, token: str) -> dict:
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- 1. idempotency replay

def test_replay_is_scoped_to_the_user_and_never_carries_the_secret(client, demo, rt, make_user):
    _rev, rev_tok = make_user("REVIEWER")
    key = {"Idempotency-Key": "mint-1"}
    first = client.post("/v1/tokens", headers={**demo.headers(), **key}, json={"name": "ci"})
    assert first.status_code == 201
    secret = first.json()["token"]
    assert secret.startswith("ll_test_")

    # Another user with the same key and body makes a request of their own: their token, not the OWNER's.
    theirs = client.post("/v1/tokens", headers={"Authorization": f"Bearer {rev_tok}", **key}, json={"name": "ci"})
    assert theirs.status_code == 201 and "X-Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["user_id"] == _me(client, rev_tok)["user"]["id"]
    assert theirs.json()["token"] != secret

    # The OWNER's own retry is a replay: metadata only, the secret is said to have been shown once.
    again = client.post("/v1/tokens", headers={**demo.headers(), **key}, json={"name": "ci"})
    assert again.status_code == 200 and again.headers["X-Idempotent-Replayed"] == "true"
    body = again.json()
    assert body["id"] == first.json()["id"] and body["token"] is None and body["secret_redacted"] is True
    assert "shown once" in body["note"]

    # Nothing stored anywhere holds a secret.
    with rt.db.session(system=True) as s:
        stored = [r.response_body for r in s.scalars(select(IdempotencyRecord))]
    assert stored and not any(secret in b or theirs.json()["token"] in b for b in stored)
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_webhook_secret_is_not_stored_for_replays(client, demo, rt):
    key = {"Idempotency-Key": "hook-1"}
    body = {"url": "https://hooks.example.com/ledger", "event_types": ["journal.approved"]}
    first = client.post("/v1/webhook-endpoints", headers={**demo.headers(), **key}, json=body)
    assert first.status_code == 201 and first.json()["secret"].startswith("whsec_")
    again = client.post("/v1/webhook-endpoints", headers={**demo.headers(), **key}, json=body)
    assert again.status_code == 200 and again.json()["secret"] is None and again.json()["secret_redacted"]
    rot_key = {"Idempotency-Key": "rot-1"}
    path = f"/v1/webhook-endpoints/{first.json()['id']}/rotate-secret"
    rotated = client.post(path, headers={**demo.headers(), **rot_key}, json={})
    assert rotated.status_code == 200 and rotated.json()["secret"].startswith("whsec_")
    assert client.post(path, headers={**demo.headers(), **rot_key}, json={}).json()["secret"] is None
    with rt.db.session(system=True) as s:
        stored = " ".join(r.response_body for r in s.scalars(select(IdempotencyRecord)))
    assert first.json()["secret"] not in stored and rotated.json()["secret"] not in stored


# ---------------------------------------------------------------- 2. minting tokens for others

def test_admin_cannot_mint_for_the_owner_or_anyone_else(client, demo, make_user):
    _admin, admin_tok = make_user("ADMIN")
    owner_id = _me(client, demo.owner_token)["user"]["id"]
    prep, _ = make_user("PREPARER")
    for target in (owner_id, prep["id"]):
        r = client.post("/v1/tokens", headers={"Authorization": f"Bearer {admin_tok}"},
                        json={"name": "x", "user_id": target})
        assert r.status_code == 403 and r.json()["error"]["code"] == "token_for_other_user_forbidden", r.text
    # Their own token still works.
    assert client.post("/v1/tokens", headers={"Authorization": f"Bearer {admin_tok}"},
                       json={"name": "mine"}).status_code == 201


def test_owner_minting_for_another_user_is_audited_on_both_sides(client, demo, make_user):
    approver, _ = make_user("APPROVER")
    r = client.post("/v1/tokens", headers=demo.headers(), json={"name": "for-approver", "user_id": approver["id"]})
    assert r.status_code == 201 and r.json()["user_id"] == approver["id"]
    rows = client.get("/v1/audit-events", headers=demo.headers(),
                      params={"request_id": r.headers["X-Request-Id"], "kind": "change"}).json()["data"]
    assert {(e["action"], e["resource_type"]) for e in rows} == {("tokens.create", "api_token"),
                                                                 ("tokens.minted_for_user", "user")}
    on_user = next(e for e in rows if e["resource_type"] == "user")
    assert on_user["resource_id"] == approver["id"] and on_user["details"]["after"]["token_id"] == r.json()["id"]


def test_agent_owner_cannot_mint_for_others(client, demo, make_user, rt):
    agent_owner, agent_tok = make_user("OWNER", actor_kind="agent")
    prep, _ = make_user("PREPARER")
    r = client.post("/v1/tokens", headers={"Authorization": f"Bearer {agent_tok}"},
                    json={"name": "x", "user_id": prep["id"]})
    assert r.status_code == 403


# ---------------------------------------------------------------- 3. actor kind and role

def test_an_agent_cannot_make_itself_human(client, demo, make_user, rt):
    agent, sandbox_tok = make_user("ADMIN", actor_kind="agent")
    me = agent["id"]
    r = client.patch(f"/v1/users/{me}", headers={"Authorization": f"Bearer {sandbox_tok}"},
                     json={"actor_kind": "human"})
    assert r.status_code == 403
    prod_tok = _prod_token(rt, agent["email"])
    r = client.patch(f"/v1/users/{me}", headers={"Authorization": f"Bearer {prod_tok}"}, json={"actor_kind": "human"})
    # Refused before the service looks (agents change no users); the service refuses self-changes too.
    assert r.status_code == 403 and r.json()["error"]["code"] == "approval_requires_human"
    r = client.patch(f"/v1/users/{me}", headers={"Authorization": f"Bearer {prod_tok}"}, json={"role": "OWNER"})
    assert r.status_code == 403
    assert _me(client, sandbox_tok)["actor_kind"] == "agent"


def test_only_a_human_owner_changes_actor_kind_and_old_tokens_keep_theirs(client, demo, make_user, rt):
    agent, agent_tok = make_user("PREPARER", actor_kind="agent")
    _admin, _ = make_user("ADMIN")
    admin_prod = _prod_token(rt, _admin["email"])
    r = client.patch(f"/v1/users/{agent['id']}", headers={"Authorization": f"Bearer {admin_prod}"},
                     json={"actor_kind": "human"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "actor_kind_change_forbidden"
    owner_prod = _prod_token(rt, "owner@demo.example")
    r = client.patch(f"/v1/users/{agent['id']}", headers={"Authorization": f"Bearer {owner_prod}"},
                     json={"actor_kind": "human"})
    assert r.status_code == 200 and r.json()["actor_kind"] == "human"
    # The token minted while the user was an agent stays an agent's token: it still cannot approve.
    assert _me(client, agent_tok)["actor_kind"] == "agent"
    fresh = client.post("/v1/tokens", headers={"Authorization": f"Bearer {agent_tok}"}, json={"name": "new"}).json()
    assert fresh["actor_kind"] == "human" and _me(client, fresh["token"])["actor_kind"] == "human"


# ---------------------------------------------------------------- 7. users are account-wide

def test_sandbox_admin_cannot_change_production_users(client, demo, make_user, rt):
    _admin, admin_sandbox = make_user("ADMIN")
    victim, _ = make_user("APPROVER")
    for change in ({"active": False}, {"role": "REVIEWER"}, {"name": "Renamed"}):
        r = client.patch(f"/v1/users/{victim['id']}", headers={"Authorization": f"Bearer {admin_sandbox}"},
                         json=change)
        assert r.status_code == 403 and r.json()["error"]["code"] == "production_token_required"
    assert client.get(f"/v1/users/{victim['id']}", headers=demo.headers()).json()["active"] is True


def test_a_user_change_is_written_to_every_tenant_chain(client, demo, make_user, rt):
    victim, _ = make_user("APPROVER")
    owner_prod = _prod_token(rt, "owner@demo.example")
    r = client.patch(f"/v1/users/{victim['id']}", headers={"Authorization": f"Bearer {owner_prod}"},
                     json={"role": "REVIEWER"})
    assert r.status_code == 200
    rt.flush_audit()
    with rt.db.session(system=True) as s:
        chains = {e.chain_key for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "users.update", AuditEvent.resource_id == victim["id"]))}
    assert chains == {demo.sandbox_tenant_id, demo.production_tenant_id}
    for tok in (demo.owner_token, owner_prod):
        assert client.get("/v1/audit-events/verify", headers={"Authorization": f"Bearer {tok}"}).json()["ok"]


# ---------------------------------------------------------------- 8. failed authentication in the tenant chain

def test_revoked_token_failure_lands_in_the_tenant_chain(client, demo, make_user):
    _u, tok = make_user("PREPARER")
    tok_id = client.get("/v1/tokens", headers={"Authorization": f"Bearer {tok}"}).json()["data"][0]["id"]
    assert client.delete(f"/v1/tokens/{tok_id}", headers=demo.headers()).status_code == 200
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_revoked"
    rows = client.get("/v1/audit-events", headers=demo.headers(), params={"kind": "auth_failure"}).json()["data"]
    assert [(e["request_id"], e["token_id"], e["outcome"]) for e in rows] == [
        (r.headers["X-Request-Id"], tok_id, "denied")]


# ---------------------------------------------------------------- 9. agent confirm provenance

def test_agent_confirm_records_an_agent_preparer(client, demo, make_user, rt):
    from tests.leases.conftest import office_lease
    from backend.jobs.worker import Worker

    _agent, agent_tok = make_user("PREPARER", actor_kind="agent")
    h = {"Authorization": f"Bearer {agent_tok}"}
    lease = client.post("/v1/leases", headers=h, json=office_lease("AGENT-1")).json()
    assert client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]}).status_code in (200, 202)
    worker = Worker(rt, worker_id="t", concurrency=1, schedule_housekeeping=False)
    while worker.run_once():
        pass
    entries = client.get("/v1/journal-entries", headers=demo.headers(), params={"lease_id": lease["id"]}).json()
    assert entries["data"] and {e["prepared_actor_kind"] for e in entries["data"]} == {"agent"}


# ---------------------------------------------------------------- 12. request ids and 500s

def test_client_request_id_is_kept_beside_ours(client, demo):
    forged = "req_0123456789abcdef"
    r = client.get("/v1/me", headers={**demo.headers(), "X-Request-Id": forged})
    assert r.headers["X-Request-Id"] != forged and r.headers["X-Client-Request-Id"] == forged
    (row,) = client.get("/v1/audit-events", headers=demo.headers(),
                        params={"request_id": r.headers["X-Request-Id"]}).json()["data"]
    assert row["details"]["client_request_id"] == forged


def test_server_errors_are_audited_as_error(client, demo, monkeypatch):
    from backend.services.platform import tenancy

    def boom(*a, **kw):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(tenancy, "list_entities", boom)
    r = client.get("/v1/entities", headers=demo.headers())
    assert r.status_code == 500 and "simulated" not in r.text
    rows = client.get("/v1/audit-events", headers=demo.headers(), params={"outcome": "error"}).json()["data"]
    assert [e["request_id"] for e in rows] == [r.headers["X-Request-Id"]]
    assert json.loads(json.dumps(rows[0]["details"]))["error_code"] == "internal_error"


def test_errors_name_the_field_as_sent(client, demo):
    r = client.get("/v1/journal-entries", headers=demo.headers(), params={"period_from": "2026-13"})
    assert r.status_code == 400
    assert [d["field"] for d in r.json()["error"]["details"]] == ["period_from"]


def test_an_agent_cannot_lock_periods_whatever_its_role(client, demo, make_user):
    _agent, tok = make_user("ADMIN", actor_kind="agent")
    r = client.put("/v1/lease/period-locks", headers={"Authorization": f"Bearer {tok}"},
                   json={"entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "approval_requires_human"
    ok = client.put("/v1/lease/period-locks", headers=demo.headers(),
                    json={"entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"})
    assert ok.status_code == 200 and ok.json()["status"] == "LOCKED"


def test_agents_cannot_change_configuration_on_any_route(app, client, demo, make_user):
    """#19/#12: every human-only action of the matrix refuses an agent token, whatever its role."""
    import re

    from backend.auth.permissions import HUMAN_ONLY
    from tests.platform.test_permissions import _route_action, api_routes

    _agent, tok = make_user("OWNER", actor_kind="agent")
    seen = set()
    for route in api_routes(app):
        action = _route_action(route)
        if action not in HUMAN_ONLY:
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            path = re.sub(r"\{[^}]+\}", "01ZZZZZZZZZZZZZZZZZZZZZZZZ", route.path)
            r = client.request(method, path, headers={"Authorization": f"Bearer {tok}"}, json={})
            assert r.status_code == 403 and r.json()["error"]["code"] == "approval_requires_human", (path, r.text)
            seen.add(action)
    assert seen == HUMAN_ONLY


def test_a_person_cannot_change_their_own_actor_kind_or_role(client, demo, make_user, rt):
    admin, _ = make_user("ADMIN")
    prod = _prod_token(rt, admin["email"])
    for change, code in (({"actor_kind": "agent"}, "self_actor_kind_change"), ({"role": "OWNER"}, "self_role_change")):
        r = client.patch(f"/v1/users/{admin['id']}", headers={"Authorization": f"Bearer {prod}"}, json=change)
        assert r.status_code == 403 and r.json()["error"]["code"] == code, r.text
