"""The audit trail: a row per request and per change, denials included, tamper-evident."""
from __future__ import annotations

from sqlalchemy import text

from backend.db.models import AuditEvent


def _events(client, demo, **params):
    r = client.get("/v1/audit-events", headers=demo.headers(), params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_every_request_and_change_is_recorded(client, demo):
    r = client.post("/v1/users", headers={**demo.headers(), "X-Request-Id": "trace-create-user"},
                    json={"name": "Ann", "email": "ann@example.com", "role": "PREPARER"})
    assert r.status_code == 201
    rows = _events(client, demo, request_id=r.headers["X-Request-Id"])
    kinds = sorted(e["kind"] for e in rows)
    assert kinds == ["change", "request"]
    change = next(e for e in rows if e["kind"] == "change")
    assert change["action"] == "users.create" and change["resource_id"] == r.json()["id"]
    assert change["details"]["after"]["email"] == "ann@example.com"
    req = next(e for e in rows if e["kind"] == "request")
    assert (req["method"], req["route"], req["status"], req["outcome"]) == ("POST", "/v1/users", 201, "success")
    assert req["details"]["client_request_id"] == "trace-create-user"


def test_reviewer_write_is_403_and_logged(client, demo, make_user):
    reviewer, tok = make_user("REVIEWER")
    r = client.post("/v1/entities", headers={"Authorization": f"Bearer {tok}", "X-Request-Id": "rev-write"},
                    json={"code": "X1", "name": "X", "functional_currency": "USD"})
    assert r.status_code == 403
    (row,) = _events(client, demo, request_id=r.headers["X-Request-Id"])
    assert row["outcome"] == "denied" and row["status"] == 403 and row["actor_user_id"] == reviewer["id"]
    assert row["action"] == "entities.create"


def test_failed_authentication_is_logged_on_the_system_chain(client, rt):
    r = client.get("/v1/me", headers={"Authorization": "Bearer ll_test_forged", "X-Request-Id": "bad-auth-1"})
    assert r.status_code == 401
    rt.flush_audit()
    with rt.db.session(system=True) as s:
        row = s.query(AuditEvent).filter_by(request_id=r.headers["X-Request-Id"]).one()
    assert (row.kind, row.outcome, row.chain_key, row.status) == ("auth_failure", "denied", "system", 401)


def test_chain_verifies_and_tampering_is_caught(client, demo, rt):
    for i in range(3):
        client.post("/v1/users", headers=demo.headers(), json={"name": f"U{i}", "email": f"u{i}@x.com", "role": "REVIEWER"})
    ok = client.get("/v1/audit-events/verify", headers=demo.headers()).json()
    assert ok["ok"] is True and ok["checked"] >= 7
    victim = _events(client, demo, action="users.create", sort="created_at:asc")[1]
    with rt.db.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET outcome = 'denied' WHERE id = :id"), {"id": victim["id"]})
    bad = client.get("/v1/audit-events/verify", headers=demo.headers()).json()
    assert bad["ok"] is False
    assert bad["first_broken"]["id"] == victim["id"]
    assert bad["first_broken"]["seq"] == victim["seq"]
    assert "hash" in bad["first_broken"]["reason"]


def test_deleting_a_row_or_the_tail_is_caught(client, demo, rt):
    client.post("/v1/users", headers=demo.headers(), json={"name": "A", "email": "a@x.com", "role": "REVIEWER"})
    rows = _events(client, demo, sort="seq:asc")
    with rt.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": rows[1]["id"]})
    bad = client.get("/v1/audit-events/verify", headers=demo.headers()).json()
    assert bad["ok"] is False and bad["first_broken"]["seq"] == rows[1]["seq"]


def test_tail_truncation_is_caught(client, demo, rt):
    client.post("/v1/users", headers=demo.headers(), json={"name": "A", "email": "a@x.com", "role": "REVIEWER"})
    rt.flush_audit()
    with rt.db.session(system=True) as s:
        last = s.query(AuditEvent).filter_by(chain_key=demo.sandbox_tenant_id).order_by(AuditEvent.seq.desc()).first()
    with rt.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": last.id})
    bad = client.get("/v1/audit-events/verify", headers=demo.headers()).json()
    assert bad["ok"] is False and "removed" in bad["first_broken"]["reason"]


def test_audit_list_is_tenant_scoped(client, demo, rt):
    from backend.services.platform import admin

    prod_tok = admin.mint_token(rt, email="owner@demo.example", tenant_kind="production", name="p")["token"]
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {prod_tok}", "X-Request-Id": "prod-only"})
    assert _events(client, demo, request_id=r.headers["X-Request-Id"]) == []
