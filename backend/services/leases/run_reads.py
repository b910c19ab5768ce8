"""Reading lease runs and schedules: run summaries with lineage, the run list, and a schedule as
the API shows it (money as strings on the currency's minor unit, columns by period)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from backend.db.models import Entity, Lease, LeaseRun, LeaseRunSchedule
from backend.engine.money import quantize
from backend.services.leases.runs import load_schedule
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput, NotFound
from backend.services.platform.pagination import Page, SortSpec, paginate

from backend.services.leases.config import LEASE_STANDARDS as STANDARDS

EVENT_FIGURES = ("liability_before", "liability_after", "rou_before", "rou_after", "rou_adjustment", "gain_loss",
                 "new_lease_id")


def presented_classification(standard: str, classification: str | None) -> str | None:
    """IFRS 16 has one lessee model (every lease on the balance sheet, interest + depreciation): it presents
    no finance/operating classification. ASC 842 does."""
    return None if standard == "IFRS16" else classification


def run_view(run: LeaseRun) -> dict:
    result = {k: run.summary.get(k) for k in ("initial_liability", "initial_rou_asset", "discount_rate",
                                              "discount_rate_source", "classification_tests",
                                              "caught_up_periods") if k in run.summary}
    er = run.summary.get("event_result")
    if er:  # what the event changed, with the branch of the standard that applied and why
        result.update({k: er["summary"].get(k) for k in EVENT_FIGURES}, branch=er.get("branch"),
                      rationale=er.get("rationale"), classification_reassessment=er.get("classification"),
                      warnings=er.get("warnings"), changes=run.summary.get("event"))
    return {"id": run.id, "lease_id": run.lease_id, "standard": run.standard, "run_type": run.run_type,
            "effective_date": run.effective_date, "is_current": run.is_current, "base_run_id": run.base_run_id,
            "supersedes_run_id": run.supersedes_run_id, "reversal_of_run_id": run.reversal_of_run_id,
            "job_id": run.job_id, "inputs_hash": run.inputs_hash, "engine_version": run.engine_version,
            "policy_version": run.policy_version,
            "classification": presented_classification(run.standard, run.classification),
            "exemption": run.exemption, "created_at": run.created_at, "result": result}


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
        return paginate(s, stmt, LeaseRun, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"lease_id": lease_id, "standard": standard, "run_type": run_type}, view=run_view)


def _money(v: Decimal | None, currency: str) -> str | None:
    # Always on the currency's minor unit ("0.00", never "0"), as the engine's to_dict renders it.
    return None if v is None else str(quantize(v, currency))


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
        stored = s.get_one(LeaseRunSchedule, run.id)
        entity = s.get_one(Entity, lease.entity_id)
        sched = load_schedule(run, stored, entity.code)
    periods = []
    for k, p in enumerate(sched.periods_keys):
        row: dict[str, Any] = {"period": p, "period_end": sched.period_ends[k]}
        for f, values in sched.columns.items():
            row[f] = _money(values[k], (sched.functional_currency or run.currency) if f.endswith("_functional")
                            else run.currency)
        periods.append(row)
    summary = {k: v for k, v in run.summary.items() if k not in ("functional_currency", "asset_class")}
    return {**summary, "cash_flows": sched.cash_flows, "lease_id": lease.id, "standard": standard,
            "run_id": run.id, "run_type": run.run_type,
            "classification": presented_classification(standard, run.classification), "exemption": run.exemption,
            "currency": run.currency, "periods": periods}


