"""GET /v1/engine/jobs/{id}: the polling view, scoped to the caller's tenant."""
from __future__ import annotations

from backend.jobs import claim, complete, enqueue, fail, progress
from backend.services.platform import admin


def _enqueue(rt, clock, tenant_id, **kw) -> str:
    with rt.db.unit_of_work(tenant_id) as s:
        return enqueue(s, kind="test.echo", payload={"lease": "L-1"}, tenant_id=tenant_id, now=clock(), **kw).id


def test_job_view_through_its_life(jrt, clock, client, demo):
    job_id = _enqueue(jrt, clock, demo.sandbox_tenant_id, max_attempts=4)
    url = f"/v1/engine/jobs/{job_id}"
    r = client.get(url, headers=demo.headers())
    assert r.status_code == 200, r.text
    assert r.json() == {"id": job_id, "kind": "test.echo", "status": "queued", "progress": {"done": 0, "total": 1},
                        "result": None, "error": None, "attempts": 0, "max_attempts": 4,
                        "created_at": "2026-01-15T09:00:00Z", "started_at": None, "finished_at": None,
                        "run_at": "2026-01-15T09:00:00Z"}
    clock.advance(seconds=5)
    claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30)
    progress(jrt.db, job_id, 40, 120, worker_id="w")
    body = client.get(url, headers=demo.headers()).json()
    assert (body["status"], body["progress"], body["attempts"], body["started_at"]) == (
        "running", {"done": 40, "total": 120}, 1, "2026-01-15T09:00:05Z")
    clock.advance(seconds=5)
    complete(jrt.db, job_id, "w", {"schedule_id": "S-1"}, clock())
    body = client.get(url, headers=demo.headers()).json()
    assert (body["status"], body["result"], body["finished_at"]) == (
        "succeeded", {"schedule_id": "S-1"}, "2026-01-15T09:00:10Z")


def test_failed_job_shows_the_error(jrt, clock, client, demo):
    job_id = _enqueue(jrt, clock, demo.sandbox_tenant_id)

    claim(jrt.db, worker_id="w", now=clock(), lease_seconds=30)
    fail(jrt.db, job_id, "w", "end_before_commencement", "The lease ends before it commences.", clock(),
         permanent=True)
    body = client.get(f"/v1/engine/jobs/{job_id}", headers=demo.headers()).json()
    assert (body["status"], body["error"]) == (
        "failed", {"code": "end_before_commencement", "message": "The lease ends before it commences."})


def test_other_tenants_and_housekeeping_jobs_are_not_found(jrt, clock, client, demo):
    sandbox_job = _enqueue(jrt, clock, demo.sandbox_tenant_id)
    production_job = _enqueue(jrt, clock, demo.production_tenant_id)
    with jrt.db.session(system=True, write=True) as s:
        system_job = enqueue(s, kind="housekeeping.purge_idempotency", payload={}, now=clock()).id
    prod_token = admin.mint_token(jrt, email="owner@demo.example", tenant_kind="production", name="t")["token"]
    prod = {"Authorization": f"Bearer {prod_token}"}
    assert client.get(f"/v1/engine/jobs/{production_job}", headers=prod).status_code == 200
    for job_id, headers in ((sandbox_job, prod), (production_job, demo.headers()), (system_job, demo.headers()),
                            ("01ZZZZZZZZZZZZZZZZZZZZZZZZ", demo.headers())):
        r = client.get(f"/v1/engine/jobs/{job_id}", headers=headers)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "job_not_found"


def test_job_route_is_in_the_openapi_document(client):
    op = client.get("/v1/openapi.json").json()["paths"]["/v1/engine/jobs/{job_id}"]["get"]
    assert op["operationId"] == "get_job" and op["tags"] == ["jobs"]
