"""Webhook endpoints (subscriptions), their secrets, and the deliveries: list, inspect, retry.

A secret is returned once — on create and on rotate — and stored encrypted
(``backend.webhooks.secret_box``); no view ever includes it, and it is never logged or audited.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, select

from backend.db.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from backend.jobs.queue import enqueue
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput, NotFound
from backend.services.platform.pagination import Page, SortSpec, paginate
from backend.webhooks import secret_box, signing
from backend.webhooks.catalogue import EVENT_TYPES  # noqa: F401  (the catalogue the doors show)
from backend.webhooks.delivery import UnsafeUrl, check_url
from backend.webhooks.outbox import JOB_KIND, JOB_MAX_ATTEMPTS, JOB_PRIORITY

DEFAULT_ROTATION_HOURS = 24
MAX_ROTATION_HOURS = 7 * 24


# ---------------------------------------------------------------- endpoints

def endpoint_view(ep: WebhookEndpoint) -> dict:
    return {"id": ep.id, "url": ep.url, "description": ep.description, "event_types": list(ep.event_types or []),
            "enabled": ep.enabled, "disabled_reason": ep.disabled_reason, "disabled_at": ep.disabled_at,
            "previous_secret_expires_at": ep.previous_secret_expires_at, "created_at": ep.created_at,
            "updated_at": ep.updated_at, "deleted_at": ep.deleted_at}


def _invalid(field: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, details=[{"field": field, "code": code, "message": message}])


def _check_url(rt: Runtime, url: str) -> str:
    try:
        check_url(url, rt.settings.webhook_allow_loopback)
    except UnsafeUrl as exc:
        raise _invalid("url", "unsafe_url", str(exc)) from None
    return url


def _check_types(types: list[str]) -> list[str]:
    unknown = sorted(set(types) - set(EVENT_TYPES))
    if unknown:
        raise _invalid("event_types", "unknown_event_type", f"Unknown event types: {', '.join(unknown)}.")
    if not types:
        raise _invalid("event_types", "required", "Subscribe to at least one event type.")
    return sorted(set(types))


def _get_endpoint(s, actor: Actor, endpoint_id: str, *, include_deleted: bool = False) -> WebhookEndpoint:
    ep = s.get(WebhookEndpoint, endpoint_id)
    # s.get can answer from the identity map, past the tenant criteria: check the tenant too.
    if ep is None or ep.tenant_id != actor.tenant_id or (ep.deleted_at is not None and not include_deleted):
        raise NotFound(f"No webhook endpoint {endpoint_id}.", code="webhook_endpoint_not_found")
    return ep


def create_endpoint(rt: Runtime, actor: Actor, *, url: str, event_types: list[str], description: str | None = None,
                    enabled: bool = True) -> dict:
    now = rt.clock()
    secret = signing.generate_secret()
    with rt.db.session(actor.tenant_id, write=True) as s:
        ep = WebhookEndpoint(tenant_id=actor.tenant_id, url=_check_url(rt, url), description=description,
                             event_types=_check_types(event_types), enabled=enabled,
                             disabled_reason=None if enabled else "Disabled by a user.",
                             disabled_at=None if enabled else now, created_at=now, updated_at=now,
                             secret_encrypted=secret_box.encrypt(secret, rt.secret_key))
        s.add(ep)
        s.flush()
        audit.record_change(s, actor, now=now, action="webhooks.endpoint_create", resource_type="webhook_endpoint",
                            resource_id=ep.id, after=endpoint_view(ep))
        return {**endpoint_view(ep), "secret": secret}


def get_endpoint(rt: Runtime, actor: Actor, endpoint_id: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        return endpoint_view(_get_endpoint(s, actor, endpoint_id))


def list_endpoints(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
                   enabled: bool | None = None, event_type: str | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "updated_at"])
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.deleted_at.is_(None))
    if enabled is not None:
        stmt = stmt.where(WebhookEndpoint.enabled.is_(enabled))
    if event_type is not None:
        # The JSON list as text contains the quoted name on both dialects (names have no LIKE wildcards).
        stmt = stmt.where(cast(WebhookEndpoint.event_types, String).like(f'%"{event_type}"%'))
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, stmt, WebhookEndpoint, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"enabled": enabled, "event_type": event_type}, view=endpoint_view)


def update_endpoint(rt: Runtime, actor: Actor, endpoint_id: str, changes: dict) -> dict:
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        ep = _get_endpoint(s, actor, endpoint_id)
        before = endpoint_view(ep)
        if changes.get("url") is not None:
            ep.url = _check_url(rt, changes["url"])
        if changes.get("event_types") is not None:
            ep.event_types = _check_types(changes["event_types"])
        if "description" in changes:
            ep.description = changes["description"]
        if changes.get("enabled") is True and not ep.enabled:
            ep.enabled, ep.disabled_reason, ep.disabled_at = True, None, None
        elif changes.get("enabled") is False and ep.enabled:
            ep.enabled, ep.disabled_reason, ep.disabled_at = False, "Disabled by a user.", now
        ep.updated_at = now
        s.flush()
        audit.record_change(s, actor, now=now, action="webhooks.endpoint_update", resource_type="webhook_endpoint",
                            resource_id=ep.id, before=before, after=endpoint_view(ep))
        return endpoint_view(ep)


def delete_endpoint(rt: Runtime, actor: Actor, endpoint_id: str) -> dict:
    """Soft delete: no more deliveries (pending ones fail when their attempt comes), history kept."""
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        ep = _get_endpoint(s, actor, endpoint_id)
        before = endpoint_view(ep)
        ep.deleted_at = ep.updated_at = now
        ep.enabled, ep.disabled_reason, ep.disabled_at = False, "Deleted.", now
        s.flush()
        audit.record_change(s, actor, now=now, action="webhooks.endpoint_delete", resource_type="webhook_endpoint",
                            resource_id=ep.id, before=before, after=endpoint_view(ep))
        return endpoint_view(ep)


def rotate_secret(rt: Runtime, actor: Actor, endpoint_id: str, *, previous_valid_hours: int = DEFAULT_ROTATION_HOURS
                  ) -> dict:
    """A new secret, returned once; the previous one keeps signing alongside it for
    ``previous_valid_hours`` (0 = revoke it now) so receivers can switch without a gap."""
    if not 0 <= previous_valid_hours <= MAX_ROTATION_HOURS:
        raise _invalid("previous_valid_hours", "out_of_range", f"Between 0 and {MAX_ROTATION_HOURS} hours.")
    now = rt.clock()
    secret = signing.generate_secret()
    with rt.db.session(actor.tenant_id, write=True) as s:
        ep = _get_endpoint(s, actor, endpoint_id)
        if previous_valid_hours:
            ep.previous_secret_encrypted = ep.secret_encrypted
            ep.previous_secret_expires_at = now + timedelta(hours=previous_valid_hours)
        else:
            ep.previous_secret_encrypted = ep.previous_secret_expires_at = None
        ep.secret_encrypted = secret_box.encrypt(secret, rt.secret_key)
        ep.updated_at = now
        s.flush()
        audit.record_change(s, actor, now=now, action="webhooks.secret_rotate", resource_type="webhook_endpoint",
                            resource_id=ep.id, after={"previous_secret_expires_at": ep.previous_secret_expires_at})
        return {**endpoint_view(ep), "secret": secret}


# ---------------------------------------------------------------- deliveries

def delivery_view(d: WebhookDelivery) -> dict:
    return {"id": d.id, "event_id": d.event_id, "event_type": d.event_type, "endpoint_id": d.endpoint_id,
            "status": d.status, "attempts": d.attempts, "first_attempt_at": d.first_attempt_at,
            "next_attempt_at": d.next_attempt_at, "last_attempt_at": d.last_attempt_at,
            "last_status_code": d.last_status_code, "last_error": d.last_error, "delivered_at": d.delivered_at,
            "created_at": d.created_at, "updated_at": d.updated_at}


def attempt_view(a: WebhookAttempt) -> dict:
    return {"attempt": a.attempt_no, "trigger": a.trigger, "attempted_at": a.attempted_at,
            "status_code": a.status_code, "latency_ms": a.latency_ms, "error": a.error,
            "response_excerpt": a.response_excerpt}


def list_deliveries(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
                    endpoint_id: str | None = None, event_id: str | None = None, event_type: str | None = None,
                    status: str | None = None, created_from: datetime | None = None,
                    created_to: datetime | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "updated_at"])
    stmt = select(WebhookDelivery)
    filters = {"endpoint_id": endpoint_id, "event_id": event_id, "event_type": event_type, "status": status,
               "created_from": created_from, "created_to": created_to}
    for column, value in ((WebhookDelivery.endpoint_id, endpoint_id), (WebhookDelivery.event_id, event_id),
                          (WebhookDelivery.event_type, event_type), (WebhookDelivery.status, status)):
        if value is not None:
            stmt = stmt.where(column == value)
    if created_from is not None:
        stmt = stmt.where(WebhookDelivery.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(WebhookDelivery.created_at < created_to)
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, stmt, WebhookDelivery, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters=filters, view=delivery_view)


def _get_delivery(s, actor: Actor, delivery_id: str) -> WebhookDelivery:
    d = s.get(WebhookDelivery, delivery_id)
    if d is None or d.tenant_id != actor.tenant_id:
        raise NotFound(f"No webhook delivery {delivery_id}.", code="webhook_delivery_not_found")
    return d


def get_delivery(rt: Runtime, actor: Actor, delivery_id: str) -> dict:
    """The delivery, every attempt, and the payload that is sent."""
    with rt.db.session(actor.tenant_id) as s:
        d = _get_delivery(s, actor, delivery_id)
        rows = s.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == d.id)
                         .order_by(WebhookAttempt.attempt_no)).all()
        event = s.get_one(WebhookEvent, d.event_id)  # the delivery's event (a foreign key)
        return {**delivery_view(d), "attempt_log": [attempt_view(a) for a in rows], "payload": event.payload}


def retry_delivery(rt: Runtime, actor: Actor, delivery_id: str) -> dict:
    """Send now. A failed delivery gets one more attempt (not a new schedule); a pending one has
    its next attempt brought forward (the scheduled job then finds it recorded and does nothing).
    A delivered one is not sent again."""
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        d = _get_delivery(s, actor, delivery_id)
        if d.status == "delivered":
            raise Conflict("This delivery was already delivered; it is not sent twice.", code="already_delivered")
        ep = s.get_one(WebhookEndpoint, d.endpoint_id)  # the delivery's endpoint (a foreign key; deletion is soft)
        if ep.deleted_at is not None or not ep.enabled:
            raise Conflict("The endpoint is disabled or deleted; enable it before retrying.",
                           code="webhook_endpoint_disabled", details={"endpoint_id": ep.id})
        before = delivery_view(d)
        revived = d.status == "failed"
        d.status, d.next_attempt_at, d.updated_at = "pending", now, now
        s.flush()
        enqueue(s, kind=JOB_KIND, payload={"delivery_id": d.id, "attempt": d.attempts + 1, "trigger": "manual",
                                           "single": revived},
                now=now, tenant_id=actor.tenant_id, run_at=now, priority=JOB_PRIORITY, max_attempts=JOB_MAX_ATTEMPTS,
                request_id=actor.request_id)
        audit.record_change(s, actor, now=now, action="webhooks.delivery_retry", resource_type="webhook_delivery",
                            resource_id=d.id, before=before, after=delivery_view(d))
        return delivery_view(d)
