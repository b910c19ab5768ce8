"""Failed lease runs a user can see and retry (#14): the dead-letter list and recalculate.

A confirmed lease whose recognition (or a later event run) fails keeps its failure on the lease —
the engine rule, message, field and the hash of the inputs it failed on — until a later run of the
same lease succeeds. ``GET /v1/engine/dlq`` lists them; ``POST /v1/leases/{id}/recalculate`` queues
the recognition again once the input or configuration is fixed (idempotent: books that already have
a run are skipped, and a lease with nothing to redo answers so instead of queueing).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from backend.db.models import Entity, Lease, LeaseRun
from backend.engine.leases.fingerprint import inputs_hash
from backend.jobs.queue import enqueue
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, NotFound
from backend.services.platform.pagination import Page, SortSpec, paginate


def failure(lease: Lease, rules, standards, code: str, message: str, field: str | None,
            run_type: str = "INITIAL_RECOGNITION") -> dict:
    """One failed lease as a job reports it and the dead-letter list keeps it."""
    return {"lease_id": lease.id, "code": code, "message": message, "field": field, "run_type": run_type,
            "standards": list(standards),
            "inputs_hash": inputs_hash({"lease": lease.data, "policy": rules.policy, "standards": list(standards)})}


def record_outcomes(s, succeeded: set[str], failed: list[dict], *, job_id: str | None, now: datetime) -> None:
    """In the run's write transaction: clear the failure of leases that now have their runs, keep
    the failure (with its job and time) on those that do not."""
    ids = succeeded | {f["lease_id"] for f in failed}
    if not ids:
        return
    leases = {x.id: x for x in s.scalars(select(Lease).where(Lease.id.in_(ids)))}
    for lease_id in succeeded:
        if leases[lease_id].recognition_failure is not None:
            leases[lease_id].recognition_failure = None
    for f in failed:
        lease = leases.get(f["lease_id"])
        if lease is not None and lease.status != "draft":
            lease.recognition_failure = {**{k: v for k, v in f.items() if k != "lease_id"}, "job_id": job_id,
                                         "failed_at": now.isoformat()}


def dlq_view(lease: Lease, entity_code: str) -> dict:
    return {"lease_id": lease.id, "entity": entity_code, "external_id": lease.external_id, "status": lease.status,
            "failure": lease.recognition_failure, "created_at": lease.created_at}


def list_dlq(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
             entity: str | None = None, code: str | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at"])
    stmt = select(Lease).where(Lease.recognition_failure.is_not(None))
    with rt.db.session(actor.tenant_id) as s:
        codes = {e.id: e.code for e in s.scalars(select(Entity))}
        if entity:
            stmt = stmt.where(Lease.entity_id.in_([i for i, c in codes.items() if c == entity] or ["-"]))
        if code:
            # The failure is JSON: filter in Python over this tenant's failed leases (a short list by nature).
            ids = [x.id for x in s.scalars(stmt) if (x.recognition_failure or {}).get("code") == code]
            stmt = stmt.where(Lease.id.in_(ids or ["-"]))
        return paginate(s, stmt, Lease, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"entity": entity, "code": code}, view=lambda x: dlq_view(x, codes[x.entity_id]))


def recalculate(rt: Runtime, actor: Actor, lease_id: str) -> dict:
    """Queue recognition again for the books a confirmed lease has no run for (after a fix)."""
    from backend.services.leases.drafts import EntityLeaseRules  # noqa: PLC0415  (drafts imports runs → us)

    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        lease = s.get(Lease, lease_id)
        if lease is None or lease.tenant_id != actor.tenant_id:
            raise NotFound(f"No lease {lease_id}.", code="lease_not_found")
        if lease.status != "confirmed":
            raise Conflict(f"Lease {lease.external_id} is {lease.status}; only confirmed leases are recalculated.",
                           code="lease_not_confirmed", details={"status": lease.status})
        rules = EntityLeaseRules(s, s.get_one(Entity, lease.entity_id))
        have = set(s.scalars(select(LeaseRun.standard).where(LeaseRun.lease_id == lease.id)))
        todo = [std for std in rules.policy.enabled_standards if std not in have]
        if not todo:
            return {"lease_id": lease.id, "status": "up_to_date", "job_id": None,
                    "message": "Every enabled book has a run; record changes with POST /v1/engine/run."}
        job = enqueue(s, kind="lease.initial_recognition", tenant_id=actor.tenant_id, now=now,
                      payload={"lease_ids": [lease.id], "standards": todo, "actor_user_id": actor.user_id,
                               "actor_kind": actor.actor_kind}, request_id=actor.request_id)
        lease.recognition_job_ids = [*(lease.recognition_job_ids or []), job.id]
        audit.record_change(s, actor, now=now, action="leases.recalculate", resource_type="lease",
                            resource_id=lease.id, before={"failure": lease.recognition_failure},
                            after={"job_id": job.id, "standards": todo})
        return {"lease_id": lease.id, "status": "queued", "job_id": job.id, "standards": todo}
