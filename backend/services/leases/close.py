"""Monthly close of leases: one period's journals for every active lease of an entity × standard.

Idempotent per entity × standard × period: a unique close row decides who closes, and every
journal carries a dedupe key (run × period × event), so a re-run writes nothing new and says so.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from backend.db.dialect import insert_ignore
from backend.db.ids import new_id
from backend.db.models import CloseRun, Entity, JournalEntry, Lease, LeaseRun, LeaseRunSchedule
from backend.engine.leases import period_postings
from backend.engine.money import from_minor, to_minor
from backend.jobs.queue import PermanentJobError, enqueue, progress
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.ledger.writer import Provenance, write_entries
from backend.services.leases.config import current_policy
from backend.services.leases.runs import load_schedule
from backend.services.ledger.locks import load_locks, check_period, refuse_if_locked
from backend.services.platform.tenancy import get_entity_by_code
from backend.webhooks.outbox import emit

BATCH = 500


def _totals_view(totals: dict | None) -> dict:
    """Money in the currency's unit as a decimal string, like every API amount (closes stored before
    this carried ``debits_minor_by_currency`` in minor units: converted on read)."""
    out = dict(totals or {})
    minor = out.pop("debits_minor_by_currency", None)
    if minor is not None:
        out["debits_by_currency"] = {ccy: f"{from_minor(units, ccy):f}" for ccy, units in minor.items()}
    return out


def close_view(c: CloseRun, entity_code: str) -> dict:
    return {"close_id": c.id, "entity": entity_code, "standard": c.standard, "period": c.period, "status": c.status,
            "job_id": c.job_id, "totals": _totals_view(c.totals), "created_at": c.created_at,
            "completed_at": c.completed_at}


def request_close(rt: Runtime, actor: Actor, entity_code: str, period: str, standards: list[str] | None) -> dict:
    """Queue a close per standard; a standard already closed for the period is reported, not redone."""
    check_period(period)
    now = rt.clock()
    out = []
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        enabled = current_policy(s, entity).policy.enabled_standards
        stds = standards or list(enabled)
        locks = load_locks(s, entity.id)
        for std in stds:
            refuse_if_locked(locks, entity, std, period)
        for std in stds:
            close_id = new_id()
            created = insert_ignore(s, CloseRun.__table__, {
                "id": close_id, "tenant_id": actor.tenant_id, "created_at": now, "entity_id": entity.id,
                "standard": std, "period": period, "status": "queued", "totals": {}},
                ["tenant_id", "entity_id", "standard", "period"])
            row = s.scalar(select(CloseRun).where(CloseRun.entity_id == entity.id, CloseRun.standard == std,
                                                  CloseRun.period == period))
            reopened = 0
            if not created and row.status == "failed":
                reopened, row.status = 1, "queued"  # a close that gave up (e.g. locked meanwhile) runs again
            elif not created and row.status == "completed":
                # Leases confirmed (or changed) after this close have no entries for the period yet:
                # the close runs again for them only (entries already written are found, not doubled).
                reopened = _pending(s, entity.id, std, period)
                if reopened:
                    row.status = "queued"
            if created or reopened:
                job = enqueue(s, kind="lease.monthly_close", tenant_id=actor.tenant_id, now=now,
                              payload={"close_id": row.id, "actor_user_id": actor.user_id,
                                       "actor_kind": actor.actor_kind}, request_id=actor.request_id)
                row.job_id = job.id
                audit.record_change(s, actor, now=now, action="close.request", resource_type="close",
                                    resource_id=row.id, after={"entity": entity.code, "standard": std,
                                                               "period": period, "job_id": job.id})
            out.append({**close_view(row, entity.code), "already_requested": not created and not reopened,
                        "reopened_for_runs": reopened})
    return {"closes": out, "job_ids": [c["job_id"] for c in out if not c["already_requested"]]}


def run_close(rt: Runtime, tenant_id: str, close_id: str, *, job_id: str, worker_id: str, actor_user_id: str | None,
              actor_kind: str | None, request_id: str | None) -> dict:
    now = rt.clock()
    with rt.db.session(tenant_id) as s:
        close = s.get(CloseRun, close_id)
        if close is None:
            raise PermanentJobError(f"No close {close_id}.", code="close_not_found")
        if close.status == "completed":
            # Already closed (a re-delivered job): nothing to do, and the result says so.
            return {"close_id": close_id, **close.totals, "entries_written": 0, "no_changes": True,
                    "already_completed": True}
        entity = s.get(Entity, close.entity_id)
        if load_locks(s, entity.id).is_locked(close.standard, close.period):
            raise PermanentJobError(f"Period {close.period} of {entity.code} was locked before the close ran.",
                                    code="period_locked")
        runs = _current_runs(s, entity.id, close.standard)
    period, std = close.period, close.standard
    in_period = covering(runs, period)
    totals = {"leases": 0, "entries_written": 0, "entries_already_present": 0,
              "debits_by_currency": defaultdict(int), "by_event": defaultdict(int)}
    for start in range(0, len(in_period), BATCH):
        chunk = in_period[start:start + BATCH]
        batches = []
        for run, stored in chunk:
            entries = period_postings(load_schedule(run, stored, entity.code), period)
            batches.append((Provenance(tenant_id, entity.id, std, "monthly_close", run.lease_id, run.id, close_id,
                                       actor_user_id, actor_kind, request_id), entries))
            totals["leases"] += 1
            for e in entries:
                totals["by_event"][e.event] += 1
                for ln in e.lines:
                    totals["debits_by_currency"][ln.currency] += to_minor(ln.debit, ln.currency)
        with rt.db.session(tenant_id, write=True) as s:
            written, present = write_entries(s, batches, now)
        totals["entries_written"] += written
        totals["entries_already_present"] += present
        progress(rt.db, job_id, min(start + BATCH, len(in_period)), len(in_period), worker_id=worker_id)
    result = {"leases": totals["leases"], "entries_written": totals["entries_written"],
              "entries_already_present": totals["entries_already_present"],
              "no_changes": totals["entries_written"] == 0,
              "debits_by_currency": {ccy: f"{from_minor(units, ccy):f}"
                                     for ccy, units in totals["debits_by_currency"].items()},
              "entries_by_event": dict(totals["by_event"])}
    with rt.db.session(tenant_id, write=True) as s:
        close = s.get(CloseRun, close_id)
        close.status, close.totals, close.completed_at = "completed", result, now
        emit(s, {"user_id": actor_user_id, "actor_kind": actor_kind, "channel": "engine"}, tenant_id=tenant_id,
             event_type="close.completed", data=close_view(close, entity.code), now=now, request_id=request_id)
        audit.append(s, now=now, tenant_id=tenant_id, kind="change", outcome="success", action="close.completed",
                     resource_type="close", resource_id=close_id, actor_user_id=actor_user_id,
                     request_id=request_id, details={"entity": entity.code, "standard": std, "period": period,
                                                     **{k: v for k, v in result.items() if k != "entries_by_event"}})
    return {"close_id": close_id, **result}


def covering(runs, period: str) -> list:
    """Current runs whose schedule has ``period`` and whose catch-up did not already post it."""
    return [(r, sch) for r, sch in runs if sch.first_period <= period <= _last(sch)
            and period not in (r.summary.get("caught_up_periods") or ())]


def _current_runs(s, entity_id: str, standard: str):
    return s.execute(
        select(LeaseRun, LeaseRunSchedule)
        .join(LeaseRunSchedule, LeaseRunSchedule.run_id == LeaseRun.id)
        .join(Lease, Lease.id == LeaseRun.lease_id)
        .where(LeaseRun.entity_id == entity_id, LeaseRun.standard == standard,
               LeaseRun.is_current.is_(True), Lease.status.in_(("confirmed", "terminated")))
        .order_by(LeaseRun.lease_id)).all()


def _pending(s, entity_id: str, standard: str, period: str) -> int:
    """Runs that should have this period's close entries but have none (confirmed after the close)."""
    posted = set(s.scalars(select(JournalEntry.run_id).where(
        JournalEntry.entity_id == entity_id, JournalEntry.standard == standard, JournalEntry.period == period,
        JournalEntry.source_operation == "monthly_close").distinct()))
    runs = s.execute(
        select(LeaseRun.id, LeaseRun.summary, LeaseRunSchedule.first_period, LeaseRunSchedule.period_count)
        .join(LeaseRunSchedule, LeaseRunSchedule.run_id == LeaseRun.id)
        .join(Lease, Lease.id == LeaseRun.lease_id)
        .where(LeaseRun.entity_id == entity_id, LeaseRun.standard == standard, LeaseRun.is_current.is_(True),
               Lease.status.in_(("confirmed", "terminated")))).all()
    return sum(1 for run_id, summary, first, count in runs
               if first <= period <= _last_of(first, count) and period not in (summary.get("caught_up_periods") or ())
               and run_id not in posted)


def _last(stored: LeaseRunSchedule) -> str:
    return _last_of(stored.first_period, stored.period_count)


def _last_of(first: str, count: int) -> str:
    idx = int(first[:4]) * 12 + int(first[5:]) - 1 + count - 1
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"
