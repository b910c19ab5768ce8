"""Lease events as engine runs: modification, remeasurement, termination, catch-up.

Each event is validated and computed at request time (so a bad event is refused at once with
the rule it breaks, and ``dry_run`` can preview it), then applied by a job that writes a new
immutable run per book: ``base_run_id``/``supersedes_run_id`` point at the version it replaces,
the event's lineage is kept on the run, and the whole history is replayed from the original
lease input plus the ordered events — the engine is deterministic, so every version can be
rebuilt and compared.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update

from backend.db.dialect import lock_rows
from backend.db.ids import new_id
from backend.db.models import Entity, JournalEntry, Lease, LeaseRun, LeaseRunSchedule
from backend.engine.errors import InvalidLeaseInput
from backend.engine.leases import LeaseTerms, apply_events, parse_event
from backend.engine.leases.assessment import Assessment
from backend.jobs.queue import PermanentJobError, enqueue
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput, NotFound
from backend.services.ledger.writer import Provenance, write_entries_many
from backend.services.leases.drafts import EntityLeaseRules, matrix_source, create_drafts, lease_view
from backend.services.leases.run_reads import run_view
from backend.services.leases.runs import NewRun, load_schedule, persist_runs, route_lease_entries
from backend.webhooks.outbox import emit_many
from backend.services.ledger.locks import load_locks

EVENT_RUN_TYPES = ("MODIFICATION", "REMEASUREMENT", "TERMINATION", "CATCH_UP")


def _parse(run_type: str, effective_date: Any, changes: dict | None):
    try:
        return parse_event(run_type, effective_date, changes or {})
    except InvalidLeaseInput as exc:
        raise InvalidInput("The engine run request has invalid fields.", code="invalid_engine_run",
                           details=exc.errors) from None


def _history(s, lease_id: str, standard: str) -> tuple[LeaseRun, list[dict]]:
    """The current run and the ordered event lineage that produced it."""
    runs = s.scalars(select(LeaseRun).where(LeaseRun.lease_id == lease_id, LeaseRun.standard == standard)
                     .order_by(LeaseRun.created_at, LeaseRun.id)).all()
    current = next((r for r in runs if r.is_current), None)
    if current is None:
        raise Conflict(f"The lease has no {standard} schedule yet; confirm it and let recognition finish first.",
                       code="no_schedule")
    events = [r.summary["event"] for r in runs if r.summary.get("event") and r.run_type != "CATCH_UP"]
    return current, events


def _assessed(ctx: EntityLeaseRules, lease: Lease) -> tuple[Assessment, LeaseTerms]:
    """The lease's current assessment and its terms; Conflict when its input no longer computes."""
    assessed = ctx.assess(lease.data, full=False)
    if assessed.errors or assessed.terms is None:
        e = assessed.errors[0]
        raise Conflict(f"The lease input no longer computes: {e['field']}: {e['message']}", code=e["code"])
    return assessed, assessed.terms


def _replay(ctx: EntityLeaseRules, lease: Lease, standard: str, lineage: list[dict]):
    assessed, terms = _assessed(ctx, lease)
    events = [parse_event(x["run_type"], x["effective_date"], x["changes"]) for x in lineage]
    return apply_events(terms, ctx.policy, standard, events, discount_rate=assessed.discount_rate,
                        fx_rates=ctx.fx, lease_id=lease.id, discount_rate_source=matrix_source(assessed))


def _books(ctx: EntityLeaseRules, standards: list[str] | None) -> list[str]:
    stds = standards or list(ctx.policy.enabled_standards)
    bad = [x for x in stds if x not in ctx.policy.enabled_standards]
    if bad:
        raise InvalidInput(f"Standard(s) {', '.join(bad)} are not enabled for this entity.", code="standard_not_enabled",
                           details=[{"field": "standards", "code": "not_enabled", "message": ", ".join(bad)}])
    return stds


def request_run(rt: Runtime, actor: Actor, *, lease_id: str, run_type: str, effective_date: date | str,
                changes: dict | None, standards: list[str] | None = None, dry_run: bool = False) -> dict:
    """Validate and compute the event for every book now; queue it (202) or return the preview."""
    event = _parse(run_type, effective_date, changes)
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=not dry_run) as s:
        lease = s.get(Lease, lease_id)
        if lease is None:
            raise NotFound(f"No lease {lease_id}.", code="lease_not_found")
        if lease.status == "draft":
            raise Conflict("The lease is a draft: edit it with PATCH; engine runs change confirmed leases.",
                           code="lease_not_confirmed")
        ctx = EntityLeaseRules(s, s.get_one(Entity, lease.entity_id))
        preview = {}
        for std in _books(ctx, standards):
            _current, lineage = _history(s, lease.id, std)
            if event.run_type != "CATCH_UP":
                result = _replay(ctx, lease, std, lineage + [event.lineage()])[-1]  # EngineError → 422
                preview[std] = result
        if dry_run:
            return {"dry_run": True, "lease_id": lease.id, "run_type": event.run_type,
                    "effective_date": event.effective_date, "results": {
                        std: {**r.to_dict(), "schedule": r.schedule.to_dict()} for std, r in preview.items()}}
        job = enqueue(s, kind="lease.event", tenant_id=actor.tenant_id, now=now, request_id=actor.request_id,
                      payload={"lease_id": lease.id, "event": event.lineage(), "standards": _books(ctx, standards),
                               "actor_user_id": actor.user_id, "actor_kind": actor.actor_kind})
        audit.record_change(s, actor, now=now, action="engine.run.request", resource_type="lease",
                            resource_id=lease.id, after={"job_id": job.id, **event.lineage()})
        return {"job_id": job.id, "status": "queued", "lease_id": lease.id, "run_type": event.run_type,
                "effective_date": event.effective_date}


def _closed_periods(s, lease_id: str, standard: str, from_period: str) -> set[str]:
    return set(s.scalars(select(JournalEntry.period).where(
        JournalEntry.source_type == "lease", JournalEntry.source_id == lease_id, JournalEntry.standard == standard,
        JournalEntry.period >= from_period,
        JournalEntry.source_operation == "monthly_close", JournalEntry.status != "void").distinct()))


def apply_run(rt: Runtime, tenant_id: str, payload: dict, *, job_id: str) -> dict:
    """The job: one new run per book. Idempotent — a book already done by this job is skipped."""
    now = rt.clock()
    lineage_new = payload["event"]
    actor_user_id = payload.get("actor_user_id")
    out: dict[str, Any] = {"runs": {}, "new_lease_id": None}
    with rt.db.session(tenant_id, write=True) as s:
        # A copy of this job still writing (a worker that lost its lease) commits first; this one then
        # finds its books done below instead of writing a second set of runs and journals.
        lock_rows(s, Lease.id, [payload["lease_id"]])
        lease = s.get(Lease, payload["lease_id"])
        if lease is None:
            raise PermanentJobError("The lease no longer exists.", code="lease_not_found")
        entity = s.get_one(Entity, lease.entity_id)
        ctx, locks = EntityLeaseRules(s, entity), load_locks(s, entity.id)
        new_lease_id = None
        for std in payload["standards"]:
            done = s.scalar(select(LeaseRun.id).where(LeaseRun.lease_id == lease.id, LeaseRun.standard == std,
                                                      LeaseRun.job_id == job_id))
            if done:
                out["runs"][std] = done
                continue
            current, lineage = _history(s, lease.id, std)
            old = load_schedule(current, s.get_one(LeaseRunSchedule, current.id), entity.code)
            run_id = new_id()
            if lineage_new["run_type"] == "CATCH_UP":
                results = _replay(ctx, lease, std, lineage) if lineage else None
                sched = results[-1].schedule if results else _replay_initial(ctx, lease, std)
                change_entries, summary = [], {}
                eff_period = sched.periods_keys[0]
            else:
                result = _replay(ctx, lease, std, lineage + [lineage_new])[-1]
                sched, change_entries = result.schedule, list(result.entries)
                summary = {"event": lineage_new, "event_result": {
                    k: v for k, v in result.to_dict().items() if k not in ("entries", "changes", "index")}}
                eff_period = result.effective_period
            sched.run_id_given = run_id
            closed = _closed_periods(s, lease.id, std, eff_period)
            posted_before = closed | set(current.summary.get("caught_up_periods") or ())
            entries, caught_up = route_lease_entries(std, locks, sched, change_entries, window=closed, old_sched=old,
                                                     old_posted=posted_before, from_period=eff_period)
            if caught_up:
                summary["caught_up_periods"] = sorted(set(caught_up) | set(current.summary.get("caught_up_periods") or ()))
            elif current.summary.get("caught_up_periods"):
                summary["caught_up_periods"] = current.summary["caught_up_periods"]
            s.execute(update(LeaseRun).where(LeaseRun.id == current.id).values(is_current=False))
            persist_runs(s, tenant_id, [NewRun(lease, sched, run_id, lineage_new["run_type"],
                                               date.fromisoformat(lineage_new["effective_date"]),
                                               ctx.policy_record.version, base_run_id=current.id,
                                               supersedes_run_id=current.id, extra_summary=summary)],
                         job_id=job_id, actor_user_id=actor_user_id, now=now)
            write_entries_many(s, [(Provenance(tenant_id, entity.id, std, lineage_new["run_type"].lower(), lease.id,
                                               run_id, None, actor_user_id, payload.get("actor_kind"), None),
                                    entries)], now)
            if lineage_new["run_type"] != "CATCH_UP" and result.new_lease and new_lease_id is None:
                new_lease_id = _separate_lease(s, tenant_id, actor_user_id, payload.get("actor_kind") or "human", now,
                                               entity, lease, result.new_lease)
            out["runs"][std] = run_id
            audit.append(s, now=now, tenant_id=tenant_id, kind="change", outcome="success", action="engine.run",
                         resource_type="lease_run", resource_id=run_id, actor_user_id=actor_user_id,
                         details={"lease_id": lease.id, "standard": std, "run_type": lineage_new["run_type"],
                                  "supersedes_run_id": current.id, "caught_up_periods": caught_up})
        if new_lease_id:
            for rid in out["runs"].values():
                run = s.get_one(LeaseRun, rid)
                er = run.summary["event_result"]
                run.summary = {**run.summary, "event_result": {**er, "summary": {**er["summary"],
                                                                                   "new_lease_id": new_lease_id}}}
            out["new_lease_id"] = new_lease_id
        if lineage_new["run_type"] == "TERMINATION" and lease.status == "confirmed":
            lease.status = "terminated"
        who = {"user_id": actor_user_id, "actor_kind": payload.get("actor_kind"), "channel": "engine"}
        views = [run_view(s.get_one(LeaseRun, rid)) for rid in out["runs"].values()]
        kind = "lease.terminated" if lineage_new["run_type"] == "TERMINATION" else "lease.modified"
        emit_many(s, who, tenant_id=tenant_id, now=now, events=[
            *[("engine.completed", v) for v in views],
            (kind, {**lease_view(lease, entity.code), "runs": views})])
    return out


def _replay_initial(ctx: EntityLeaseRules, lease: Lease, standard: str):
    from backend.engine.leases import compute_schedule

    assessed, terms = _assessed(ctx, lease)  # (it reached the engine with None terms: an AttributeError)
    return compute_schedule(terms, ctx.policy, standard, discount_rate=assessed.discount_rate,
                            fx_rates=ctx.fx, lease_id=lease.id, discount_rate_source=matrix_source(assessed))


def _separate_lease(s, tenant_id, actor_user_id, actor_kind: str, now, entity: Entity, lease: Lease,
                    new_lease: dict) -> str:
    """A separate-lease modification creates a new lease (as a draft for review and confirmation)."""
    from backend.services.platform.context import Actor as _Actor

    data = dict(new_lease)
    data.setdefault("external_id", f"{lease.external_id}-ADD")
    actor = _Actor(tenant_id=tenant_id, tenant_kind="", account_id="", user_id=actor_user_id or "",
                   role="PREPARER", actor_kind=actor_kind, token_id=None, channel="engine")
    (draft,) = create_drafts(s, actor, now, entity, [data], source="separate_lease")
    return draft.id
