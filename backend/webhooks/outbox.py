"""The transactional outbox: ``emit`` is the one function domain services call (``emit_many``
for a batch).

It inserts the event row, one delivery per enabled endpoint subscribed to the type, and one
``webhook.deliver`` job per delivery — all in the caller's session, so they commit with the
domain change or vanish with its rollback. Nothing is sent here; the job worker sends.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.ids import new_id
from backend.db.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from backend.jobs.queue import enqueue
from backend.webhooks.catalogue import is_known

JOB_KIND = "webhook.deliver"
# The queue's own retries only cover a crashed worker or a database error during an attempt;
# the HTTP retry schedule is ours (one job per attempt, see backend.jobs.webhook_tasks).
JOB_MAX_ATTEMPTS = 3
# After engine runs and closes (priority 100): a backlog of deliveries to a slow receiver must
# not hold up accounting work that shares the worker.
JOB_PRIORITY = 200


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # money and rates travel as strings, as in the API
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _actor_json(actor: Any) -> dict | None:
    if actor is None:
        return None
    if isinstance(actor, dict):
        return {"user_id": actor.get("user_id"), "actor_kind": actor.get("actor_kind"),
                "channel": actor.get("channel")}
    return {"user_id": actor.user_id, "actor_kind": actor.actor_kind, "channel": actor.channel}


def wants(session: Session, tenant_id: str, event_type: str) -> bool:
    """Whether any enabled endpoint of the tenant subscribes to ``event_type`` (lets a bulk writer
    skip building the payloads of high-volume events nobody listens to)."""
    rows = session.execute(select(WebhookEndpoint.event_types).where(
        WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.enabled.is_(True),
        WebhookEndpoint.deleted_at.is_(None))).scalars()
    return any(event_type in (types or []) for types in rows)


def emit(session: Session, actor: Any, *, tenant_id: str, event_type: str, data: dict, now: datetime,
         request_id: str | None = None) -> str:
    """Record ``event_type`` with ``data`` (the resource as the API returns it) and queue its
    deliveries in the caller's transaction; returns the event id.

    ``actor`` is the acting ``Actor``, a dict with ``user_id``/``actor_kind`` (jobs), or None
    (the system). ``request_id`` defaults to the actor's.
    """
    return emit_many(session, actor, tenant_id=tenant_id, events=[(event_type, data)], now=now,
                     request_id=request_id)[0]


def emit_many(session: Session, actor: Any, *, tenant_id: str, events: list[tuple[str, dict]], now: datetime,
              request_id: str | None = None, skip_unsubscribed: bool = False) -> list[str]:
    """``emit`` for a batch (e.g. the journals a close writes): one endpoint lookup for all of
    them; the event ids in order. ``skip_unsubscribed`` drops events no enabled endpoint wants
    (for high-volume types such as ``journal.created`` at a portfolio close)."""
    unknown = sorted({t for t, _ in events if not is_known(t)})
    if unknown:
        raise ValueError(f"unknown webhook event types {unknown}")
    scoped = session.info.get("tenant_id")
    if scoped is not None and scoped != tenant_id:
        raise ValueError("emit: the session belongs to another tenant")
    if not events:
        return []
    if request_id is None and actor is not None and not isinstance(actor, dict):
        request_id = actor.request_id
    who = _actor_json(actor)
    endpoints = session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
            WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None)).order_by(WebhookEndpoint.id)).all()
    if skip_unsubscribed:
        wanted = {t for _, types in endpoints for t in (types or [])}
        events = [(t, d) for t, d in events if t in wanted]
    rows, deliveries = [], []
    for event_type, data in events:
        event_id = new_id()
        payload = {"event_id": event_id, "event_type": event_type, "timestamp": now.isoformat(), "actor": who,
                   "request_id": request_id, "data": json.loads(json.dumps(data, default=_json_default))}
        rows.append(WebhookEvent(id=event_id, tenant_id=tenant_id, created_at=now, event_type=event_type,
                                 payload=payload, request_id=request_id))
        deliveries += [WebhookDelivery(id=new_id(), tenant_id=tenant_id, created_at=now, updated_at=now,
                                       event_id=event_id, endpoint_id=ep_id, event_type=event_type,
                                       status="pending", attempts=0, next_attempt_at=now)
                       for ep_id, types in endpoints if event_type in (types or [])]
    session.add_all(rows)
    session.flush()  # events before the deliveries that reference them
    session.add_all(deliveries)
    session.flush()  # and deliveries before the jobs that name them
    for d in deliveries:
        enqueue(session, kind=JOB_KIND, payload={"delivery_id": d.id, "attempt": 1}, now=now, tenant_id=tenant_id,
                run_at=now, priority=JOB_PRIORITY, max_attempts=JOB_MAX_ATTEMPTS, request_id=request_id)
    return [r.id for r in rows]
