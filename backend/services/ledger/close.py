"""Monthly close for any ledger source: one period's journals for every current run of an
entity × standard × period.

Idempotent per entity × standard × period: a unique close row decides who closes, and every
journal carries a dedupe key (run × period × event), so a re-run writes nothing new and says so.
A completed close reopens only for runs that have no entries for the period yet (items confirmed
after it). The source (``services/ledger/sources.py``) supplies runs and postings; locks, progress,
the ``close.completed`` event and the audit rows are the ledger's.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from backend.db.dialect import insert_ignore
from backend.db.ids import new_id
from backend.db.models import CloseRun, Entity, JournalEntry
from backend.engine.money import from_minor, to_minor
from backend.jobs.queue import PermanentJobError, enqueue, progress
from backend.services.ledger.locks import check_period, load_locks, refuse_if_locked
from backend.services.ledger.sources import source_of
from backend.services.ledger.writer import Provenance, write_entries
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput
from backend.services.platform.tenancy import get_entity_by_code
from backend.webhooks.outbox import emit

JOB_KIND = "ledger.monthly_close"
BATCH = 500


def _totals_view(totals: dict | None) -> dict:
    """Money as decimal strings in the currency's unit, like every API amount (closes stored before
    carried ``debits_minor_by_currency`` in minor units: converted when read)."""
    out = dict(totals or {})
    minor = out.pop("debits_minor_by_currency", None)
    if minor is not None:
        out["debits_by_currency"] = {ccy: f"{from_minor(units, ccy):f}" for ccy, units in minor.items()}
    return out


def close_view(c: CloseRun, entity_code: str) -> dict:
    return {"close_id": c.id, "source": c.source_type, "entity": entity_code, "standard": c.standard,
            "period": c.period, "status": c.status, "job_id": c.job_id, "totals": _totals_view(c.totals),
            "created_at": c.created_at, "completed_at": c.completed_at}


def request_close(rt: Runtime, actor: Actor, source_type: str, entity_code: str, period: str,
                  standards: list[str] | None) -> dict:
    """Queue a close per standard; a standard already closed for the period is reported, not redone."""
    check_period(period)
    source = source_of(source_type)
    now = rt.clock()
    out = []
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        stds = standards or list(source.enabled_standards(s, entity))
        wrong = [std for std in stds if std not in source.books]
        if wrong:
            raise InvalidInput(f"{', '.join(wrong)} is not a {source_type} book; use {', '.join(source.books)}.",
                               code="invalid_standard", details=[{"field": "standards", "code": "invalid_standard",
                                                                  "message": f"got {wrong}"}])
        locks = load_locks(s, entity.id)
        for std in stds:
            refuse_if_locked(locks, entity, std, period)
        for std in stds:
            out.append(_claim_close(s, actor, source, entity, std, period, now))
    return {"closes": out, "job_ids": [c["job_id"] for c in out if not c["already_requested"]]}


def _claim_close(s, actor: Actor, source, entity: Entity, std: str, period: str, now) -> dict:
    created = insert_ignore(s, CloseRun.__table__, {
        "id": new_id(), "tenant_id": actor.tenant_id, "created_at": now, "entity_id": entity.id,
        "source_type": source.source_type, "standard": std, "period": period, "status": "queued", "totals": {}},
        ["tenant_id", "entity_id", "standard", "period"])
    row = s.scalar(select(CloseRun).where(CloseRun.entity_id == entity.id, CloseRun.standard == std,
                                          CloseRun.period == period))
    reopened = 0
    if not created and row.status == "failed":
        reopened, row.status = 1, "queued"  # a close that gave up (e.g. locked meanwhile) runs again
    elif not created and row.status == "completed":
        # Items confirmed (or changed) after this close have no entries for the period yet: the close
        # runs again for them only (entries already written are found, not doubled).
        posted = set(s.scalars(select(JournalEntry.run_id).where(
            JournalEntry.entity_id == entity.id, JournalEntry.standard == std, JournalEntry.period == period,
            JournalEntry.source_operation == "monthly_close").distinct()))
        reopened = source.runs_missing_close(s, entity.id, std, period, posted)
        if reopened:
            row.status = "queued"
    if created or reopened:
        job = enqueue(s, kind=JOB_KIND, tenant_id=actor.tenant_id, now=now,
                      payload={"close_id": row.id, "source": source.source_type, "actor_user_id": actor.user_id,
                               "actor_kind": actor.actor_kind}, request_id=actor.request_id)
        row.job_id = job.id
        audit.record_change(s, actor, now=now, action="close.request", resource_type="close", resource_id=row.id,
                            after={"source": source.source_type, "entity": entity.code, "standard": std,
                                   "period": period, "job_id": job.id})
    return {**close_view(row, entity.code), "already_requested": not created and not reopened,
            "reopened_for_runs": reopened}


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
        entity = s.get_one(Entity, close.entity_id)  # the close's entity (a foreign key)
        if load_locks(s, entity.id).is_locked(close.standard, close.period):
            raise PermanentJobError(f"Period {close.period} of {entity.code} was locked before the close ran.",
                                    code="period_locked")
        source = source_of(close.source_type)
        period, std = close.period, close.standard
        runs = source.runs_for_period(s, entity, std, period)
    entries_written = entries_already_present = 0
    debits: defaultdict[str, int] = defaultdict(int)     # currency → minor units
    by_event: defaultdict[str, int] = defaultdict(int)   # event → entries
    for start in range(0, len(runs), BATCH):
        batches = []
        for run in runs[start:start + BATCH]:
            entries = list(run.postings(period))
            batches.append((Provenance(tenant_id, entity.id, std, "monthly_close", run.source_id, run.run_id,
                                       close_id, actor_user_id, actor_kind, request_id,
                                       source_type=source.source_type), entries))
            for e in entries:
                by_event[e.event] += 1
                for ln in e.lines:
                    debits[ln.currency] += to_minor(ln.debit, ln.currency)
        with rt.db.session(tenant_id, write=True) as s:
            written, present = write_entries(s, batches, now)
        entries_written += written
        entries_already_present += present
        progress(rt.db, job_id, min(start + BATCH, len(runs)), len(runs), worker_id=worker_id)
    result = {"source": source.source_type, "items": len(runs), _count_key(source.source_type): len(runs),
              "entries_written": entries_written,
              "entries_already_present": entries_already_present,
              "no_changes": entries_written == 0,
              "debits_by_currency": {c: str(from_minor(v, c)) for c, v in debits.items()},
              "entries_by_event": dict(by_event)}
    _complete(rt, tenant_id, close_id, entity, result, now, actor_user_id, actor_kind, request_id)
    return {"close_id": close_id, **result}


def _count_key(source_type: str) -> str:
    return {"lease": "leases", "revenue_contract": "contracts"}.get(source_type, "items")


def _complete(rt: Runtime, tenant_id: str, close_id: str, entity: Entity, result: dict, now, actor_user_id,
              actor_kind, request_id) -> None:
    with rt.db.session(tenant_id, write=True) as s:
        close = s.get_one(CloseRun, close_id)  # run_close found it
        close.status, close.totals, close.completed_at = "completed", result, now
        emit(s, {"user_id": actor_user_id, "actor_kind": actor_kind, "channel": "engine"}, tenant_id=tenant_id,
             event_type="close.completed", data=close_view(close, entity.code), now=now, request_id=request_id)
        audit.append(s, now=now, tenant_id=tenant_id, kind="change", outcome="success", action="close.completed",
                     resource_type="close", resource_id=close_id, actor_user_id=actor_user_id,
                     request_id=request_id, details={"entity": entity.code, "standard": close.standard,
                                                     "period": close.period,
                                                     **{k: v for k, v in result.items() if k != "entries_by_event"}})


def report_failure(rt: Runtime, tenant_id: str, job_id: str, payload: dict, code: str, message: str, *,
                   request_id: str | None) -> None:
    """A close job that gave up: the close is marked failed (it may be requested again) and
    ``engine.failed`` names it, in one transaction."""
    now = rt.clock()
    with rt.db.session(tenant_id, write=True) as s:
        close = s.get(CloseRun, payload.get("close_id")) if payload.get("close_id") else None
        if close is not None and close.status != "completed":
            close.status = "failed"
        who = {"user_id": payload.get("actor_user_id"), "actor_kind": payload.get("actor_kind"), "channel": "engine"}
        emit(s, who, tenant_id=tenant_id, now=now, request_id=request_id, event_type="engine.failed",
             data={"job_id": job_id, "kind": JOB_KIND, "error": {"code": code, "message": message},
                   "close_id": payload.get("close_id"), "source": payload.get("source")})
