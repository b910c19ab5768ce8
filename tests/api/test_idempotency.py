"""Idempotency-Key: one domain effect per key, replays byte-identical, conflicts refused."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.db.models import Entity, IdempotencyRecord, Job
from backend.services.platform import idempotency
from backend.services.platform.context import Actor


def _install_entity_and_job_route(app):
    """A POST that writes a domain row and enqueues a job in one unit of work, like an engine run."""
    router = APIRouter()

    @router.post("/v1/_test/entity-with-job", status_code=202)
    def create(body: dict, request: Request, actor: Annotated[Actor, Depends(require("entities.create"))],
               idempotency_key: IdempotencyKeyHeader = None):
        rt = runtime(request)

        def run():
            with rt.db.session(actor.tenant_id, write=True) as s:
                ent = Entity(code=body["code"], name="x", functional_currency="USD", enabled_standards=[])
                job = Job(tenant_id=actor.tenant_id, kind="test.noop", payload={}, run_at=rt.clock())
                s.add_all([ent, job])
                s.flush()
                return {"entity_id": ent.id, "job_id": job.id}

        return respond(request, actor, run, body=body, status_code=202, idempotency_key=idempotency_key)

    app.include_router(router)


def _count(rt, model, tenant_id):
    with rt.db.session(tenant_id) if model is not Job else rt.db.session(system=True) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_fifty_concurrent_posts_with_one_key_make_one_row_and_one_job(app, rt, demo, live_server):
    _install_entity_and_job_route(app)
    headers = {**demo.headers(), "Idempotency-Key": "close-2026-01"}
    before = _count(rt, Entity, demo.sandbox_tenant_id)

    def post(_):
        return httpx.post(f"{live_server}/v1/_test/entity-with-job", headers=headers, json={"code": "C1"}, timeout=60)

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(post, range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(202) == 1, [(r.status_code, r.text[:300]) for r in responses if r.status_code != 409]
    assert all(s in (200, 202, 409) for s in statuses), statuses
    assert _count(rt, Entity, demo.sandbox_tenant_id) == before + 1
    assert _count(rt, Job, None) == 1
    first = next(r for r in responses if r.status_code == 202)
    for r in responses:
        if r.status_code == 200:
            assert r.headers["X-Idempotent-Replayed"] == "true" and r.content == first.content
        if r.status_code == 409:
            assert r.json()["error"]["code"] == "idempotency_key_in_use"
    again = httpx.post(f"{live_server}/v1/_test/entity-with-job", headers=headers, json={"code": "C1"})
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["X-Idempotent-Replayed"] == "true"
    assert again.json()["job_id"] == first.json()["job_id"]


def test_same_key_different_body_is_422(client, demo):
    h = {**demo.headers(), "Idempotency-Key": "k1"}
    assert client.post("/v1/entities", headers=h, json={"code": "A1", "name": "A", "functional_currency": "USD"}).status_code == 201
    r = client.post("/v1/entities", headers=h, json={"code": "A2", "name": "A", "functional_currency": "USD"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_reused"


def test_quoted_and_unquoted_keys_are_the_same_key(client, demo):
    body = {"code": "Q1", "name": "Q", "functional_currency": "USD"}
    r1 = client.post("/v1/entities", headers={**demo.headers(), "Idempotency-Key": 'abc-123'}, json=body)
    r2 = client.post("/v1/entities", headers={**demo.headers(), "Idempotency-Key": '"abc-123"'}, json=body)
    assert (r1.status_code, r2.status_code) == (201, 200) and r1.content == r2.content


def test_key_is_scoped_to_endpoint_and_tenant(client, demo, rt):
    from backend.services.platform import admin

    h = {**demo.headers(), "Idempotency-Key": "shared"}
    assert client.post("/v1/entities", headers=h, json={"code": "S1", "name": "S", "functional_currency": "USD"}).status_code == 201
    assert client.post("/v1/users", headers=h, json={"name": "S", "email": "s@x.com", "role": "REVIEWER"}).status_code == 201
    prod = admin.mint_token(rt, email="owner@demo.example", tenant_kind="production", name="p")["token"]
    r = client.post("/v1/entities", headers={"Authorization": f"Bearer {prod}", "Idempotency-Key": "shared"},
                    json={"code": "S1", "name": "S", "functional_currency": "USD"})
    assert r.status_code == 201 and "X-Idempotent-Replayed" not in r.headers


def test_failures_are_not_stored_and_release_the_key(client, demo, rt, make_user):
    h = {**demo.headers(), "Idempotency-Key": "retry-me"}
    # Validation failure: nothing stored.
    assert client.post("/v1/entities", headers=h, json={"code": "bad code!", "name": "x", "functional_currency": "USD"}).status_code == 400
    # A domain conflict (duplicate code) releases the key too.
    assert client.post("/v1/entities", headers=h, json={"code": "DEMO-US", "name": "x", "functional_currency": "USD"}).status_code == 409
    # Auth failure: nothing stored.
    _u, reviewer = make_user("REVIEWER")
    assert client.post("/v1/entities", headers={"Authorization": f"Bearer {reviewer}", "Idempotency-Key": "retry-me"},
                       json={"code": "R1", "name": "x", "functional_currency": "USD"}).status_code == 403
    with rt.db.session(demo.sandbox_tenant_id) as s:
        assert s.scalar(select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.key == "retry-me")) == 0
    ok = client.post("/v1/entities", headers=h, json={"code": "R1", "name": "x", "functional_currency": "USD"})
    assert ok.status_code == 201


def test_bad_keys_are_400(client, demo):
    for bad in ("", "x" * 256, '""'):
        r = client.post("/v1/entities", headers={**demo.headers(), "Idempotency-Key": bad},
                        json={"code": "B1", "name": "x", "functional_currency": "USD"})
        assert r.status_code == 400, bad


def test_expired_records_are_reusable_and_purged(client, demo, rt):
    from tests.conftest import FakeClock

    clock = FakeClock()
    rt.clock = clock
    body = {"code": "E1", "name": "x", "functional_currency": "USD"}
    h = {**demo.headers(), "Idempotency-Key": "old"}
    assert client.post("/v1/entities", headers=h, json=body).status_code == 201
    clock.advance(hours=25)
    assert idempotency.purge_expired(rt, clock()) == 1
    # After 24 h the key is free again: a new body is a new request, not a 422.
    r = client.post("/v1/entities", headers=h, json={**body, "code": "E2"})
    assert r.status_code == 201


def test_stale_in_progress_claim_is_taken_over(client, demo, rt):
    from tests.conftest import FakeClock

    clock = FakeClock()
    rt.clock = clock
    from backend.api.routes.entities import EntityCreate

    body = {"code": "T1", "name": "x", "functional_currency": "USD"}
    fp = idempotency.fingerprint("POST /v1/entities", EntityCreate(**body).model_dump(mode="json"))
    owner_id = client.get("/v1/me", headers=demo.headers()).json()["user"]["id"]
    with rt.db.session(demo.sandbox_tenant_id, write=True) as s:
        s.add(IdempotencyRecord(user_id=owner_id, endpoint="POST /v1/entities", key="crashed", status="in_progress",
                                fingerprint=fp, locked_at=clock(), expires_at=clock() + timedelta(hours=24)))
    h = {**demo.headers(), "Idempotency-Key": "crashed"}
    assert client.post("/v1/entities", headers=h, json=body).status_code == 409
    clock.advance(minutes=11)
    assert client.post("/v1/entities", headers=h, json=body).status_code == 201


def test_an_orphaned_claim_is_taken_over_within_seconds_on_postgres(client, demo, rt):
    """A database restart kills the phase-2 transaction and the release with it: the key stays
    in_progress. On PostgreSQL a claim nobody holds locked is free after ORPHAN_AFTER (a retry got
    409 for ten minutes before; tests/faults found it); a claim whose owner is in phase 2 is not.
    SQLite keeps the ten-minute rule."""
    from sqlalchemy import text

    from tests.conftest import FakeClock

    clock = FakeClock()
    rt.clock = clock
    from backend.api.routes.entities import EntityCreate

    body = {"code": "T2", "name": "x", "functional_currency": "USD"}
    fp = idempotency.fingerprint("POST /v1/entities", EntityCreate(**body).model_dump(mode="json"))
    owner_id = client.get("/v1/me", headers=demo.headers()).json()["user"]["id"]
    with rt.db.session(demo.sandbox_tenant_id, write=True) as s:
        rec = IdempotencyRecord(user_id=owner_id, endpoint="POST /v1/entities", key="orphan", status="in_progress",
                                fingerprint=fp, locked_at=clock(), expires_at=clock() + timedelta(hours=24))
        s.add(rec)
        s.flush()
        rec_id = rec.id
    h = {**demo.headers(), "Idempotency-Key": "orphan"}
    assert client.post("/v1/entities", headers=h, json=body).status_code == 409  # too fresh to judge
    clock.advance(seconds=3)
    if rt.db.dialect != "postgresql":
        assert client.post("/v1/entities", headers=h, json=body).status_code == 409
        return
    # Held by a live owner (its phase-2 transaction locks the row): still in use.
    with rt.db.engine.connect() as live:
        live.execute(text("SELECT id FROM idempotency_records WHERE id = :id FOR UPDATE"), {"id": rec_id})
        assert client.post("/v1/entities", headers=h, json=body).status_code == 409
        live.rollback()
    # Nobody holds it: the retry takes over and creates the entity once.
    before = _count(rt, Entity, demo.sandbox_tenant_id)
    r = client.post("/v1/entities", headers=h, json=body)
    assert r.status_code == 201, r.text
    assert client.post("/v1/entities", headers=h, json=body).json() == r.json()  # a replay from now on
    assert _count(rt, Entity, demo.sandbox_tenant_id) == before + 1


def test_an_owner_whose_claim_was_taken_over_adds_no_effect(demo, rt, monkeypatch):
    """The compare-and-set on ``locked_at`` that ends phase 2: a request whose key was taken over
    between its two phases (it looked orphaned) must not add a second effect."""
    import pytest
    from sqlalchemy import update

    from backend.services.platform.errors import Conflict
    from backend.services.platform.identity import authenticate

    actor = authenticate(rt, f"Bearer {demo.owner_token}")
    table = IdempotencyRecord.__table__
    claim = idempotency._claim

    def claim_then_lose(*a, **kw):
        got = claim(*a, **kw)
        with rt.db.engine.begin() as other:  # another request takes the key over
            other.execute(update(table).where(table.c.key == "taken").values(
                locked_at=rt.clock() + timedelta(seconds=5)))
        return got

    def run():
        with rt.db.session(actor.tenant_id, write=True) as s:
            s.add(Entity(code="TK", name="x", functional_currency="USD", enabled_standards=[]))
        return 201, "{}", "{}"

    monkeypatch.setattr(idempotency, "_claim", claim_then_lose)
    before = _count(rt, Entity, demo.sandbox_tenant_id)
    with pytest.raises(Conflict):
        idempotency.execute(rt, actor, endpoint="POST /x", key="taken", fp="f", run=run)
    assert _count(rt, Entity, demo.sandbox_tenant_id) == before


def test_every_post_route_documents_the_idempotency_key(app):
    spec = app.openapi()
    for path, ops in spec["paths"].items():
        if "post" in ops:
            names = {p["name"] for p in ops["post"].get("parameters", []) if p["in"] == "header"}
            assert "Idempotency-Key" in names, path
