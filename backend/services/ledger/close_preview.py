"""What a monthly close would post, computed the way the close computes it, writing nothing.

Uses the close's own selection (the source's runs that post in the period) and each run's postings;
reports locks and an existing close instead of refusing, so a reviewer sees the whole picture
before anyone requests the close. Works for any ledger source.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from backend.db.models import CloseRun, JournalEntry
from backend.engine.money import from_minor, to_minor
from backend.services.ledger.close import close_view
from backend.services.ledger.locks import check_period, load_locks
from backend.services.ledger.sources import source_of
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput
from backend.services.platform.tenancy import get_entity_by_code


def preview(rt: Runtime, actor: Actor, entity_code: str, period: str, standards: list[str] | None = None,
            source_type: str = "lease") -> dict:
    check_period(period)
    source = source_of(source_type)
    out = []
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        enabled = source.enabled_standards(s, entity)
        stds = standards or list(enabled)
        bad = [x for x in stds if x not in enabled]
        if bad:
            raise InvalidInput(f"Standard(s) {', '.join(bad)} are not enabled for {entity.code}.",
                               code="standard_not_enabled")
        locks = load_locks(s, entity.id)
        for std in stds:
            runs = source.runs_for_period(s, entity, std, period)
            present = set(s.scalars(select(JournalEntry.run_id).where(
                JournalEntry.entity_id == entity.id, JournalEntry.standard == std, JournalEntry.period == period,
                JournalEntry.source_operation == "monthly_close").distinct()))
            drafts_in_period = s.scalar(select(func.count()).select_from(JournalEntry).where(
                JournalEntry.entity_id == entity.id, JournalEntry.standard == std, JournalEntry.period == period,
                JournalEntry.status == "draft")) or 0
            by_event: dict[str, int] = defaultdict(int)
            debits: dict[str, int] = defaultdict(int)
            by_account: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
            new_entries = 0
            for run in runs:
                if run.run_id in present:
                    continue
                for e in run.postings(period):
                    new_entries += 1
                    by_event[e.event] += 1
                    for ln in e.lines:
                        debits[ln.currency] += to_minor(ln.debit, ln.currency)
                        acc = by_account[(ln.account, ln.currency)]
                        acc[0] += to_minor(ln.debit, ln.currency)
                        acc[1] += to_minor(ln.credit, ln.currency)
            existing = s.scalar(select(CloseRun).where(CloseRun.entity_id == entity.id, CloseRun.standard == std,
                                                       CloseRun.period == period))
            locked = locks.is_locked(std, period)
            out.append({
                "standard": std, "period": period, "locked": locked,
                "existing_close": close_view(existing, entity.code) if existing else None,
                "leases_covered": len(runs), "leases_already_posted": len(present & {r.run_id for r in runs}),
                "entries_to_write": new_entries, "entries_by_event": dict(by_event),
                "debits_by_currency": {c: str(from_minor(v, c)) for c, v in sorted(debits.items())},
                "by_account": [{"account": a, "currency": c, "debit": str(from_minor(d, c)),
                                "credit": str(from_minor(cr, c))} for (a, c), (d, cr) in sorted(by_account.items())],
                "draft_entries_in_period": int(drafts_in_period),
                "can_close": not locked,
                "blocked_reason": (f"Period {period} is locked for {std}; an APPROVER must unlock it first."
                                   if locked else None)})
    return {"entity": entity_code, "period": period, "dry_run": True, "books": out}
