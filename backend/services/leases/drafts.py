"""Lease drafts: create, list, read, patch (optimistic concurrency), validate, confirm."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from backend.db.models import Entity, Lease
from backend.jobs.queue import enqueue
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, NotFound
from backend.engine.leases.assessment import Assessment, assess_lease
from backend.services.leases.config import current_policy, load_fx, load_ibr
from backend.services.platform.pagination import Page, SortSpec, paginate
from backend.services.platform.persist import flush_unique
from backend.services.platform.tenancy import get_entity_by_code
from backend.webhooks.outbox import emit_many

# Fields of the engine input that live in Lease.data (the entity is a column, not data).
DENORMALISED = ("description", "asset_class", "currency")


def lease_view(lease: Lease, entity_code: str) -> dict:
    return {"id": lease.id, "entity": entity_code, "external_id": lease.external_id, "status": lease.status,
            "version": lease.version, "source": lease.source, "lease": lease.data, "issues": lease.issues,
            "provenance": lease.provenance, "created_at": lease.created_at, "updated_at": lease.updated_at,
            "confirmed_at": lease.confirmed_at}


def _parse_date(v: Any) -> date | None:
    try:
        return date.fromisoformat(str(v)) if v else None
    except ValueError:
        return None


def _denormalise(lease: Lease) -> None:
    d = lease.data
    lease.external_id = str(d.get("external_id") or lease.external_id)
    for f in DENORMALISED:
        setattr(lease, f, d.get(f))
    lease.commencement_date = _parse_date(d.get("commencement_date"))
    lease.end_date = _parse_date(d.get("end_date"))


class EntityLeaseRules:
    """Policy, IBR matrix and FX rates of one entity, loaded once for many leases; the rules
    themselves are the engine's (``engine.leases.assessment.assess_lease``)."""

    def __init__(self, s, entity: Entity):
        self.entity = entity
        self.policy_record = current_policy(s, entity)
        self.policy = self.policy_record.policy
        self.ibr = load_ibr(s, entity.id)
        self.fx = load_fx(s, entity.id)

    def assess(self, data: dict, *, full: bool = True) -> Assessment:
        return assess_lease({**data, "entity": self.entity.code}, self.policy, self.ibr, self.fx, full=full)


def matrix_source(assessed: Assessment) -> dict | None:
    """The rate's provenance to record on a run when the service supplied it (the IBR matrix); a
    rate on the lease or solved as the implicit rate is recorded by the engine itself."""
    src = assessed.rate_source
    return src if src and src.get("source") == "ibr_matrix" else None


def create_drafts(s, actor: Actor, now, entity: Entity, items: list[dict], *, source: str,
                  issues_by_index: dict[int, list[dict]] | None = None,
                  provenance_by_index: dict[int, dict] | None = None) -> list[Lease]:
    """Insert drafts in the caller's unit of work (all or nothing), with their assessed issues."""
    ctx = EntityLeaseRules(s, entity)
    out = []
    for i, data in enumerate(items):
        data = {k: v for k, v in data.items() if k != "entity"}
        extra = (issues_by_index or {}).get(i, [])
        found = ctx.assess(data).issues
        lease = Lease(entity_id=entity.id, external_id=str(data.get("external_id") or ""), status="draft", version=1,
                      data=data, issues=_merge_issues(extra, found), provenance=(provenance_by_index or {}).get(i, {}),
                      source=source, created_by=actor.user_id, updated_at=now)
        _denormalise(lease)
        s.add(lease)
        out.append(lease)
    flush_unique(s, None, Conflict(
        "A lease with the same external id already exists for this entity.", code="lease_exists",
        details=[{"field": "external_id", "code": "duplicate", "message": "already used in this entity"}]))
    # One chain-head bump and one executemany for the whole batch (a 10,000-row register is one import).
    audit.append_many(s, [dict(now=now, tenant_id=actor.tenant_id, kind="change", outcome="success",
                               action="leases.create", actor_user_id=actor.user_id, actor_kind=actor.actor_kind,
                               token_id=actor.token_id, request_id=actor.request_id, resource_type="lease",
                               resource_id=lease.id, details={"before": None, "channel": actor.channel,
                                                              "after": {"external_id": lease.external_id,
                                                                        "source": source}})
                          for lease in out])
    return out


def _merge_issues(extract_issues: list[dict], engine_issues: list[dict]) -> list[dict]:
    # Cell-level issues from a workbook come first; engine issues on the same field are kept as well
    # because they explain the accounting consequence.
    return list(extract_issues) + [i for i in engine_issues if i not in extract_issues]


def create_lease(rt: Runtime, actor: Actor, entity_code: str, data: dict) -> dict:
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        (lease,) = create_drafts(s, actor, rt.clock(), entity, [data], source="api")
        return lease_view(lease, entity.code)


def _get(s, lease_id: str) -> tuple[Lease, Entity]:
    lease = s.get(Lease, lease_id)
    if lease is None:
        raise NotFound(f"No lease {lease_id}.", code="lease_not_found")
    return lease, s.get(Entity, lease.entity_id)


def get_lease(rt: Runtime, actor: Actor, lease_id: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        lease, entity = _get(s, lease_id)
        return lease_view(lease, entity.code)


def list_leases(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
                entity: str | None = None, status: str | None = None, asset_class: str | None = None,
                currency: str | None = None, expires_from: date | None = None, expires_to: date | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "end_date", "commencement_date", "external_id"])
    stmt = select(Lease)
    filters = {"entity": entity, "status": status, "asset_class": asset_class, "currency": currency,
               "expires_from": expires_from, "expires_to": expires_to}
    with rt.db.session(actor.tenant_id) as s:
        if entity:
            ent = get_entity_by_code(s, entity)
            stmt = stmt.where(Lease.entity_id == ent.id)
        for name in ("status", "asset_class", "currency"):
            if filters[name] is not None:
                stmt = stmt.where(getattr(Lease, name) == filters[name])
        if expires_from:
            stmt = stmt.where(Lease.end_date >= expires_from)
        if expires_to:
            stmt = stmt.where(Lease.end_date <= expires_to)
        codes = dict(s.execute(select(Entity.id, Entity.code)).all())
        return paginate(s, stmt, Lease, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters=filters, view=lambda x: lease_view(x, codes[x.entity_id]))


def patch_lease(rt: Runtime, actor: Actor, lease_id: str, version: int, changes: dict) -> dict:
    """Merge ``changes`` into a draft; a stale ``version`` is refused so no edit is lost."""
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        lease, entity = _get(s, lease_id)
        if lease.status != "draft":
            raise Conflict(f"Lease {lease.external_id} is {lease.status}; only drafts can be edited. "
                           "Use an engine run (modification or remeasurement) to change it.", code="lease_not_draft")
        if lease.version != version:
            raise Conflict(f"Lease {lease.external_id} was changed by someone else (version {lease.version}, you sent "
                           f"{version}). Reload it and apply your change again.", code="version_conflict",
                           details={"current_version": lease.version})
        before = dict(lease.data)
        data = {**lease.data, **{k: v for k, v in changes.items() if k != "entity"}}
        lease.data = data
        lease.issues = EntityLeaseRules(s, entity).assess(data).issues
        lease.version += 1
        lease.updated_at = now
        _denormalise(lease)
        flush_unique(s, None, Conflict("Another lease of this entity has that external id.", code="lease_exists"))
        audit.record_change(s, actor, now=now, action="leases.update", resource_type="lease", resource_id=lease.id,
                            before=before, after=data)
        return lease_view(lease, entity.code)


def validate(rt: Runtime, actor: Actor, lease_id: str) -> dict:
    with rt.db.session(actor.tenant_id, write=True) as s:
        lease, entity = _get(s, lease_id)
        result = EntityLeaseRules(s, entity).assess(lease.data)
        if lease.status == "draft":
            lease.issues = result.issues
        errors = result.errors
        return {"lease_id": lease.id, "valid": not errors, "errors": errors,
                "warnings": [i for i in result.issues if i["severity"] != "error"],
                "discount_rate": None if result.discount_rate is None else str(result.discount_rate),
                "discount_rate_source": result.rate_source}


RECOGNITION_BATCH = 250  # leases per INITIAL_RECOGNITION job: one transaction each


def confirm(rt: Runtime, actor: Actor, lease_ids: list[str]) -> dict:
    """Confirm valid drafts and queue INITIAL_RECOGNITION per enabled standard; refuse the rest.

    Per-lease results: one lease with errors does not block the others. Leases are recognised in
    jobs of up to RECOGNITION_BATCH leases per entity; each job writes one INITIAL_RECOGNITION run
    per enabled standard, computing both books from one parse (a portfolio of 10,000 leases is
    40 jobs, not 20,000). Confirming a confirmed lease is a no-op that returns its jobs.
    """
    now = rt.clock()
    results: list[dict[str, Any]] = []
    with rt.db.session(actor.tenant_id, write=True) as s, s.no_autoflush:
        contexts: dict[str, EntityLeaseRules] = {}
        to_queue: dict[tuple[str, tuple[str, ...]], list[Lease]] = {}  # (entity, its books) → leases
        wanted = list(dict.fromkeys(lease_ids))
        loaded: dict[str, Lease] = {}
        for i in range(0, len(wanted), 900):  # one query per 900 ids, not one per lease
            loaded.update((x.id, x) for x in s.scalars(select(Lease).where(Lease.id.in_(wanted[i:i + 900]))))
        for lease_id in wanted:
            lease = loaded.get(lease_id)
            if lease is None:
                results.append({"lease_id": lease_id, "status": "not_found", "errors": [], "job_ids": []})
                continue
            if lease.entity_id not in contexts:
                contexts[lease.entity_id] = EntityLeaseRules(s, s.get_one(Entity, lease.entity_id))
            ctx = contexts[lease.entity_id]
            if lease.status != "draft":
                results.append({"lease_id": lease.id, "status": "already_" + lease.status, "errors": [],
                                "job_ids": list(lease.recognition_job_ids or [])})
                continue
            assessed = ctx.assess(lease.data)
            lease.issues = assessed.issues
            if assessed.errors:
                results.append({"lease_id": lease.id, "status": "refused", "errors": assessed.errors, "job_ids": []})
                continue
            lease.status, lease.confirmed_at, lease.version = "confirmed", now, lease.version + 1
            to_queue.setdefault((lease.entity_id, ctx.policy.enabled_standards), []).append(lease)
            results.append({"lease_id": lease.id, "status": "confirmed", "errors": [], "job_ids": []})
        jobs_of: dict[str, list[str]] = {}
        for (_entity_id, standards), leases in to_queue.items():
            for i in range(0, len(leases), RECOGNITION_BATCH):
                chunk = leases[i:i + RECOGNITION_BATCH]
                job = enqueue(s, kind="lease.initial_recognition", tenant_id=actor.tenant_id, now=now,
                              payload={"lease_ids": [x.id for x in chunk], "standards": list(standards),
                                       "actor_user_id": actor.user_id, "actor_kind": actor.actor_kind},
                              request_id=actor.request_id)
                job.progress_done, job.progress_total = 0, len(chunk)  # done/total from the start
                for x in chunk:
                    jobs_of.setdefault(x.id, []).append(job.id)
        for r in results:
            if r["status"] == "confirmed":
                r["job_ids"] = jobs_of.get(r["lease_id"], [])
                loaded[r["lease_id"]].recognition_job_ids = r["job_ids"]
        confirmed = [r for r in results if r["status"] == "confirmed"]
        if confirmed:
            emit_many(s, actor, tenant_id=actor.tenant_id, now=now, events=[
                ("lease.confirmed", lease_view(loaded[r["lease_id"]], contexts[loaded[r["lease_id"]].entity_id].entity.code))
                for r in confirmed])
            audit.append_many(s, [dict(now=now, tenant_id=actor.tenant_id, kind="change", outcome="success",
                                       action="leases.confirm", resource_type="lease", resource_id=r["lease_id"],
                                       actor_user_id=actor.user_id, actor_kind=actor.actor_kind,
                                       token_id=actor.token_id, request_id=actor.request_id,
                                       details={"after": {"status": "confirmed", "job_ids": r["job_ids"]},
                                                "channel": actor.channel})
                                  for r in confirmed])
    return {"results": results, "confirmed": len(confirmed),
            "refused": sum(r["status"] == "refused" for r in results),
            "job_ids": sorted({j for r in confirmed for j in r["job_ids"]})}
