"""Engine runs of leases: initial recognition (a job), persisted runs and schedules, reads.

A run is immutable: its inputs hash, engine version, policy version, headline figures and
the whole monthly schedule are written once. Later events add runs; they never edit one.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from backend.db.ids import new_id
from backend.db.models import Entity, Lease, LeaseRun, LeaseRunSchedule
from backend.engine.calendar import period_end
from backend.engine.leases import commencement_postings, compute_schedule
from backend.engine.leases.result import FUNCTIONAL_FIELDS, PERIOD_FIELDS, LeaseSchedule
from backend.engine.money import from_minor, to_minor
from backend.jobs.queue import PermanentJobError
from backend.services import audit
from backend.services.context import Actor, Runtime
from backend.services.errors import InvalidInput, NotFound
from backend.services.journal_writer import Provenance, write_entries
from backend.services.leases import Context
from backend.services.pagination import Page, SortSpec, paginate
from backend.services.period_locks import LockTable

STANDARDS = ("IFRS16", "ASC842")


# ---------------------------------------------------------------- storing a schedule

def _encode_columns(sched: LeaseSchedule) -> str:
    cols: dict[str, list[int | None]] = {}
    for f in PERIOD_FIELDS + FUNCTIONAL_FIELDS:
        values = sched.columns.get(f)
        if values is None:
            continue
        ccy = sched.functional_currency if f.endswith("_functional") else sched.currency
        cols[f] = [None if v is None else to_minor(v, ccy) for v in values]
    return json.dumps(cols, separators=(",", ":"))


@dataclass
class StoredSchedule:
    """A persisted schedule with the attributes the engine's ``period_postings`` reads.

    Columns come back as the exact Decimals the engine produced (they were on the minor unit).
    """

    lease_id: str
    standard: str
    classification: str | None
    exemption: str | None
    currency: str
    functional_currency: str | None
    asset_class: str
    entity: str
    periods_keys: tuple[str, ...]
    period_ends: tuple[date, ...]
    columns: dict[str, Sequence]

    def row_index(self, period: str) -> int:
        try:
            return self.periods_keys.index(period)
        except ValueError:
            raise KeyError(period) from None


def _periods_from(first: str, count: int) -> tuple[str, ...]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


class _MinorColumn(Sequence):
    """A stored column read back lazily: a close looks at one or two months of each lease, so
    converting all of them to Decimal up front would be wasted work."""

    __slots__ = ("raw", "currency")

    def __init__(self, raw: list[int | None], currency: str):
        self.raw, self.currency = raw, currency

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [None if v is None else from_minor(v, self.currency) for v in self.raw[k]]
        v = self.raw[k]
        return None if v is None else from_minor(v, self.currency)


def load_schedule(run: LeaseRun, stored: LeaseRunSchedule, entity_code: str) -> StoredSchedule:
    periods = _periods_from(stored.first_period, stored.period_count)
    summary = run.summary
    fc = summary.get("functional_currency")
    cols = {}
    for f, values in json.loads(stored.columns).items():
        cols[f] = _MinorColumn(values, fc if f.endswith("_functional") else run.currency)
    return StoredSchedule(run.lease_id, run.standard, run.classification, run.exemption, run.currency, fc,
                          summary.get("asset_class") or "", entity_code, periods,
                          tuple(period_end(p) for p in periods), cols)


def _summary(sched: LeaseSchedule) -> dict:
    d = sched.to_dict()
    d.pop("periods", None)
    d["functional_currency"] = sched.functional_currency
    d["asset_class"] = sched.asset_class
    return d


def persist_run(s, *, tenant_id: str, lease: Lease, sched: LeaseSchedule, run_id: str, run_type: str,
                effective_date: date, policy_version: int, job_id: str | None, actor_user_id: str | None,
                now, base_run_id: str | None = None, supersedes_run_id: str | None = None,
                reversal_of_run_id: str | None = None) -> LeaseRun:
    run = LeaseRun(id=run_id, tenant_id=tenant_id, lease_id=lease.id, entity_id=lease.entity_id,
                   standard=sched.standard, run_type=run_type, effective_date=effective_date, is_current=True,
                   base_run_id=base_run_id, supersedes_run_id=supersedes_run_id,
                   reversal_of_run_id=reversal_of_run_id, job_id=job_id, inputs_hash=sched.inputs_hash,
                   engine_version=sched.engine_version, policy_version=policy_version,
                   classification=sched.classification, exemption=sched.exemption, currency=sched.currency,
                   summary=_summary(sched), created_by=actor_user_id, created_at=now)
    s.add(run)
    s.flush()
    s.execute(LeaseRunSchedule.__table__.insert(), [{
        "run_id": run_id, "tenant_id": tenant_id, "first_period": sched.periods_keys[0],
        "period_count": len(sched.periods_keys), "columns": _encode_columns(sched)}])
    return run


# ---------------------------------------------------------------- the job

def initial_recognition(rt: Runtime, tenant_id: str, lease_id: str, standard: str, *, job_id: str | None,
                        actor_user_id: str | None, request_id: str | None) -> dict:
    """Compute and store the INITIAL_RECOGNITION run of one lease under one standard, with its
    commencement journal. Idempotent: a second call for the same lease and standard returns the
    run already written."""
    now = rt.clock()
    with rt.db.session(tenant_id, write=True) as s:
        existing = s.scalar(select(LeaseRun).where(LeaseRun.lease_id == lease_id, LeaseRun.standard == standard,
                                                   LeaseRun.run_type == "INITIAL_RECOGNITION"))
        if existing is not None:
            return {"run_id": existing.id, "lease_id": lease_id, "standard": standard, "already_done": True}
        lease = s.get(Lease, lease_id)
        if lease is None or lease.status != "confirmed":
            raise PermanentJobError(f"Lease {lease_id} is not a confirmed lease.", code="lease_not_confirmed")
        entity = s.get(Entity, lease.entity_id)
        ctx = Context(s, entity)
        assessed = ctx.assess(lease.data)
        if assessed.errors:
            first = assessed.errors[0]
            raise PermanentJobError(f"{first['field']}: {first['message']}", code=first["code"])
        run_id = new_id()
        sched = compute_schedule(assessed.terms, ctx.policy, standard, discount_rate=assessed.discount_rate,
                                 fx_rates=ctx.fx, lease_id=lease.id, run_id=run_id,
                                 discount_rate_source=assessed.rate_source)
        locks = LockTable.load(s, entity.id)
        entries = commencement_postings(sched)
        caught_up = []
        for e in entries:
            if locks.is_locked(standard, e.period):
                # Nothing is written into a locked period: the entry moves to the first open one.
                caught_up.append(e.period)
        if caught_up:
            from dataclasses import replace

            target = locks.first_open(standard, entries[0].period)
            entries = [replace(e, period=target, entry_date=period_end(target),
                               memo=(e.memo + f" (catch-up from locked {e.period})")[:500]) for e in entries]
        run = persist_run(s, tenant_id=tenant_id, lease=lease, sched=sched, run_id=run_id,
                          run_type="INITIAL_RECOGNITION", effective_date=sched.commencement_date,
                          policy_version=ctx.policy_record.version, job_id=job_id, actor_user_id=actor_user_id,
                          now=now)
        if caught_up:
            run.summary = {**run.summary, "caught_up_periods": sorted(set(caught_up))}
        inserted, _ = write_entries(s, Provenance(tenant_id, entity.id, standard, "initial_recognition", lease.id,
                                                  run_id, None, actor_user_id, "human", request_id), entries, now)
        audit.append(s, now=now, tenant_id=tenant_id, kind="change", outcome="success", action="engine.run",
                     resource_type="lease_run", resource_id=run_id, actor_user_id=actor_user_id,
                     request_id=request_id, details={"lease_id": lease.id, "standard": standard,
                                                     "run_type": "INITIAL_RECOGNITION", "journals": inserted})
        return {"run_id": run_id, "lease_id": lease.id, "standard": standard, "journal_entries": inserted}


# ---------------------------------------------------------------- reads

def run_view(run: LeaseRun) -> dict:
    return {"id": run.id, "lease_id": run.lease_id, "standard": run.standard, "run_type": run.run_type,
            "effective_date": run.effective_date, "is_current": run.is_current, "base_run_id": run.base_run_id,
            "supersedes_run_id": run.supersedes_run_id, "reversal_of_run_id": run.reversal_of_run_id,
            "job_id": run.job_id, "inputs_hash": run.inputs_hash, "engine_version": run.engine_version,
            "policy_version": run.policy_version, "classification": run.classification,
            "exemption": run.exemption, "created_at": run.created_at,
            "result": {k: run.summary.get(k) for k in ("initial_liability", "initial_rou_asset", "discount_rate",
                                                       "discount_rate_source", "classification_tests",
                                                       "caught_up_periods") if k in run.summary}}


def get_run(rt: Runtime, actor: Actor, run_id: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        run = s.get(LeaseRun, run_id)
        if run is None:
            raise NotFound(f"No engine run {run_id}.", code="run_not_found")
        return run_view(run)


def list_runs(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
              lease_id: str | None = None, standard: str | None = None, run_type: str | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "effective_date"])
    stmt = select(LeaseRun)
    for name, value in (("lease_id", lease_id), ("standard", standard), ("run_type", run_type)):
        if value is not None:
            stmt = stmt.where(getattr(LeaseRun, name) == value)
    with rt.db.session(actor.tenant_id) as s:
        page = paginate(s, stmt, LeaseRun, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"lease_id": lease_id, "standard": standard, "run_type": run_type})
        page.data = [run_view(r) for r in page.data]
        return page


def _money(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


def get_schedule(rt: Runtime, actor: Actor, lease_id: str, standard: str, run_id: str | None = None) -> dict:
    if standard not in STANDARDS:
        raise InvalidInput("standard must be IFRS16 or ASC842.", code="invalid_standard",
                           details=[{"field": "standard", "code": "invalid_choice", "message": standard}])
    with rt.db.session(actor.tenant_id) as s:
        lease = s.get(Lease, lease_id)
        if lease is None:
            raise NotFound(f"No lease {lease_id}.", code="lease_not_found")
        stmt = select(LeaseRun).where(LeaseRun.lease_id == lease_id, LeaseRun.standard == standard)
        stmt = stmt.where(LeaseRun.id == run_id) if run_id else stmt.where(LeaseRun.is_current.is_(True))
        run = s.scalar(stmt.order_by(LeaseRun.created_at.desc()).limit(1))
        if run is None:
            raise NotFound(f"Lease {lease.external_id} has no {standard} schedule yet"
                           + (f" for run {run_id}." if run_id else " (is it confirmed, and has its job run?)."),
                           code="schedule_not_found")
        stored = s.get(LeaseRunSchedule, run.id)
        entity = s.get(Entity, lease.entity_id)
        sched = load_schedule(run, stored, entity.code)
    periods = []
    for k, p in enumerate(sched.periods_keys):
        row: dict[str, Any] = {"period": p, "period_end": sched.period_ends[k]}
        for f, values in sched.columns.items():
            row[f] = _money(values[k])
        periods.append(row)
    summary = {k: v for k, v in run.summary.items() if k not in ("functional_currency", "asset_class")}
    return {**summary, "lease_id": lease.id, "standard": standard, "run_id": run.id, "run_type": run.run_type,
            "classification": run.classification, "exemption": run.exemption, "currency": run.currency,
            "periods": periods}


def update_current(s, lease_id: str, standard: str, new_run_id: str) -> None:
    s.execute(update(LeaseRun).where(LeaseRun.lease_id == lease_id, LeaseRun.standard == standard,
                                     LeaseRun.id != new_run_id).values(is_current=False))
