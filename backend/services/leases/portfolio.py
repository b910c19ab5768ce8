"""The lease portfolio at a glance: search across leases, and headline figures by entity and book.

Reads only; the lease half of the MCP tools ``portfolio.search`` and ``portfolio.summary``
(``services/portfolio.py`` puts the lease and revenue halves together).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from backend.db.models import Entity, Lease, LeaseRun, LeaseRunSchedule
from backend.engine.money import quantize
from backend.services.leases.drafts import get_lease
from backend.services.leases.config import LEASE_STANDARDS as STANDARDS
from backend.services.leases.run_reads import run_view
from backend.services.leases.runs import load_schedule
from backend.services.ledger.locks import check_period
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput
from backend.services.platform.pagination import Page, SortSpec, contains_text, paginate
from backend.services.platform.tenancy import get_entity_by_code

LEASE_STATUSES = ("draft", "confirmed", "terminated")


def search_view(lease: Lease, entity_code: str) -> dict:
    """A lease as a search hit: what an agent needs to pick one, not the whole engine input."""
    issues = lease.issues or []
    return {"kind": "lease", "id": lease.id, "entity": entity_code, "external_id": lease.external_id,
            "status": lease.status, "description": lease.description, "asset_class": lease.asset_class,
            "currency": lease.currency, "commencement_date": lease.commencement_date, "end_date": lease.end_date,
            "error_count": sum(i.get("severity") == "error" for i in issues),
            "warning_count": sum(i.get("severity") == "warning" for i in issues),
            "version": lease.version, "updated_at": lease.updated_at}


def search(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None = None, sort: str | None = None,
           entity: str | None = None, status: str | None = None, standard: str | None = None,
           asset_class: str | None = None, currency: str | None = None, text: str | None = None,
           commencing_from: date | None = None, commencing_to: date | None = None,
           ending_from: date | None = None, ending_to: date | None = None) -> Page:
    """Leases matching every given filter; ``text`` matches external id or description (any case);
    ``standard`` keeps leases that have a current schedule in that book."""
    if status is not None and status not in LEASE_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(LEASE_STATUSES)}.", code="invalid_status")
    if standard is not None and standard not in STANDARDS:
        raise InvalidInput(f"standard must be one of {', '.join(STANDARDS)}.", code="invalid_standard")
    spec = SortSpec.parse(sort, ["created_at", "end_date", "commencement_date", "external_id"])
    filters = {"entity": entity, "status": status, "standard": standard, "asset_class": asset_class,
               "currency": currency, "text": text, "commencing_from": commencing_from,
               "commencing_to": commencing_to, "ending_from": ending_from, "ending_to": ending_to}
    stmt = select(Lease)
    with rt.db.session(actor.tenant_id) as s:
        if entity:
            stmt = stmt.where(Lease.entity_id == get_entity_by_code(s, entity).id)
        for name in ("status", "asset_class", "currency"):
            if filters[name] is not None:
                stmt = stmt.where(getattr(Lease, name) == filters[name])
        if text:
            stmt = stmt.where(contains_text(text, Lease.external_id, Lease.description))
        for value, cond in ((commencing_from, lambda v: Lease.commencement_date >= v),
                            (commencing_to, lambda v: Lease.commencement_date <= v),
                            (ending_from, lambda v: Lease.end_date >= v), (ending_to, lambda v: Lease.end_date <= v)):
            if value is not None:
                stmt = stmt.where(cond(value))
        if standard:
            stmt = stmt.where(Lease.id.in_(select(LeaseRun.lease_id).where(
                LeaseRun.standard == standard, LeaseRun.is_current.is_(True))))
        codes = dict(s.execute(select(Entity.id, Entity.code)).all())
        return paginate(s, stmt, Lease, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters=filters, view=lambda x: search_view(x, codes[x.entity_id]))


def _at(sched, field: str, period: str) -> Decimal:
    """A balance column at the end of ``period``: zero before commencement and after the last month."""
    col = sched.columns.get(field)
    if col is None or not sched.periods_keys or period < sched.periods_keys[0]:
        return Decimal(0)
    if period > sched.periods_keys[-1]:
        return Decimal(0)
    v = col[sched.row_index(period)]
    return v if v is not None else Decimal(0)


def summary(rt: Runtime, actor: Actor, *, entity: str | None = None, period: str | None = None) -> dict:
    """Lease counts by entity and status; per entity × book × currency: leases with a schedule,
    closing liability (current / non-current) and ROU asset at the end of ``period`` (default:
    this month), and the initial liability and ROU recognised. Money as strings."""
    period = check_period(period) if period else rt.clock().strftime("%Y-%m")
    with rt.db.session(actor.tenant_id) as s:
        ent = get_entity_by_code(s, entity) if entity else None
        codes = dict(s.execute(select(Entity.id, Entity.code)).all())
        count_stmt = select(Lease.entity_id, Lease.status, func.count()).group_by(Lease.entity_id, Lease.status)
        runs_stmt = (select(LeaseRun, LeaseRunSchedule).join(LeaseRunSchedule, LeaseRunSchedule.run_id == LeaseRun.id)
                     .join(Lease, Lease.id == LeaseRun.lease_id).where(LeaseRun.is_current.is_(True),
                                                                        Lease.status.in_(("confirmed", "terminated"))))
        if ent is not None:
            count_stmt = count_stmt.where(Lease.entity_id == ent.id)
            runs_stmt = runs_stmt.where(LeaseRun.entity_id == ent.id)
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {st: 0 for st in LEASE_STATUSES})
        for entity_id, status, n in s.execute(count_stmt):
            counts[codes[entity_id]][status] = int(n)
        books: dict[tuple[str, str, str], dict] = {}
        for run, stored in s.execute(runs_stmt):
            code = codes[run.entity_id]
            sched = load_schedule(run, stored, code)
            key = (code, run.standard, run.currency)
            b = books.setdefault(key, {"leases": 0, "finance": 0, "operating": 0, "exempt": 0,
                                       **{f: Decimal(0) for f in ("liability", "liability_current",
                                                                  "liability_noncurrent", "rou_asset",
                                                                  "initial_liability", "initial_rou_asset")}})
            b["leases"] += 1
            if run.exemption:
                b["exempt"] += 1
            elif run.classification in ("finance", "operating"):
                b[run.classification] += 1
            b["liability"] += _at(sched, "closing_liability", period)
            b["liability_current"] += _at(sched, "liability_current", period)
            b["liability_noncurrent"] += _at(sched, "liability_noncurrent", period)
            b["rou_asset"] += _at(sched, "closing_rou_asset", period)
            b["initial_liability"] += Decimal(str(run.summary.get("initial_liability") or 0))
            b["initial_rou_asset"] += Decimal(str(run.summary.get("initial_rou_asset") or 0))
    money = ("liability", "liability_current", "liability_noncurrent", "rou_asset", "initial_liability",
             "initial_rou_asset")
    by_book = [{"entity": e, "standard": std, "currency": ccy,
                **{k: (str(quantize(v, ccy)) if k in money else v) for k, v in b.items()}}
               for (e, std, ccy), b in sorted(books.items())]
    return {"period": period, "entity": entity,
            "leases_by_entity": [{"entity": e, **c, "total": sum(c.values())} for e, c in sorted(counts.items())],
            "leases_by_book": by_book}


def lease_detail(rt: Runtime, actor: Actor, lease_id: str) -> dict:
    """The lease (engine input, issues, provenance) with the current run of each book."""
    lease = get_lease(rt, actor, lease_id)
    with rt.db.session(actor.tenant_id) as s:
        runs = s.scalars(select(LeaseRun).where(LeaseRun.lease_id == lease["id"], LeaseRun.is_current.is_(True))
                         .order_by(LeaseRun.standard)).all()
        return {**lease, "current_runs": [run_view(r) for r in runs]}
