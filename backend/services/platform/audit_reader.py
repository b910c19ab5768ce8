"""Reading the audit trail: filtered, paginated listing and chain verification for a tenant."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from backend.db.models import AuditEvent
from backend.services.platform.audit_chain import verify_chain
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.pagination import Page, SortSpec, paginate


def event_view(e: AuditEvent) -> dict:
    return {k: getattr(e, k) for k in (
        "id", "seq", "created_at", "kind", "action", "outcome", "actor_user_id", "actor_kind", "token_id",
        "request_id", "method", "route", "status", "resource_type", "resource_id", "details", "prev_hash", "hash")}


def list_events(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
                kind: str | None = None, outcome: str | None = None, action: str | None = None,
                actor_user_id: str | None = None, request_id: str | None = None, resource_id: str | None = None,
                created_from: datetime | None = None, created_to: datetime | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "seq"])
    stmt = select(AuditEvent).where(AuditEvent.chain_key == actor.tenant_id)
    filters = {"kind": kind, "outcome": outcome, "action": action, "actor_user_id": actor_user_id,
               "request_id": request_id, "resource_id": resource_id,
               "created_from": created_from, "created_to": created_to}
    for name in ("kind", "outcome", "action", "actor_user_id", "request_id", "resource_id"):
        if filters[name] is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == filters[name])
    if created_from:
        stmt = stmt.where(AuditEvent.created_at >= created_from)
    if created_to:
        stmt = stmt.where(AuditEvent.created_at < created_to)
    rt.flush_audit()
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, stmt, AuditEvent, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters=filters, view=event_view)


def verify(rt: Runtime, actor: Actor) -> dict:
    rt.flush_audit()
    with rt.db.session(actor.tenant_id) as s:
        report = verify_chain(s, actor.tenant_id)
    return {"ok": report.ok, "checked": report.checked, "first_broken": report.first_broken}
