"""Engine runs of leases: initial recognition (a job), persisted runs and schedules, reads.

A run is immutable: its inputs hash, engine version, policy version, headline figures and
the whole monthly schedule are written once. Later events add runs; they never edit one.
"""
from __future__ import annotations

from functools import partial

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from backend.db.dialect import lock_rows
from backend.db.ids import new_id
from backend.db.models import Entity, Lease, LeaseRun, LeaseRunSchedule
from backend.engine.calendar import period_end
from backend.engine.leases import commencement_postings, compute_schedules, period_postings
from backend.engine.routing import PeriodLocks, route_entries
from backend.engine.leases.result import FUNCTIONAL_FIELDS, PERIOD_FIELDS, LeaseSchedule
from backend.engine.errors import EngineError
from backend.jobs.queue import progress
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Runtime
from backend.services.ledger.writer import Provenance, write_entries_many
from backend.services.leases.drafts import EntityLeaseRules, matrix_source
from backend.services.leases.failures import failure, record_outcomes
from backend.services.ledger.locks import load_locks
from backend.services.ledger.periods import PeriodAxis
from backend.webhooks.outbox import emit_many

PROGRESS_EVERY = 250  # leases between progress reports of a recognition job


# ---------------------------------------------------------------- storing a schedule

CASH_FLOWS = "_cash_flows"


def _encode_columns(sched: LeaseSchedule) -> str:
    """Each column as one comma-joined string of exact decimals ('' where a field does not apply).

    ``str`` of a Decimal is exact and round-trips through ``Decimal``; it is also the cheapest
    representation to produce for the 2.4 million lease-months of a large portfolio."""
    cols: dict[str, Any] = {}
    for f in PERIOD_FIELDS + FUNCTIONAL_FIELDS:
        values = sched.columns.get(f)
        if values is not None:
            cols[f] = ",".join("" if v is None else str(v) for v in values)
    cols[CASH_FLOWS] = sched.cash_flows
    return json.dumps(cols, separators=(",", ":"), default=str)


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
    periods_keys: Sequence[str]
    period_ends: Sequence[date]
    columns: dict[str, Sequence]
    cash_flows: list | None = None

    amount = LeaseSchedule.amount  # the engine's reader of a filled column, on the stored columns

    def row_index(self, period: str) -> int:
        try:
            return self.periods_keys.index(period)
        except ValueError:
            raise KeyError(period) from None


class _PeriodEnds(Sequence):
    __slots__ = ("axis",)

    def __init__(self, axis: PeriodAxis):
        self.axis = axis

    def __len__(self) -> int:
        return len(self.axis)

    def __getitem__(self, k):
        return period_end(self.axis[k])


class _TextColumn(Sequence):
    """A stored column read back lazily: a close looks at one or two months of each lease, so
    converting every month to Decimal up front would be wasted work."""

    __slots__ = ("joined", "_raw")

    def __init__(self, joined: str):
        self.joined = joined
        self._raw: list[str] | None = None

    @property
    def raw(self) -> list[str]:
        if self._raw is None:  # split only the columns that are actually read
            self._raw = self.joined.split(",")
        return self._raw

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [Decimal(v) if v else None for v in self.raw[k]]
        v = self.raw[k]
        return Decimal(v) if v else None


def load_schedule(run: LeaseRun, stored: LeaseRunSchedule, entity_code: str) -> StoredSchedule:
    periods = PeriodAxis(stored.first_period, stored.period_count)
    summary = run.summary
    fc = summary.get("functional_currency")
    cols: dict[str, Sequence[Any]] = {}
    blob = json.loads(stored.columns)
    cash_flows = blob.pop(CASH_FLOWS, None)
    for f, joined in blob.items():
        cols[f] = _TextColumn(joined)
    return StoredSchedule(run.lease_id, run.standard, run.classification, run.exemption, run.currency, fc,
                          summary.get("asset_class") or "", entity_code, periods, _PeriodEnds(periods), cols,
                          cash_flows)


def _summary(sched: LeaseSchedule) -> dict:
    # The dated cash flows live with the schedule rows (read with the schedule), not in the run
    # summary that every close and list loads.
    header = sched.header_dict()
    header.pop("cash_flows", None)
    return header


@dataclass
class NewRun:
    """A computed schedule about to be stored as a run."""

    lease: Lease
    sched: LeaseSchedule
    run_id: str
    run_type: str
    effective_date: date
    policy_version: int
    base_run_id: str | None = None
    supersedes_run_id: str | None = None
    reversal_of_run_id: str | None = None
    extra_summary: dict | None = None
    summary: dict | None = None  # filled by prepare()
    columns_json: str | None = None

    def prepare(self) -> "NewRun":
        """Render what will be stored (summary, schedule columns); done before the write
        transaction so the database lock is held only for the inserts."""
        if self.columns_json is None:
            self.summary = {**_summary(self.sched), **(self.extra_summary or {})}
            self.columns_json = _encode_columns(self.sched)
        return self


def new_run_view(r: NewRun) -> dict:
    """The run as GET /v1/engine/runs/{id} shows it, built without reading it back."""
    return {"id": r.run_id, "lease_id": r.lease.id, "standard": r.sched.standard, "run_type": r.run_type,
            "effective_date": r.effective_date, "is_current": True, "base_run_id": r.base_run_id,
            "supersedes_run_id": r.supersedes_run_id, "reversal_of_run_id": r.reversal_of_run_id,
            "inputs_hash": r.sched.inputs_hash, "engine_version": r.sched.engine_version,
            "policy_version": r.policy_version, "classification": r.sched.classification,
            "exemption": r.sched.exemption,
            "result": {"initial_liability": r.sched.initial_liability, "initial_rou_asset": r.sched.initial_rou_asset,
                       "discount_rate": r.sched.discount_rate,
                       "caught_up_periods": (r.extra_summary or {}).get("caught_up_periods")}}


def persist_runs(s, tenant_id: str, runs: list[NewRun], *, job_id: str | None, actor_user_id: str | None,
                 now) -> None:
    """Insert runs and their schedules with two executemany statements (portfolios are large)."""
    if not runs:
        return
    s.execute(LeaseRun.__table__.insert(), [{
        "id": r.run_id, "tenant_id": tenant_id, "created_at": now, "lease_id": r.lease.id,
        "entity_id": r.lease.entity_id, "standard": r.sched.standard, "run_type": r.run_type,
        "effective_date": r.effective_date, "is_current": True, "base_run_id": r.base_run_id,
        "supersedes_run_id": r.supersedes_run_id, "reversal_of_run_id": r.reversal_of_run_id, "job_id": job_id,
        "inputs_hash": r.sched.inputs_hash, "engine_version": r.sched.engine_version,
        "policy_version": r.policy_version, "classification": r.sched.classification,
        "exemption": r.sched.exemption, "currency": r.sched.currency,
        "summary": r.prepare().summary, "created_by": actor_user_id,
    } for r in runs])
    s.execute(LeaseRunSchedule.__table__.insert(), [{
        "run_id": r.run_id, "tenant_id": tenant_id, "first_period": r.sched.periods_keys[0],
        "period_count": len(r.sched.periods_keys), "columns": r.prepare().columns_json} for r in runs])


def route_lease_entries(std: str, locks: PeriodLocks, sched, change_entries, *, window: Iterable[str] = frozenset(),
                        old_sched=None, old_posted: Iterable[str] = frozenset(), from_period: str = ""):
    """The ledger's routing rule (``engine.routing.route_entries``) over a lease schedule's postings."""
    return route_entries(std, locks, sched.periods_keys, partial(period_postings, sched), change_entries,
                         window=window, old_posted=old_posted, from_period=from_period,
                         replaced_postings_for=partial(period_postings, old_sched) if old_sched is not None else None)


# ---------------------------------------------------------------- the job

def initial_recognition(rt: Runtime, tenant_id: str, lease_ids: list[str], standards: list[str], *,
                        job_id: str | None, actor_user_id: str | None, request_id: str | None,
                        actor_kind: str = "human") -> dict:
    """Compute and store one INITIAL_RECOGNITION run per standard for each lease, with its
    commencement journal, in one transaction (both books come from one parse and share the
    liability computation).

    Idempotent: runs already written are skipped, so a retried job finishes the rest. A lease the
    engine rejects is reported in ``failed`` (with the rule) and does not stop the others; it
    stays confirmed without a schedule until recalculated.
    """
    now = rt.clock()
    started = time.perf_counter()
    # Compute in a read transaction, then write in a short one: on SQLite the write lock is then
    # held only while rows are inserted, so several workers compute at once.
    with rt.db.session(tenant_id) as s:
        done = {(lid, std) for lid, std in s.execute(select(LeaseRun.lease_id, LeaseRun.standard).where(
            LeaseRun.lease_id.in_(lease_ids), LeaseRun.run_type == "INITIAL_RECOGNITION"))}
        contexts: dict[str, EntityLeaseRules] = {}
        locks: dict[str, PeriodLocks] = {}
        new_runs, journal_batches, failed, audit_rows = [], [], [], []
        for n, lease in enumerate(s.scalars(select(Lease).where(Lease.id.in_(lease_ids)).order_by(Lease.id))):
            if job_id and n and n % PROGRESS_EVERY == 0:
                progress(rt.db, job_id, n, len(lease_ids))
            todo = tuple(std for std in standards if (lease.id, std) not in done)
            if not todo:
                continue
            if lease.status != "confirmed":
                failed.append({"lease_id": lease.id, "code": "lease_not_confirmed",
                               "message": "The lease is not confirmed."})
                continue
            if lease.entity_id not in contexts:
                contexts[lease.entity_id] = EntityLeaseRules(s, s.get_one(Entity, lease.entity_id))
                locks[lease.entity_id] = load_locks(s, lease.entity_id)
            ctx = contexts[lease.entity_id]
            assessed = ctx.assess(lease.data, full=False)
            if assessed.errors:
                e = assessed.errors[0]
                failed.append(failure(lease, ctx, todo, e["code"], f"{e['field']}: {e['message']}", e["field"]))
                continue
            assert assessed.terms is not None  # an assessment without errors has the parsed terms
            try:
                scheds = compute_schedules(assessed.terms, ctx.policy, todo, discount_rate=assessed.discount_rate,
                                           fx_rates=ctx.fx, lease_id=lease.id,
                                           discount_rate_source=matrix_source(assessed))
            except EngineError as exc:
                failed.append(failure(lease, ctx, todo, exc.code, exc.message, exc.field))
                continue
            for std, sched in scheds.items():
                run_id = new_id()
                sched.run_id_given = run_id  # the run id is ours; the schedule was computed before it existed
                # A lease entered late: its locked months are caught up in one entry in the first open one.
                entries, caught_up = route_lease_entries(std, locks[lease.entity_id], sched, commencement_postings(sched))
                new_runs.append(NewRun(lease, sched, run_id, "INITIAL_RECOGNITION", sched.commencement_date,
                                       ctx.policy_record.version,
                                       extra_summary={"caught_up_periods": caught_up} if caught_up else None
                                       ).prepare())
                journal_batches.append((Provenance(tenant_id, lease.entity_id, std, "initial_recognition", lease.id,
                                                   run_id, None, actor_user_id, actor_kind, request_id), entries))
                audit_rows.append(dict(now=now, tenant_id=tenant_id, kind="change", outcome="success",
                                       action="engine.run", resource_type="lease_run", resource_id=run_id,
                                       actor_user_id=actor_user_id, request_id=request_id,
                                       details={"lease_id": lease.id, "standard": std,
                                                "run_type": "INITIAL_RECOGNITION"}))
    computed = time.perf_counter()
    if job_id:
        progress(rt.db, job_id, len(lease_ids), len(lease_ids))
    with rt.db.session(tenant_id, write=True) as s:
        # A concurrent retry may have written some of these runs meanwhile: keep only the new ones
        # (the lock makes a copy of this job still writing — a worker that lost its lease — commit first).
        lock_rows(s, Lease.id, lease_ids)
        again = {(lid, std) for lid, std in s.execute(select(LeaseRun.lease_id, LeaseRun.standard).where(
            LeaseRun.lease_id.in_(lease_ids), LeaseRun.run_type == "INITIAL_RECOGNITION"))} - done
        if again:
            keep = {r.run_id for r in new_runs if (r.lease.id, r.sched.standard) not in again}
            new_runs = [r for r in new_runs if r.run_id in keep]
            journal_batches = [b for b in journal_batches if b[0].run_id in keep]
            audit_rows = [a for a in audit_rows if a["resource_id"] in keep]
        persist_runs(s, tenant_id, new_runs, job_id=job_id, actor_user_id=actor_user_id, now=now)
        record_outcomes(s, {r.lease.id for r in new_runs}, failed, job_id=job_id, now=now)
        written = write_entries_many(s, journal_batches, now)
        if audit_rows:
            audit.append_many(s, audit_rows)
        who = {"user_id": actor_user_id, "actor_kind": actor_kind, "channel": "engine"}
        # A portfolio confirm yields thousands of runs: events nobody subscribed to are not stored.
        emit_many(s, who, tenant_id=tenant_id, now=now, request_id=request_id, skip_unsubscribed=True, events=[
            *[("engine.completed", new_run_view(r)) for r in new_runs],
            *[("engine.failed", {"run_type": "INITIAL_RECOGNITION", "job_id": job_id, **f}) for f in failed]])
    # Durations for operators (and the workflow benchmark's persistence figure), not accounting data.
    timings = {"compute_seconds": round(computed - started, 3), "write_seconds": round(time.perf_counter() - computed, 3)}
    succeeded = len({r.lease.id for r in new_runs})
    return {"standards": list(standards), "runs_created": len(new_runs), "already_done": len(done),
            "journal_entries": written, "failed": failed, "timings": timings,
            "counts": {"leases": len(lease_ids), "succeeded": succeeded, "failed": len(failed)}}


def report_job_failure(rt: Runtime, tenant_id: str, job_id: str, kind: str, payload: dict, code: str,
                       message: str, *, request_id: str | None) -> None:
    """A lease engine job gave up: its leases join the dead-letter list and ``engine.failed`` names
    them, in one transaction (a close that gives up is the ledger's: ``ledger.close.report_failure``)."""
    now = rt.clock()
    with rt.db.session(tenant_id, write=True) as s:
        lease_ids = payload.get("lease_ids") or ([payload["lease_id"]] if payload.get("lease_id") else [])
        if lease_ids:  # the whole job gave up: every lease it carried is in the dead-letter list
            run_type = "INITIAL_RECOGNITION" if kind == "lease.initial_recognition" else payload.get("run_type")
            record_outcomes(s, set(), [{"lease_id": lid, "code": code, "message": message, "field": None,
                                        "run_type": run_type, "standards": payload.get("standards")}
                                       for lid in lease_ids], job_id=job_id, now=now)
        who = {"user_id": payload.get("actor_user_id"), "actor_kind": payload.get("actor_kind"), "channel": "engine"}
        data = {"job_id": job_id, "kind": kind, "error": {"code": code, "message": message},
                **{k: payload[k] for k in ("lease_ids", "lease_id", "close_id", "standards", "event") if k in payload}}
        emit_many(s, who, tenant_id=tenant_id, now=now, request_id=request_id, events=[("engine.failed", data)])


def update_current(s, lease_id: str, standard: str, new_run_id: str) -> None:
    s.execute(update(LeaseRun).where(LeaseRun.lease_id == lease_id, LeaseRun.standard == standard,
                                     LeaseRun.id != new_run_id).values(is_current=False))
