"""The ``webhook.deliver`` job: one attempt of one delivery (idempotent, see backend.webhooks.attempts)."""
from __future__ import annotations

from backend.jobs.queue import ClaimedJob, PermanentJobError
from backend.jobs.registry import handler
from backend.webhooks.outbox import JOB_KIND


@handler(JOB_KIND)
def deliver(rt, job: ClaimedJob) -> dict:
    from backend.webhooks import attempts

    p = job.payload
    if not job.tenant_id or "delivery_id" not in p or not isinstance(p.get("attempt"), int):
        raise PermanentJobError("webhook.deliver needs a tenant, a delivery_id and an attempt number",
                                code="invalid_payload")
    return attempts.run(rt, job.tenant_id, p["delivery_id"], p["attempt"], trigger=p.get("trigger", "scheduled"),
                        single=bool(p.get("single")), request_id=job.request_id)
