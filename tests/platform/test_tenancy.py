"""Tenant isolation: automatic ORM scoping, and a token never reaching another tenant's data."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.db.models import Entity
from backend.db.session import TenantScopeMissing


def test_unfiltered_query_sees_only_the_session_tenant(rt, demo):
    # Both tenants have a DEMO-US entity; a query with no tenant filter written in it...
    with rt.db.session(demo.sandbox_tenant_id) as s:
        rows = s.scalars(select(Entity)).all()
        by_code = s.scalars(select(Entity).where(Entity.code == "DEMO-US")).all()
    assert {e.tenant_id for e in rows} == {demo.sandbox_tenant_id}
    assert len(by_code) == 1 and by_code[0].tenant_id == demo.sandbox_tenant_id
    with rt.db.session(system=True) as s:
        assert {e.tenant_id for e in s.scalars(select(Entity))} == {demo.sandbox_tenant_id, demo.production_tenant_id}


def test_joins_and_updates_are_scoped_too(rt, demo):
    from sqlalchemy import update

    with rt.db.session(system=True) as s:
        sandbox_entities = s.query(Entity).filter_by(tenant_id=demo.sandbox_tenant_id).count()
    with rt.db.session(demo.sandbox_tenant_id, write=True) as s:
        res = s.execute(update(Entity).values(name="renamed"))
        assert res.rowcount == sandbox_entities
    with rt.db.session(demo.production_tenant_id) as s:
        assert s.scalar(select(Entity.name)) == "Demo Holdings Inc."


def test_a_session_without_tenant_refuses_queries(rt):
    with pytest.raises(TenantScopeMissing):
        with rt.db.session():
            pass


def test_inserting_for_another_tenant_is_refused(rt, demo):
    with pytest.raises(TenantScopeMissing):
        with rt.db.session(demo.sandbox_tenant_id, write=True) as s:
            s.add(Entity(tenant_id=demo.production_tenant_id, code="X", name="x", functional_currency="USD",
                         enabled_standards=[]))
            s.flush()


def test_sandbox_token_cannot_read_production_data(client, demo, rt):
    from backend.services.platform import admin

    prod_tok = admin.mint_token(rt, email="owner@demo.example", tenant_kind="production", name="p")["token"]
    r = client.post("/v1/entities", headers=demo.headers(prod_tok),
                    json={"code": "PROD-ONLY", "name": "Prod Co", "functional_currency": "EUR"})
    assert r.status_code == 201
    r = client.get("/v1/entities/PROD-ONLY", headers=demo.headers())
    assert r.status_code == 404 and "PROD-ONLY" not in str(r.json()["error"].get("details"))
    codes = {e["code"] for e in client.get("/v1/entities", headers=demo.headers()).json()["data"]}
    assert "DEMO-US" in codes and "PROD-ONLY" not in codes
    prod_codes = {e["code"] for e in client.get("/v1/entities", headers=demo.headers(prod_tok)).json()["data"]}
    assert prod_codes == {"DEMO-US", "PROD-ONLY"}


def test_sandbox_reset_wipes_only_the_sandbox(client, demo, rt):
    from backend.services.platform import admin

    prod_tok = admin.mint_token(rt, email="owner@demo.example", tenant_kind="production", name="p")["token"]
    r = client.post("/v1/sandbox/reset", headers=demo.headers(prod_tok))
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_sandbox"
    r = client.post("/v1/sandbox/reset", headers=demo.headers())
    assert r.status_code == 200, r.text
    # Tokens and entities are configuration and survive; the audit trail is never wiped.
    assert client.get("/v1/me", headers=demo.headers()).status_code == 200
    events = client.get("/v1/audit-events", headers=demo.headers(), params={"action": "sandbox.reset", "kind": "change"}).json()
    assert events["total_count"] == 1
