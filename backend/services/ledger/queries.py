"""Reading journal entries: filters shared by list, summary and export; views; list and get."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import case, func, select

from backend.db.models import Entity, JournalEntry, JournalLine
from backend.engine.money import from_minor
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput, NotFound
from backend.services.platform.pagination import Page, SortSpec, paginate
from backend.services.ledger.locks import check_period

STATUSES = ("draft", "approved", "posted", "void", "reversed")
SORTABLE = ["created_at", "entry_date", "period"]


@dataclass(frozen=True)
class Filters:
    entity: str | None = None
    period: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    standard: str | None = None
    status: tuple[str, ...] = ()
    source: str | None = None  # source_operation: initial_recognition | monthly_close | reversal | …
    date_from: date | None = None
    date_to: date | None = None
    lease_id: str | None = None  # shorthand for source_type=lease & source_id
    run_id: str | None = None
    source_type: str | None = None
    source_id: str | None = None

    def check(self) -> "Filters":
        for p in (self.period, self.period_from, self.period_to):
            if p:
                check_period(p)
        bad = [x for x in self.status if x not in STATUSES]
        if bad:
            raise InvalidInput(f"Unknown status {', '.join(bad)}; use {', '.join(STATUSES)}.", code="invalid_status",
                               details=[{"field": "status", "code": "invalid_status", "message": f"got {bad}"}])
        return self

    def as_dict(self) -> dict:
        d = asdict(self)
        d["status"] = list(self.status)
        return {k: v for k, v in d.items() if v not in (None, [])}


def apply_filters(s, stmt, f: Filters):
    """Add the WHERE clauses of ``f`` to a statement over JournalEntry (tenant scoping is automatic)."""
    E = JournalEntry
    if f.entity:
        entity_id = s.scalar(select(Entity.id).where(Entity.code == f.entity))
        if entity_id is None:
            raise NotFound(f"No entity with code {f.entity}.", code="entity_not_found")
        stmt = stmt.where(E.entity_id == entity_id)
    for value, cond in ((f.period, lambda v: E.period == v), (f.period_from, lambda v: E.period >= v),
                        (f.period_to, lambda v: E.period <= v), (f.standard, lambda v: E.standard == v),
                        (f.source, lambda v: E.source_operation == v), (f.date_from, lambda v: E.entry_date >= v),
                        (f.date_to, lambda v: E.entry_date <= v),
                        (f.lease_id, lambda v: (E.source_type == "lease") & (E.source_id == v)),
                        (f.source_type, lambda v: E.source_type == v), (f.source_id, lambda v: E.source_id == v),
                        (f.run_id, lambda v: E.run_id == v)):
        if value:
            stmt = stmt.where(cond(value))
    if f.status:
        stmt = stmt.where(E.status.in_(f.status))
    return stmt


def money(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency))


def header_view(e: JournalEntry, entity_code: str) -> dict:
    return {"id": e.id, "entity": entity_code, "standard": e.standard, "period": e.period, "entry_date": e.entry_date,
            "currency": e.currency, "event": e.event, "source_operation": e.source_operation,
            "source_type": e.source_type, "source_id": e.source_id,
            "lease_id": e.source_id if e.source_type == "lease" else None,
            "run_id": e.run_id, "close_id": e.close_id, "status": e.status, "memo": e.memo,
            "total_debit": money(e.total_debit_minor, e.currency), "prepared_by": e.prepared_by,
            "prepared_actor_kind": e.prepared_actor_kind, "request_id": e.request_id, "approved_by": e.approved_by,
            "approved_at": e.approved_at, "posting_reference": e.posting_reference, "posted_at": e.posted_at,
            "reversal_of_id": e.reversal_of_id, "reversed_by_id": e.reversed_by_id, "created_at": e.created_at}


def line_view(ln: JournalLine) -> dict:
    return {"line_no": ln.line_no, "account": ln.account, "debit": money(ln.debit_minor, ln.currency),
            "credit": money(ln.credit_minor, ln.currency), "currency": ln.currency, "dimensions": ln.dimensions or {}}


def load_lines(s, tenant_id: str, entry_ids: list[str]) -> dict[str, list[JournalLine]]:
    out: dict[str, list[JournalLine]] = {i: [] for i in entry_ids}
    if entry_ids:
        # JournalLine is not TenantScoped (no ORM criteria), so the tenant is named explicitly.
        rows = s.scalars(select(JournalLine).where(JournalLine.tenant_id == tenant_id,
                                                   JournalLine.entry_id.in_(entry_ids))
                         .order_by(JournalLine.entry_id, JournalLine.line_no))
        for ln in rows:
            out[ln.entry_id].append(ln)
    return out


def entity_codes(s) -> dict[str, str]:
    return dict(s.execute(select(Entity.id, Entity.code)).all())


def views(s, tenant_id: str, entries: list[JournalEntry]) -> list[dict]:
    codes = entity_codes(s)
    lines = load_lines(s, tenant_id, [e.id for e in entries])
    return [{**header_view(e, codes.get(e.entity_id, "")), "lines": [line_view(ln) for ln in lines[e.id]]}
            for e in entries]


def get_entry_row(s, entry_id: str) -> JournalEntry:
    e = s.get(JournalEntry, entry_id)
    if e is None:
        raise NotFound(f"No journal entry {entry_id}.", code="journal_entry_not_found")
    return e


def get_entry(rt: Runtime, actor: Actor, entry_id: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        return views(s, actor.tenant_id, [get_entry_row(s, entry_id)])[0]


def list_entries(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
                 filters: Filters) -> Page:
    spec = SortSpec.parse(sort, SORTABLE)
    filters.check()
    with rt.db.session(actor.tenant_id) as s:
        stmt = apply_filters(s, select(JournalEntry), filters)
        page = paginate(s, stmt, JournalEntry, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters=filters.as_dict())
        page.data = views(s, actor.tenant_id, list(page.data))
        return page


def summary(rt: Runtime, actor: Actor, filters: Filters) -> dict:
    """Debit/credit totals by account × period × standard × currency, and entry counts by status."""
    filters.check()
    E, L = JournalEntry, JournalLine
    with rt.db.session(actor.tenant_id) as s:
        base = apply_filters(s, select(E.id), filters).subquery()
        rows = s.execute(
            select(L.account, E.period, E.standard, L.currency, func.sum(L.debit_minor), func.sum(L.credit_minor),
                   func.count(), func.count(func.distinct(L.entry_id)))
            .join(E, E.id == L.entry_id).where(L.entry_id.in_(select(base.c.id)), E.tenant_id == actor.tenant_id)
            .group_by(L.account, E.period, E.standard, L.currency)
            .order_by(E.period, E.standard, L.account, L.currency)).all()
        counts = dict(s.execute(apply_filters(s, select(E.status, func.count()), filters).group_by(E.status)).all())
        reversal_count = s.scalar(apply_filters(s, select(func.count(case((E.reversal_of_id.isnot(None), 1)))),
                                                filters))
    totals: dict[str, list[int]] = {}
    out_rows = []
    for account, period, standard, ccy, debit, credit, n_lines, n_entries in rows:
        t = totals.setdefault(ccy, [0, 0])
        t[0] += int(debit or 0)
        t[1] += int(credit or 0)
        out_rows.append({"account": account, "period": period, "standard": standard, "currency": ccy,
                         "debit": money(int(debit or 0), ccy), "credit": money(int(credit or 0), ccy),
                         "line_count": n_lines, "entry_count": n_entries})
    return {"filters": filters.as_dict(), "rows": out_rows,
            "totals_by_currency": [{"currency": c, "debit": money(d, c), "credit": money(cr, c)}
                                   for c, (d, cr) in sorted(totals.items())],
            "status_counts": {st: int(counts.get(st, 0)) for st in STATUSES},
            "entry_count": int(sum(counts.values())), "reversal_entry_count": int(reversal_count or 0)}
