"""What needs a person's attention: one read across drafts, jobs, journals and webhooks.

Each section lists items with the id to act on and the reason. Failed webhook deliveries are
shown only to callers the permission matrix lets read webhooks (``webhooks.read``); others see
that the section was withheld, not an empty list.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from backend.auth.permissions import allowed
from backend.db.models import Entity, JournalEntry, Job, Lease, WebhookDelivery
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.draft_triage import DraftTriage
from backend.services.platform.errors import InvalidInput
from backend.services.platform.tenancy import get_entity_by_code

GAP_CODES = frozenset({"fx_rate_missing", "discount_rate_missing"})
MAX_ITEMS = 100


def needs_attention(rt: Runtime, actor: Actor, *, entity: str | None = None, older_than_days: int = 7,
                    expiring_within_days: int = 90, limit: int = 50) -> dict:
    if not 0 <= older_than_days <= 3650 or not 0 <= expiring_within_days <= 3650 or not 1 <= limit <= MAX_ITEMS:
        raise InvalidInput(f"older_than_days and expiring_within_days must be 0–3650 and limit 1–{MAX_ITEMS}.",
                           code="invalid_attention_window")
    now = rt.clock()
    today = now.date()
    stale_before = now - timedelta(days=older_than_days)
    with rt.db.session(actor.tenant_id) as s:
        ent = get_entity_by_code(s, entity) if entity else None
        codes = dict(s.execute(select(Entity.id, Entity.code)).all())
        lease_q = select(Lease)
        if ent is not None:
            lease_q = lease_q.where(Lease.entity_id == ent.id)
        drafts, gaps = DraftTriage(stale_before), []
        for lease in s.scalars(lease_q.where(Lease.status == "draft").order_by(Lease.created_at)):
            item = {"lease_id": lease.id, "entity": codes[lease.entity_id], "external_id": lease.external_id}
            missing = sorted(GAP_CODES.intersection(drafts.add(item, lease.issues, lease.created_at)))
            if missing:
                gaps.append({**item, "missing": missing})
        expiring = [{"lease_id": x.id, "entity": codes[x.entity_id], "external_id": x.external_id,
                     "end_date": x.end_date}
                    for x in s.scalars(lease_q.where(Lease.status == "confirmed", Lease.end_date >= today,
                                                     Lease.end_date <= today + timedelta(days=expiring_within_days))
                                       .order_by(Lease.end_date).limit(limit))]
        je_q = (select(JournalEntry.entity_id, JournalEntry.standard, JournalEntry.period, func.count(),
                       func.min(JournalEntry.created_at))
                .where(JournalEntry.status == "draft", JournalEntry.created_at <= stale_before)
                .group_by(JournalEntry.entity_id, JournalEntry.standard, JournalEntry.period)
                .order_by(JournalEntry.period))
        if ent is not None:
            je_q = je_q.where(JournalEntry.entity_id == ent.id)
        unapproved = [{"entity": codes.get(e, e), "standard": std, "period": p, "draft_entries": int(n),
                       "oldest_created_at": oldest} for e, std, p, n, oldest in s.execute(je_q)]
        recognition_failed = [{"lease_id": x.id, "entity": codes[x.entity_id], "external_id": x.external_id,
                   "code": (x.recognition_failure or {}).get("code"),
                   "message": (x.recognition_failure or {}).get("message")}
                  for x in s.scalars(lease_q.where(Lease.recognition_failure.is_not(None))
                                     .order_by(Lease.created_at).limit(limit))]
        # The job table is not tenant-scoped by the ORM (the worker claims across tenants): name the tenant.
        dead = [{"job_id": j.id, "kind": j.kind, "error_code": j.error_code, "error_message": j.error_message,
                 "attempts": j.attempts, "finished_at": j.finished_at}
                for j in s.scalars(select(Job).where(Job.tenant_id == actor.tenant_id, Job.status == "dead")
                                   .order_by(Job.finished_at.desc()).limit(limit))]
        webhooks: dict
        if allowed("webhooks.read", actor.role):
            failed = s.scalars(select(WebhookDelivery).where(WebhookDelivery.status == "failed")
                               .order_by(WebhookDelivery.last_attempt_at.desc()).limit(limit)).all()
            webhooks = {"visible": True, "items": [
                {"delivery_id": d.id, "event_id": d.event_id, "endpoint_id": d.endpoint_id,
                 "event_type": d.event_type, "attempts": d.attempts, "last_status_code": d.last_status_code,
                 "last_error": d.last_error, "last_attempt_at": d.last_attempt_at} for d in failed]}
        else:
            webhooks = {"visible": False, "items": [],
                        "reason": f"Webhook deliveries need the webhooks.read permission ({actor.role} lacks it)."}
    sections: dict[str, Any] = {
        "drafts_with_errors": drafts.with_errors[:limit], "drafts_with_warnings": drafts.with_warnings[:limit],
        "missing_rates": gaps[:limit], "unconfirmed_leases": drafts.unconfirmed[:limit], "expiring_leases": expiring,
        "lease_recognition_failures": recognition_failed,
        "unapproved_journals": unapproved[:limit], "dead_letter_jobs": dead, "failed_webhooks": webhooks,
    }
    counts = {k: len(v["items"]) if isinstance(v, dict) else len(v) for k, v in sections.items()}
    return {"as_of": now, "entity": entity, "older_than_days": older_than_days,
            "expiring_within_days": expiring_within_days, "counts": counts,
            "total": sum(counts.values()), **sections}
