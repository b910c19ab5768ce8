"""End to end with a real receiver on 127.0.0.1: outbox → job worker → signed POST → recorded."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook

from backend.db.models import Job
from backend.db.session import Database
from backend.jobs.queue import claim, enqueue
from backend.jobs.worker import Worker
from backend.services.platform.context import Runtime
from backend.webhooks import schedule
from backend.webhooks.outbox import emit


def signed_with(secret: str, received) -> bool:
    """Verify a signature whatever the fake clock said (the package's verify() also checks the
    timestamp against the real time, which a test that moved the clock by hours cannot pass)."""
    ts = datetime.fromtimestamp(int(received.headers["webhook-timestamp"]), tz=timezone.utc)
    expected = Webhook(secret).sign(received.headers["webhook-id"], ts, received.body.decode())
    return expected in received.headers["webhook-signature"].split(" ")


def test_delivery_is_signed_verifiable_and_recorded(client, demo, subscribe, receiver, emit_committed, run_jobs,
                                                    rows, clock):
    ep = subscribe(receiver.url, ["journal.approved", "close.completed"])
    secret = ep["secret"]
    assert secret.startswith("whsec_")
    shown = client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=demo.headers()).json()
    assert "secret" not in shown and secret not in json.dumps(shown)

    event_id = emit_committed("journal.approved", {"id": "JE-7", "total": "1250.00"})
    assert receiver.count() == 0  # nothing is sent inside the transaction
    assert run_jobs() == 1

    (got,) = receiver.requests
    body = Webhook(secret).verify(got.body, got.headers)  # the standardwebhooks package accepts it
    assert got.headers["webhook-id"] == event_id
    assert got.headers["webhook-timestamp"] == str(int(clock().timestamp()))
    assert got.headers["content-type"] == "application/json"
    assert body == {"event_id": event_id, "event_type": "journal.approved", "timestamp": clock().isoformat(),
                    "actor": {"user_id": "U1", "actor_kind": "human", "channel": None}, "request_id": "req_test",
                    "data": {"id": "JE-7", "total": "1250.00"}}
    d = rows.delivery()
    assert (d.status, d.attempts, d.last_status_code, d.delivered_at) == ("delivered", 1, 200, clock())
    (a,) = rows.attempts(d.id)
    # Only the status is kept: the receiver's body is never echoed into the delivery log (#12.6).
    assert (a.attempt_no, a.status_code, a.trigger, a.response_excerpt) == (1, 200, "scheduled", None)
    assert a.latency_ms >= 0
    assert rows.queued_webhook_jobs() == []


def test_each_event_type_goes_only_to_its_subscribers(subscribe, receiver, emit_committed, run_jobs, rows):
    from webhook_receiver import Receiver

    other = Receiver()
    try:
        subscribe(receiver.url, ["journal.approved"])
        subscribe(other.url, ["period.locked", "journal.approved"])
        emit_committed("period.locked", {"period": "2026-01"})
        emit_committed("lease.confirmed", {"id": "L1"})  # nobody subscribed: an event row, no delivery
        emit_committed("journal.approved", {"id": "JE-1"})
        run_jobs()
        assert [json.loads(r.body)["event_type"] for r in receiver.requests] == ["journal.approved"]
        assert sorted(json.loads(r.body)["event_type"] for r in other.requests) == ["journal.approved",
                                                                                    "period.locked"]
        assert rows.events() == 3 and len(rows.deliveries()) == 3
    finally:
        other.stop()


def test_receiver_down_means_exactly_five_attempts_on_the_schedule_then_failed_then_manual_retry(
        client, demo, subscribe, receiver, emit_committed, run_jobs, rows, clock):
    ep = subscribe(receiver.url, ["journal.posted"])
    receiver.stop()  # connection refused from now on
    event_id = emit_committed("journal.posted")
    start = clock()
    assert run_jobs() == 1
    d = rows.delivery()
    for n in range(2, 6):
        due = schedule.attempt_at(start, d.id, n)
        assert rows.delivery().next_attempt_at == due
        clock.now = due - timedelta(seconds=1)
        assert run_jobs() == 0, f"attempt {n} ran before its time"
        clock.now = due
        assert run_jobs() == 1
    d = rows.delivery()
    attempts = rows.attempts(d.id)
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 5, None)
    assert [a.attempted_at - start for a in attempts] == [schedule.offset(d.id, n) for n in range(1, 6)]
    assert [a.attempted_at - start for a in attempts][-1] <= timedelta(hours=24)
    assert all(a.status_code is None and a.error for a in attempts)
    clock.advance(days=3)
    assert run_jobs() == 0 and rows.queued_webhook_jobs() == []  # no sixth attempt

    listed = client.get("/v1/webhook-deliveries", headers=demo.headers(), params={"status": "failed"}).json()
    assert [x["id"] for x in listed["data"]] == [d.id] and listed["data"][0]["attempts"] == 5

    receiver.start()  # back on the same port
    r = client.post(f"/v1/webhook-deliveries/{d.id}/retry", headers=demo.headers())
    assert r.status_code == 202 and r.json()["status"] == "pending"
    assert run_jobs() == 1
    assert receiver.count() == 1
    assert signed_with(ep["secret"], receiver.requests[0])
    assert receiver.requests[0].headers["webhook-id"] == event_id  # stable across retries
    detail = client.get(f"/v1/webhook-deliveries/{d.id}", headers=demo.headers()).json()
    assert detail["status"] == "delivered" and detail["attempts"] == 6
    assert [a["trigger"] for a in detail["attempt_log"]] == ["scheduled"] * 5 + ["manual"]
    assert detail["payload"]["event_id"] == event_id

    again = client.post(f"/v1/webhook-deliveries/{d.id}/retry", headers=demo.headers())
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_delivered"
    clock.advance(days=1)
    assert run_jobs() == 0 and receiver.count() == 1  # delivered once


def test_server_errors_are_retried_and_the_response_is_truncated(subscribe, receiver, emit_committed, run_jobs,
                                                                 rows, clock):
    subscribe(receiver.url, ["journal.created"])
    receiver.answer(500, b"x" * 5000)
    emit_committed("journal.created")
    run_jobs()
    d = rows.delivery()
    (a,) = rows.attempts(d.id)
    assert (d.status, a.status_code, a.response_excerpt) == ("pending", 500, None)
    receiver.answer(204, b"")
    clock.now = d.next_attempt_at
    run_jobs()
    assert rows.delivery().status == "delivered" and receiver.count() == 2
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.headers["webhook-timestamp"] for r in receiver.requests}) == 2  # per attempt


def test_redirects_are_not_followed(subscribe, receiver, emit_committed, run_jobs, rows):
    subscribe(receiver.url, ["journal.created"])
    receiver.answer(302, b"", headers={"Location": "http://127.0.0.1:1/elsewhere"})
    emit_committed("journal.created")
    run_jobs()
    d = rows.delivery()
    assert (d.status, d.last_status_code, receiver.count()) == ("pending", 302, 1)


def test_410_gone_disables_the_endpoint(client, demo, subscribe, receiver, emit_committed, run_jobs, rows):
    ep = subscribe(receiver.url, ["journal.voided", "journal.created"])
    receiver.answer(410, b"gone")
    emit_committed("journal.voided")
    emit_committed("journal.created")
    run_jobs()
    ds = rows.deliveries()
    assert [d.status for d in ds] == ["failed", "failed"]
    # the first got 410; the second found the endpoint disabled and was not sent
    assert receiver.count() == 1 and sorted(d.attempts for d in ds) == [0, 1]
    stored = client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=demo.headers()).json()
    assert stored["enabled"] is False and "410" in stored["disabled_reason"]
    emit_committed("journal.created")
    assert len(rows.deliveries()) == 2  # a disabled endpoint gets no new deliveries

    blocked = client.post(f"/v1/webhook-deliveries/{ds[1].id}/retry", headers=demo.headers())
    assert blocked.status_code == 409
    r = client.patch(f"/v1/webhook-endpoints/{ep['id']}", headers=demo.headers(), json={"enabled": True})
    assert r.json()["enabled"] is True and r.json()["disabled_reason"] is None
    receiver.answer(200)
    assert client.post(f"/v1/webhook-deliveries/{ds[1].id}/retry", headers=demo.headers()).status_code == 202
    run_jobs()
    assert receiver.count() == 2

    # A manual retry of a failed delivery is one attempt: failing again does not restart the schedule.
    gone = next(d for d in ds if d.attempts == 1)
    receiver.answer(500)
    assert client.post(f"/v1/webhook-deliveries/{gone.id}/retry", headers=demo.headers()).status_code == 202
    assert run_jobs() == 1
    after = next(d for d in rows.deliveries() if d.id == gone.id)
    assert (after.status, after.attempts, after.next_attempt_at) == ("failed", 2, None)
    assert rows.queued_webhook_jobs() == [] and receiver.count() == 3


def test_a_rolled_back_transaction_emits_nothing(wrt, demo, subscribe, receiver, run_jobs, rows, clock):
    from backend.db.models import Entity

    subscribe(receiver.url, ["period.locked"])

    def change_and_emit(code: str, fail: bool) -> None:
        with wrt.db.session(demo.sandbox_tenant_id, write=True) as s:
            s.add(Entity(code=code, name=code, functional_currency="USD", enabled_standards=["IFRS16"],
                         fiscal_year_end="12-31"))  # the domain change
            emit(s, None, tenant_id=demo.sandbox_tenant_id, event_type="period.locked", data={"entity": code},
                 now=clock())
            s.flush()
            if fail:
                raise RuntimeError("the domain change failed after the event was written")

    with pytest.raises(RuntimeError):
        change_and_emit("ROLLED-BACK", fail=True)
    assert (rows.events(), rows.deliveries(), rows.queued_webhook_jobs()) == (0, [], [])
    assert run_jobs() == 0 and receiver.count() == 0

    change_and_emit("COMMITTED", fail=False)  # the same code path, committed, does emit
    assert (rows.events(), len(rows.deliveries()), len(rows.queued_webhook_jobs())) == (1, 1, 1)
    run_jobs()
    assert [json.loads(r.body)["data"] for r in receiver.requests] == [{"entity": "COMMITTED"}]


def test_the_outbox_survives_a_restart_between_commit_and_delivery(settings, wrt, subscribe, receiver,
                                                                   emit_committed, run_jobs, clock):
    subscribe(receiver.url, ["close.completed"])
    event_id = emit_committed("close.completed", {"close_id": "C1"})
    wrt.db.dispose()  # the process "dies": nothing was sent, no worker ran

    fresh = Runtime(settings=settings, db=Database(settings.database_url), secret_key=settings.secret_key,
                    clock=clock)
    try:
        assert run_jobs(fresh) == 1
    finally:
        fresh.db.dispose()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event_id]


def test_a_worker_dying_mid_attempt_is_covered_by_the_job_lease(wrt, subscribe, receiver, emit_committed, run_jobs,
                                                                rows, clock):
    subscribe(receiver.url, ["close.completed"])
    emit_committed("close.completed")
    (job,) = claim(wrt.db, worker_id="doomed", now=clock(), lease_seconds=30)  # claims, then never reports
    assert run_jobs() == 0  # leased to the dead worker
    clock.advance(seconds=31)
    assert run_jobs() == 1
    assert rows.delivery().status == "delivered" and receiver.count() == 1


def test_a_duplicate_job_for_a_recorded_attempt_sends_nothing(wrt, demo, subscribe, receiver, emit_committed,
                                                              run_jobs, rows, clock):
    subscribe(receiver.url, ["journal.approved"])
    emit_committed()
    run_jobs()
    d = rows.delivery()
    with wrt.db.session(system=True, write=True) as s:  # e.g. a job re-run after its result was lost
        enqueue(s, kind="webhook.deliver", payload={"delivery_id": d.id, "attempt": 1}, now=clock(),
                tenant_id=demo.sandbox_tenant_id)
    assert run_jobs() == 1
    assert receiver.count() == 1 and rows.delivery().attempts == 1


def test_rotation_sends_old_and_new_signatures_until_the_grace_period_ends(client, demo, subscribe, receiver,
                                                                           emit_committed, run_jobs, clock):
    ep = subscribe(receiver.url, ["journal.reversed"])
    old = ep["secret"]
    r = client.post(f"/v1/webhook-endpoints/{ep['id']}/rotate-secret", headers=demo.headers(),
                    json={"previous_valid_hours": 2})
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new != old and r.json()["previous_secret_expires_at"]

    emit_committed("journal.reversed")
    run_jobs()
    got = receiver.requests[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)

    clock.advance(hours=2, seconds=1)
    emit_committed("journal.reversed")
    run_jobs()
    got = receiver.requests[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 1
    assert signed_with(new, got) and not signed_with(old, got)


def test_every_tenant_refuses_http_and_loopback_targets(client, make_user, subscribe, receiver):
    """#12.6: the same rules in sandbox and production once the development loopback switch is off."""
    client.app.state.runtime.settings.webhook_allow_loopback = False
    _user, prod = make_user("ADMIN", tenant="production")
    for token in (prod, None):
        for url in (receiver.url, "https://127.0.0.1/hooks", "https://localhost:8443/x", "https://10.0.0.8/x",
                    "http://hooks.example.com/x", "https://169.254.169.254/latest", "https://0x7f000001/",
                    "https://[::ffff:10.0.0.1]/x", "https://metadata.google.internal/x"):
            subscribe(url, ["journal.posted"], token=token, expect=400)
    assert subscribe("https://hooks.example.com/ledger", ["journal.posted"], token=prod)["url"].startswith("https")


def test_sandbox_allows_http_localhost_but_not_http_elsewhere(subscribe, receiver):
    subscribe(receiver.url, ["journal.posted"])
    subscribe("http://localhost:5678/webhook/ledger", ["journal.posted"])
    subscribe("http://hooks.example.com/x", ["journal.posted"], expect=400)


def test_production_delivery_to_a_name_resolving_to_loopback_is_refused(monkeypatch, wrt, demo, make_user, subscribe,
                                                                        receiver, emit_committed, run_jobs, rows):
    """A public-looking name whose DNS answer is 127.0.0.1 (rebinding, internal split-horizon) is not
    contacted from a production tenant, even though something is listening there."""
    from backend.webhooks import delivery

    wrt.settings.webhook_allow_loopback = False

    _user, prod = make_user("ADMIN", tenant="production")
    subscribe(f"https://hooks.example.com:{receiver.port}/hooks", ["journal.posted"], token=prod)
    monkeypatch.setattr(delivery.socket, "getaddrinfo", lambda host, port, **kw: [
        (delivery.socket.AF_INET, delivery.socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))])
    emit_committed("journal.posted", tenant_id=demo.production_tenant_id)
    run_jobs()
    d = rows.delivery()
    (a,) = rows.attempts(d.id)
    assert receiver.count() == 0
    assert a.status_code is None and a.error.startswith("refused:")


def test_deleted_endpoint_stops_pending_deliveries(client, demo, subscribe, receiver, emit_committed, run_jobs, rows):
    ep = subscribe(receiver.url, ["lease.terminated"])
    emit_committed("lease.terminated")
    assert client.delete(f"/v1/webhook-endpoints/{ep['id']}", headers=demo.headers()).status_code == 200
    run_jobs()
    d = rows.delivery()
    assert (d.status, d.last_error, receiver.count()) == ("failed", "endpoint deleted", 0)
    assert client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=demo.headers()).status_code == 404
    assert client.get(f"/v1/webhook-deliveries/{d.id}", headers=demo.headers()).status_code == 200


def test_emit_many_fans_out_a_batch_in_one_transaction(wrt, demo, subscribe, receiver, run_jobs, rows, clock):
    from backend.webhooks.outbox import emit_many
    from webhook_receiver import Receiver

    other = Receiver()
    try:
        subscribe(receiver.url, ["journal.created"])
        subscribe(other.url, ["journal.created", "close.completed"])
        with wrt.db.session(demo.sandbox_tenant_id, write=True) as s:
            ids = emit_many(s, None, tenant_id=demo.sandbox_tenant_id, now=clock(), request_id="req_close",
                            events=[("journal.created", {"id": f"JE-{i}"}) for i in range(3)]
                            + [("close.completed", {"close_id": "C1"})])
        assert len(set(ids)) == 4 and rows.events() == 4 and len(rows.deliveries()) == 7
        assert run_jobs() == 7
        assert sorted(json.loads(r.body)["data"].get("id", "") for r in receiver.requests) == ["JE-0", "JE-1", "JE-2"]
        assert {r.headers["webhook-id"] for r in other.requests} == set(ids)
        with pytest.raises(ValueError):
            with wrt.db.session(demo.sandbox_tenant_id, write=True) as s:
                emit_many(s, None, tenant_id=demo.sandbox_tenant_id, now=clock(),
                          events=[("journal.created", {}), ("journal.exploded", {})])
        assert rows.events() == 4
    finally:
        other.stop()


def test_deliveries_queue_behind_accounting_jobs(wrt, subscribe, receiver, emit_committed, rows, clock):
    subscribe(receiver.url, ["close.completed"])
    emit_committed("close.completed")
    with wrt.db.session(system=True, write=True) as s:  # any job at the default priority (engine runs, closes)
        other = enqueue(s, kind="housekeeping.purge_idempotency", payload={}, now=clock(), priority=100).id
    worker = Worker(wrt, worker_id="one-at-a-time", schedule_housekeeping=False)
    assert worker.run_once() == 1
    with wrt.db.session(system=True) as s:
        assert s.get(Job, other).status == "succeeded"
    assert receiver.count() == 0
    assert worker.run_once() == 1 and receiver.count() == 1


def test_a_changed_server_key_fails_the_attempt_without_sending(settings, subscribe, receiver, emit_committed,
                                                                run_jobs, rows, clock):
    subscribe(receiver.url, ["journal.approved"])
    emit_committed()
    other_key = Runtime(settings=settings, db=Database(settings.database_url), secret_key="another-key-" + "x" * 40,
                        clock=clock)
    try:
        assert run_jobs(other_key) == 1
    finally:
        other_key.db.dispose()
    d = rows.delivery()
    (a,) = rows.attempts(d.id)
    assert receiver.count() == 0 and d.status == "pending" and "rotate" in a.error
