"""The webhook endpoints and deliveries API: validation, secrets shown once, filters, roles."""
from __future__ import annotations

import json
from datetime import timedelta
import shutil
import ssl
import subprocess

import pytest
from sqlalchemy import select

from backend.db.models import AuditEvent, Job, WebhookEndpoint
from backend.webhooks import delivery
from webhook_receiver import Receiver


def test_create_validates_and_shows_the_secret_once(client, demo, wrt, receiver):
    h = demo.headers()
    bad = client.post("/v1/webhook-endpoints", headers=h, json={"url": receiver.url, "event_types": ["lease.eaten"]})
    assert bad.status_code == 400
    empty = client.post("/v1/webhook-endpoints", headers=h, json={"url": receiver.url, "event_types": []})
    assert empty.status_code == 400

    body = {"url": receiver.url, "event_types": ["journal.posted", "journal.approved", "journal.posted"],
            "description": "ERP bridge"}
    r = client.post("/v1/webhook-endpoints", headers={**h, "Idempotency-Key": "ep-1"}, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["event_types"] == ["journal.approved", "journal.posted"] and created["enabled"] is True
    replay = client.post("/v1/webhook-endpoints", headers={**h, "Idempotency-Key": "ep-1"}, json=body)
    assert replay.headers.get("X-Idempotent-Replayed") == "true" and replay.json()["id"] == created["id"]

    listed = client.get("/v1/webhook-endpoints", headers=h).json()
    assert listed["total_count"] == 1 and "secret" not in listed["data"][0]
    with wrt.db.session(system=True) as s:
        stored = s.scalar(select(WebhookEndpoint.secret_encrypted))
        audit_rows = [json.dumps(a.details) for a in s.scalars(select(AuditEvent))]
    assert created["secret"] not in stored and created["secret"][6:] not in stored  # encrypted at rest
    assert not any(created["secret"][6:] in row for row in audit_rows)  # never audited


def test_patch_changes_subscription_and_enabled_flag(client, demo, subscribe, receiver, emit_committed, run_jobs):
    ep = subscribe(receiver.url, ["journal.posted"])
    url = f"/v1/webhook-endpoints/{ep['id']}"
    r = client.patch(url, headers=demo.headers(), json={"event_types": ["period.unlocked"], "enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False and r.json()["disabled_reason"]
    emit_committed("period.unlocked")
    run_jobs()
    assert receiver.count() == 0
    client.patch(url, headers=demo.headers(), json={"enabled": True})
    emit_committed("journal.posted")  # no longer subscribed
    emit_committed("period.unlocked")
    run_jobs()
    assert [json.loads(x.body)["event_type"] for x in receiver.requests] == ["period.unlocked"]
    bad = client.patch(url, headers=demo.headers(), json={"url": "http://hooks.example.com/x"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unsafe_url"
    by_type = client.get("/v1/webhook-endpoints", headers=demo.headers(), params={"event_type": "period.unlocked"})
    assert [e["id"] for e in by_type.json()["data"]] == [ep["id"]]
    none = client.get("/v1/webhook-endpoints", headers=demo.headers(), params={"event_type": "journal.posted"})
    assert none.json()["data"] == []


def test_delivery_list_filters(client, demo, subscribe, receiver, emit_committed, run_jobs, clock):
    a = subscribe(receiver.url, ["journal.posted", "close.completed"])
    b = subscribe(receiver.url.replace("/hooks", "/other"), ["close.completed"])
    emit_committed("journal.posted")
    closed = emit_committed("close.completed")
    receiver.answer(500)
    run_jobs()

    def ids(**params):
        r = client.get("/v1/webhook-deliveries", headers=demo.headers(), params=params)
        assert r.status_code == 200, r.text
        return r.json()

    assert ids()["total_count"] == 3
    assert {d["endpoint_id"] for d in ids(endpoint_id=b["id"])["data"]} == {b["id"]}
    assert {d["event_id"] for d in ids(event_id=closed)["data"]} == {closed}
    assert ids(event_type="journal.posted")["data"][0]["endpoint_id"] == a["id"]
    assert ids(status="pending")["total_count"] == 3 and ids(status="delivered")["total_count"] == 0
    page = ids(limit=2, sort="created_at:asc")
    assert page["has_more"] and len(page["data"]) == 2
    rest = ids(limit=2, sort="created_at:asc", cursor=page["next_cursor"])
    assert len(rest["data"]) == 1
    assert client.get("/v1/webhook-deliveries", headers=demo.headers(), params={"status": "lost"}).status_code == 400
    now = clock()
    second = timedelta(seconds=1)
    window = ids(created_from=(now - second).isoformat(), created_to=(now + second).isoformat())
    assert window["total_count"] == 3
    assert ids(created_from=(now + timedelta(seconds=1)).isoformat())["total_count"] == 0
    naive = client.get("/v1/webhook-deliveries", headers=demo.headers(), params={"created_from": "2026-01-01T00:00:00"})
    assert naive.status_code == 400  # a time without an offset is ambiguous


def test_only_admins_and_owners_manage_webhooks(client, make_user, receiver):
    _u, approver = make_user("APPROVER")
    _u, admin = make_user("ADMIN")
    body = {"url": receiver.url, "event_types": ["journal.posted"]}
    denied = client.post("/v1/webhook-endpoints", headers={"Authorization": f"Bearer {approver}"}, json=body)
    assert denied.status_code == 403
    assert client.get("/v1/webhook-deliveries", headers={"Authorization": f"Bearer {approver}"}).status_code == 403
    assert client.post("/v1/webhook-endpoints", headers={"Authorization": f"Bearer {admin}"},
                       json=body).status_code == 201


def test_endpoints_are_per_tenant(client, demo, make_user, subscribe, receiver):
    ep = subscribe(receiver.url, ["journal.posted"])
    _u, prod = make_user("ADMIN", tenant="production")
    other = {"Authorization": f"Bearer {prod}"}
    assert client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=other).status_code == 404
    assert client.get("/v1/webhook-endpoints", headers=other).json()["total_count"] == 0


def test_sandbox_reset_removes_webhook_rows(client, demo, subscribe, receiver, emit_committed, run_jobs, rows):
    subscribe(receiver.url, ["journal.posted"])
    emit_committed("journal.posted")
    r = client.post("/v1/sandbox/reset", headers=demo.headers())
    assert r.status_code == 200, r.text
    # Events and deliveries are transactional; the endpoint is configuration and is kept.
    assert rows.events() == 0 and rows.deliveries() == [] and rows.count(WebhookEndpoint) == 1
    run_jobs()
    assert receiver.count() == 0


def test_a_job_whose_delivery_is_gone_does_nothing(wrt, demo, run_jobs, clock):
    from backend.jobs.queue import enqueue

    with wrt.db.session(system=True, write=True) as s:
        job_id = enqueue(s, kind="webhook.deliver", payload={"delivery_id": "01NOSUCHDELIVERY0000000000", "attempt": 1},
                         now=clock(), tenant_id=demo.sandbox_tenant_id).id
    assert run_jobs() == 1
    with wrt.db.session(system=True) as s:
        job = s.get(Job, job_id)
    assert job.status == "succeeded" and job.result["skipped"] == "delivery_not_found"


def test_a_slow_receiver_times_out(receiver):
    receiver.answer(200, delay=0.5)
    outcome = delivery.post(receiver.url, b"{}", {}, allow_loopback=True, timeout=0.1)
    assert outcome.status_code is None and outcome.error.startswith("timeout")
    assert not outcome.delivered


@pytest.fixture
def tls_files(tmp_path):
    """A self-signed certificate for localhost (openssl CLI; the test is skipped without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_https_delivery_verifies_the_certificate_of_the_host_name(tls_files, monkeypatch):
    cert, key = tls_files
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    receiver = Receiver(tls=server_ctx)
    try:
        url = f"https://localhost:{receiver.port}/hooks"
        untrusted = delivery.post(url, b"{}", {}, allow_loopback=True, timeout=5)
        assert untrusted.status_code is None and untrusted.error.startswith("TLS error")
        assert receiver.count() == 0  # nothing sent to a server we could not authenticate

        real = ssl.create_default_context
        monkeypatch.setattr(delivery.ssl, "create_default_context", lambda *a, **kw: real(cafile=str(cert)))
        trusted = delivery.post(url, b'{"a":1}', {"webhook-id": "x"}, allow_loopback=True, timeout=5)
        assert trusted.delivered and receiver.requests[0].body == b'{"a":1}'
        assert receiver.requests[0].headers["host"] == f"localhost:{receiver.port}"
    finally:
        receiver.stop()


def test_the_event_catalogue_is_served_and_in_openapi(client, demo):
    listed = client.get("/v1/webhook-event-types", headers=demo.headers()).json()
    names = [e["event_type"] for e in listed]
    assert {"lease.confirmed", "journal.posted", "close.completed", "period.unlocked", "engine.failed"} <= set(names)
    spec = client.get("/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["EndpointCreate"]["properties"]["event_types"]
    assert set(schema["items"]["enum"]) == set(names)
