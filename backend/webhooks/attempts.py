"""One delivery attempt, run by the ``webhook.deliver`` job: read, send, record, schedule the next.

Each attempt is its own job whose ``run_at`` is the attempt's scheduled time (the queue's own
retry/backoff only covers a worker crash or a database error). The job names the attempt number
it is for; recording it is a compare-and-set on ``attempts = n - 1 AND status = 'pending'``, so
a duplicate job (crash re-run, or a manual retry racing the scheduled one) records nothing and
queues nothing, and a delivered delivery is never sent again. The HTTP request runs outside any
database transaction: a slow receiver must not hold SQLite's write lock.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from backend.db.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from backend.jobs.queue import enqueue
from backend.services.platform import audit_chain as audit
from backend.webhooks import delivery, schedule, signing
from backend.webhooks.outbox import JOB_KIND, JOB_MAX_ATTEMPTS, JOB_PRIORITY
from backend.webhooks.secret_box import SecretUnreadable, decrypt


@dataclass
class _Prepared:
    url: str
    allow_loopback: bool
    event_id: str
    body: bytes
    secrets: list[str] | None  # None: unreadable under this server key
    first_attempt_at: datetime | None


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signing_secrets(rt, ep: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, plus the previous one while its rotation grace period lasts."""
    out = [decrypt(ep.secret_encrypted, rt.secret_key)]
    if ep.previous_secret_encrypted and ep.previous_secret_expires_at and ep.previous_secret_expires_at > now:
        out.append(decrypt(ep.previous_secret_encrypted, rt.secret_key))
    return out


def _cas(delivery_id: str, attempt: int):
    return update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                                         WebhookDelivery.attempts == attempt - 1)


def run(rt, tenant_id: str, delivery_id: str, attempt: int, *, trigger: str = "scheduled", single: bool = False,
        request_id: str | None = None) -> dict:
    """Attempt ``attempt`` of the delivery. ``single``: a manual retry of a failed delivery — one
    attempt, and failed again if it fails (the schedule is not restarted)."""
    now = rt.clock()
    result = {"delivery_id": delivery_id, "attempt": attempt}
    with rt.db.session(tenant_id) as s:
        d = s.get(WebhookDelivery, delivery_id)
        if d is None or d.tenant_id != tenant_id:
            return {**result, "skipped": "delivery_not_found"}  # e.g. removed by a sandbox reset
        if d.status != "pending" or d.attempts != attempt - 1:
            return {**result, "skipped": "already_recorded", "status": d.status}
        ep = s.get(WebhookEndpoint, d.endpoint_id)
        stopped = "endpoint deleted" if ep.deleted_at is not None else None if ep.enabled else "endpoint disabled"
        if not stopped:
            ev = s.get(WebhookEvent, d.event_id)
            try:
                secrets = signing_secrets(rt, ep, now)
            except SecretUnreadable:
                secrets = None
            prep = _Prepared(ep.url, rt.settings.webhook_allow_loopback, ev.id, body_bytes(ev.payload), secrets,
                             d.first_attempt_at)
    if stopped:
        return _give_up(rt, tenant_id, delivery_id, attempt, stopped, now, result)
    if prep.secrets is None:
        outcome = delivery.Outcome(None, 0, "the signing secret cannot be decrypted with this server's key; "
                                            "rotate the endpoint's secret")
    else:
        headers = signing.headers(prep.secrets, prep.event_id, int(now.timestamp()), prep.body)
        outcome = delivery.post(prep.url, prep.body, headers, allow_loopback=prep.allow_loopback)
    return _record(rt, tenant_id, delivery_id, attempt, trigger, single, now, prep, outcome, request_id, result)


def _give_up(rt, tenant_id, delivery_id, attempt, reason, now, result) -> dict:
    with rt.db.session(tenant_id, write=True) as s:
        done = s.execute(_cas(delivery_id, attempt).values(
            status="failed", next_attempt_at=None, last_error=reason, updated_at=now)
            .returning(WebhookDelivery.id)).first()
    return {**result, "status": "failed" if done else "unchanged", "reason": reason}


def _record(rt, tenant_id, delivery_id, attempt, trigger, single, now, prep: _Prepared, outcome: delivery.Outcome,
            request_id, result) -> dict:
    first = prep.first_attempt_at or now
    gone = outcome.status_code == 410
    next_at = None
    if outcome.delivered:
        status = "delivered"
    elif gone or single or attempt >= schedule.MAX_ATTEMPTS:
        status = "failed"
    else:
        status = "pending"
        next_at = schedule.next_attempt_at(first, delivery_id, attempt + 1, now)
    with rt.db.session(tenant_id, write=True) as s:
        won = s.execute(_cas(delivery_id, attempt).values(
            attempts=attempt, status=status, first_attempt_at=first, last_attempt_at=now, next_attempt_at=next_at,
            last_status_code=outcome.status_code, last_error=outcome.error,
            delivered_at=now if outcome.delivered else None, updated_at=now).returning(WebhookDelivery.id)).first()
        if won is None:
            return {**result, "skipped": "already_recorded"}
        s.add(WebhookAttempt(tenant_id=tenant_id, delivery_id=delivery_id, attempt_no=attempt, trigger=trigger,
                             attempted_at=now, status_code=outcome.status_code, latency_ms=outcome.latency_ms,
                             error=outcome.error, response_excerpt=None))  # never stored (delivery.py)
        if gone:
            _disable_gone(s, tenant_id, delivery_id, now)
        if next_at is not None:
            enqueue(s, kind=JOB_KIND, payload={"delivery_id": delivery_id, "attempt": attempt + 1}, now=now,
                    tenant_id=tenant_id, run_at=next_at, priority=JOB_PRIORITY, max_attempts=JOB_MAX_ATTEMPTS,
                    request_id=request_id)
    return {**result, "status": status, "status_code": outcome.status_code,
            "next_attempt_at": next_at.isoformat() if next_at else None}


def _disable_gone(s, tenant_id: str, delivery_id: str, now: datetime) -> None:
    """``410 Gone``: the receiver says the endpoint no longer exists — stop sending to it."""
    endpoint_id = s.get(WebhookDelivery, delivery_id).endpoint_id
    changed = s.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id,
                                                      WebhookEndpoint.enabled.is_(True)).values(
        enabled=False, disabled_reason="The receiver answered 410 Gone.", disabled_at=now, updated_at=now)
        .returning(WebhookEndpoint.id)).first()
    if changed:
        audit.append(s, now=now, tenant_id=tenant_id, kind="change", outcome="success",
                     action="webhooks.endpoint_disabled", resource_type="webhook_endpoint", resource_id=endpoint_id,
                     actor_kind="system", details={"reason": "410 Gone", "delivery_id": delivery_id})
