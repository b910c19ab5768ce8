"""Lease, engine, close and lock changes emit their webhook events in the same transaction."""
from __future__ import annotations

from sqlalchemy import select

from backend.db.models import WebhookDelivery, WebhookEvent
from tests.leases.conftest import office_lease

TYPES = ["lease.confirmed", "engine.completed", "close.completed", "period.locked", "period.unlocked",
         "lease.modified", "lease.terminated"]


def _events(rt, tenant_id):
    with rt.db.session(tenant_id) as s:
        return [(e.event_type, e.payload) for e in s.scalars(select(WebhookEvent).order_by(WebhookEvent.created_at,
                                                                                               WebhookEvent.id))]


def test_lease_lifecycle_events(client, demo, rt, drain):
    h = demo.headers()
    r = client.post("/v1/webhook-endpoints", headers=h, json={"url": "http://127.0.0.1:9/hook", "event_types": TYPES})
    assert r.status_code == 201, r.text
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    confirm = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]})
    events = _events(rt, demo.sandbox_tenant_id)
    assert [t for t, _ in events] == ["lease.confirmed"]
    payload = events[0][1]
    assert payload["data"]["id"] == lease["id"] and payload["data"]["status"] == "confirmed"
    assert payload["request_id"] == confirm.headers["X-Request-Id"] and payload["actor"]["actor_kind"] == "human"
    drain(max_rounds=3)  # recognition (delivery jobs to the closed port stay queued behind it)
    types = [t for t, _ in _events(rt, demo.sandbox_tenant_id)]
    assert types.count("engine.completed") == 2
    client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01"})
    drain(max_rounds=4)
    lock = {"entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"}
    client.put("/v1/lease/period-locks", headers=h, json=lock)
    client.put("/v1/lease/period-locks", headers=h, json=lock)  # no change: no second event
    client.put("/v1/lease/period-locks", headers=h, json={**lock, "status": "OPEN"})
    r = client.post("/v1/engine/run", headers=h, json={"lease_id": lease["id"], "run_type": "TERMINATION",
                                                       "effective_date": "2027-03-01", "changes": {}})
    assert r.status_code == 202
    drain(max_rounds=6)
    types = [t for t, _ in _events(rt, demo.sandbox_tenant_id)]
    assert types.count("close.completed") == 2
    assert types.count("period.locked") == 1 and types.count("period.unlocked") == 1
    assert types.count("lease.terminated") == 1 and types.count("engine.completed") == 4
    with rt.db.session(demo.sandbox_tenant_id) as s:
        assert len(s.scalars(select(WebhookDelivery)).all()) == len(types)  # one delivery each


def test_a_refused_confirm_emits_nothing(client, demo, rt):
    h = demo.headers()
    client.post("/v1/webhook-endpoints", headers=h, json={"url": "http://127.0.0.1:9/hook", "event_types": TYPES})
    lease = client.post("/v1/leases", headers=h, json=office_lease(discount_rate=None)).json()
    r = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]})
    assert r.json()["refused"] == 1
    assert _events(rt, demo.sandbox_tenant_id) == []


def test_journal_events_when_subscribed(client, demo, rt, drain, make_user):
    h = demo.headers()
    client.post("/v1/webhook-endpoints", headers=h, json={"url": "http://127.0.0.1:9/hook",
                                                          "event_types": ["journal.created", "journal.approved"]})
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]})
    drain(max_rounds=3)
    created = [p for t, p in _events(rt, demo.sandbox_tenant_id) if t == "journal.created"]
    assert len(created) == 2 and {p["data"]["event"] for p in created} == {"lease.commencement"}
    assert all(p["data"]["status"] == "draft" and p["data"]["lines"] for p in created)
    _u, approver = make_user("APPROVER")
    r = client.post(f"/v1/journal-entries/{created[0]['data']['id']}/approve",
                    headers={"Authorization": f"Bearer {approver}"})
    assert r.status_code == 200, r.text
    approved = [p for t, p in _events(rt, demo.sandbox_tenant_id) if t == "journal.approved"]
    assert len(approved) == 1 and approved[0]["data"]["status"] == "approved"


def test_a_close_that_gives_up_emits_engine_failed_and_can_be_requested_again(client, demo, rt, drain):
    h = demo.headers()
    client.post("/v1/webhook-endpoints", headers=h, json={"url": "http://127.0.0.1:9/hook", "event_types": TYPES + ["engine.failed"]})
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]})
    drain(max_rounds=3)
    r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01",
                                                                 "standards": ["IFRS16"]})
    job_id = r.json()["job_ids"][0]
    lock = {"entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"}
    client.put("/v1/lease/period-locks", headers=h, json=lock)  # locked before the job runs
    drain(max_rounds=3)
    job = client.get(f"/v1/engine/jobs/{job_id}", headers=h).json()
    assert job["status"] == "failed" and job["error"]["code"] == "period_locked"
    failed = [p for t, p in _events(rt, demo.sandbox_tenant_id) if t == "engine.failed"]
    assert len(failed) == 1 and failed[0]["data"]["job_id"] == job_id
    assert failed[0]["data"]["error"]["code"] == "period_locked"
    client.put("/v1/lease/period-locks", headers=h, json={**lock, "status": "OPEN"})
    again = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01",
                                                                     "standards": ["IFRS16"]}).json()
    assert len(again["job_ids"]) == 1 and again["job_ids"][0] != job_id
    drain(max_rounds=3)
    assert client.get(f"/v1/engine/jobs/{again['job_ids'][0]}", headers=h).json()["status"] == "succeeded"
