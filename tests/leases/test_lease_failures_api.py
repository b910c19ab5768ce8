"""Issue #14 "Failures a user can see and retry": a recognition that fails is marked on the lease,
listed in the dead-letter list with its rule and inputs hash, the job says it completed with
failures, and recalculate after the fix succeeds (audited, idempotent)."""
from __future__ import annotations

from tests.leases.conftest import office_lease


def test_failed_recognition_is_listed_and_retried_after_the_fix(client, demo, drain):
    h = demo.headers()
    # An EUR lease in a USD entity with its commencement rate: confirm passes...
    rates = [{"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-01", "rate": "1.10"}]
    assert client.put("/v1/fx-rates", headers=h, json={"entity": "DEMO-US", "rates": rates}).status_code == 200
    lease = client.post("/v1/leases", headers=h, json=office_lease("EUR-1", currency="EUR")).json()
    res = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]}).json()["results"][0]
    assert res["status"] == "confirmed"
    # ...then the rate disappears before the job runs (a correction of a wrong rate): recognition fails.
    from backend.db.models import FxRate

    rt = client.app.state.runtime
    with rt.db.session(demo.sandbox_tenant_id, write=True) as s:
        s.query(FxRate).delete()
    drain()
    job = client.get(f"/v1/engine/jobs/{res['job_ids'][0]}", headers=h).json()
    assert job["status"] == "completed_with_failures", job
    assert job["result"]["counts"] == {"leases": 1, "succeeded": 0, "failed": 1}
    dlq = client.get("/v1/engine/dlq", headers=h).json()
    assert dlq["total_count"] == 1
    item = dlq["data"][0]
    assert item["lease_id"] == lease["id"] and item["failure"]["code"] == "fx_rate_missing"
    assert len(item["failure"]["inputs_hash"]) == 64 and item["failure"]["job_id"] == res["job_ids"][0]
    assert client.get("/v1/engine/dlq", headers=h, params={"code": "other"}).json()["total_count"] == 0

    # Fix the configuration and recalculate: a new job, the runs are written, the DLQ empties.
    assert client.put("/v1/fx-rates", headers=h, json={"entity": "DEMO-US", "rates": rates}).status_code == 200
    r = client.post(f"/v1/leases/{lease['id']}/recalculate", headers={**h, "Idempotency-Key": "recalc-1"})
    assert r.status_code == 200 and r.json()["status"] == "queued", r.text
    again = client.post(f"/v1/leases/{lease['id']}/recalculate", headers={**h, "Idempotency-Key": "recalc-1"})
    assert again.headers["X-Idempotent-Replayed"] == "true" and again.json()["job_id"] == r.json()["job_id"]
    drain()
    assert client.get(f"/v1/engine/jobs/{r.json()['job_id']}", headers=h).json()["status"] == "succeeded"
    assert client.get("/v1/engine/dlq", headers=h).json()["total_count"] == 0
    sched = client.get(f"/v1/leases/{lease['id']}/schedule", headers=h, params={"standard": "IFRS16"})
    assert sched.status_code == 200
    done = client.post(f"/v1/leases/{lease['id']}/recalculate", headers=h).json()
    assert done["status"] == "up_to_date" and done["job_id"] is None
    audit = client.get("/v1/audit-events", headers=h, params={"action": "leases.recalculate"}).json()["data"]
    assert [a["resource_id"] for a in audit] == [lease["id"]]


def test_recalculate_is_for_confirmed_leases_and_preparers(client, demo, make_user):
    h = demo.headers()
    draft = client.post("/v1/leases", headers=h, json=office_lease("DRAFT-1")).json()
    r = client.post(f"/v1/leases/{draft['id']}/recalculate", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "lease_not_confirmed"
    _u, reviewer = make_user("REVIEWER")
    assert client.post(f"/v1/leases/{draft['id']}/recalculate",
                       headers={"Authorization": f"Bearer {reviewer}"}).status_code == 403
    assert client.get("/v1/engine/dlq", headers={"Authorization": f"Bearer {reviewer}"}).status_code == 200
