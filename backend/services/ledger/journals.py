"""Journal lifecycle: approve (four eyes, humans only), batch approve, reverse, void, post.

Every state change is a conditional UPDATE (``WHERE status IN (…)``) that names the state it
expects, so of two concurrent requests on one entry exactly one changes it and the other gets
409: PostgreSQL re-checks the WHERE after the first commit releases the row lock, SQLite write
sessions are serialised by BEGIN IMMEDIATE. The database triggers of migration 0004 back these
rules up for any SQL that does not come through here.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from backend.db.ids import new_id
from backend.db.models import Entity, JournalEntry, JournalLine
from backend.engine import journal as ej
from backend.engine.calendar import period_end
from backend.engine.money import from_minor, to_minor
from backend.services.platform import audit_chain as audit
from backend.services.platform.gates import require_human
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, Forbidden, InvalidInput, ServiceError, Unprocessable
from backend.services.ledger.queries import get_entry_row, load_lines, views
from backend.engine.routing import PeriodLocks
from backend.services.ledger.locks import load_locks, refuse_if_locked
from backend.webhooks.outbox import emit

BATCH_MAX = 200
T = JournalEntry.__table__


# ---------------------------------------------------------------- events

def _emit(s, actor: Actor, event_type: str, view: dict, *, now: datetime, before: dict | None = None) -> None:
    """The one place a journal event leaves this module: ``journal.created|approved|reversed|voided|posted``:
    the audit row and the webhook outbox event, on the same ``s``, so both commit exactly when the
    change does and a rolled-back change emits nothing."""
    emit(s, actor, tenant_id=actor.tenant_id, event_type=event_type, data=view, now=now)
    audit.record_change(s, actor, now=now, action=event_type, resource_type="journal_entry",
                        resource_id=view["id"], before=before, after={k: v for k, v in view.items() if k != "lines"})


# ---------------------------------------------------------------- gates

def four_eyes(actor: Actor, e: JournalEntry) -> None:
    if e.prepared_by is not None and e.prepared_by == actor.user_id:
        raise Forbidden("You prepared this entry; another approver must approve it (four-eyes rule).",
                        code="four_eyes", details={"entry_id": e.id, "prepared_by": e.prepared_by})


_DONE = {"approve": "approved", "reverse": "reversed", "void": "voided", "post": "posted"}


def _wrong_state(e: JournalEntry, action: str, allowed: tuple[str, ...]) -> Conflict:
    code = "already_reversed" if e.status == "reversed" and action == "reverse" else f"not_{'_or_'.join(allowed)}"
    return Conflict(f"Entry {e.id} is {e.status}; only {' or '.join(allowed)} entries can be {_DONE[action]}.",
                    code=code, details={"entry_id": e.id, "status": e.status})


def _unbalanced_currencies(s, tenant_id: str, entry_id: str) -> list[str]:
    L = JournalLine
    rows = s.execute(select(L.currency, func.sum(L.debit_minor), func.sum(L.credit_minor))
                     .where(L.tenant_id == tenant_id, L.entry_id == entry_id).group_by(L.currency)).all()
    return ["(no lines)"] if not rows else [c for c, d, cr in rows if d != cr]


def _transition(s, actor: Actor, entry_id: str, expect: tuple[str, ...], **values) -> bool:
    """Compare-and-set on status; True when this call moved the entry."""
    stmt = (update(T).where(T.c.id == entry_id, T.c.tenant_id == actor.tenant_id, T.c.status.in_(expect))
            .values(**values).returning(T.c.id))
    try:
        return s.execute(stmt).first() is not None
    except IntegrityError as exc:  # a trigger of migration 0004 refused it
        raise Conflict("The database refused this change to a journal entry.", code="journal_immutable",
                       details={"entry_id": entry_id, "reason": str(exc.orig).split("\n")[0]}) from None


def _reload(s, e: JournalEntry) -> JournalEntry:
    s.refresh(e)
    return e


# ---------------------------------------------------------------- approve

def _approve_in(s, actor: Actor, e: JournalEntry, entity: Entity, locks: PeriodLocks, now: datetime) -> dict:
    if e.status != "draft":
        raise _wrong_state(e, "approve", ("draft",))
    four_eyes(actor, e)
    refuse_if_locked(locks, entity, e.standard, e.period)
    bad = _unbalanced_currencies(s, actor.tenant_id, e.id)
    if bad:
        raise Unprocessable(f"Entry {e.id} does not balance in {', '.join(bad)}.", code="unbalanced_journal",
                            details={"entry_id": e.id, "currencies": bad})
    if not _transition(s, actor, e.id, ("draft",), status="approved", approved_by=actor.user_id, approved_at=now):
        raise Conflict(f"Entry {e.id} changed while you approved it; reload it.", code="concurrent_change",
                       details={"entry_id": e.id})
    view = views(s, actor.tenant_id, [_reload(s, e)])[0]
    _emit(s, actor, "journal.approved", view, now=now, before={"status": "draft"})
    return view


def approve(rt: Runtime, actor: Actor, entry_id: str) -> dict:
    require_human(actor)
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        e = get_entry_row(s, entry_id)
        entity = s.get_one(Entity, e.entity_id)  # the entry's entity (a foreign key)
        return _approve_in(s, actor, e, entity, load_locks(s, entity.id), now)


def batch_approve(rt: Runtime, actor: Actor, ids: list[str]) -> dict:
    """Per-item results: each id is approved or refused on its own (in its own savepoint), and
    the approved ones commit together. One locked period or one stale draft does not hold back
    a month of others; the caller sees exactly which were refused and why."""
    require_human(actor)
    if not 1 <= len(ids) <= BATCH_MAX or len(set(ids)) != len(ids):
        raise InvalidInput(f"ids must hold 1 to {BATCH_MAX} distinct entry ids.", code="invalid_ids",
                           details=[{"field": "ids", "code": "invalid_ids", "message": "1–200 distinct ids"}])
    now = rt.clock()
    results = []
    with rt.db.session(actor.tenant_id, write=True) as s:
        entities: dict[str, tuple[Entity, PeriodLocks]] = {}
        for entry_id in ids:
            sp = s.begin_nested()
            try:
                e = get_entry_row(s, entry_id)
                if e.entity_id not in entities:
                    ent = s.get_one(Entity, e.entity_id)  # the entry's entity (a foreign key)
                    entities[e.entity_id] = (ent, load_locks(s, ent.id))
                ent, locks = entities[e.entity_id]
                view = _approve_in(s, actor, e, ent, locks, now)
                sp.commit()
                results.append({"id": entry_id, "outcome": "approved", "entry": view, "error": None})
            except ServiceError as exc:
                sp.rollback()
                results.append({"id": entry_id, "outcome": "refused", "entry": None,
                                "error": {"code": exc.code, "message": exc.message, "details": exc.details}})
    approved = sum(r["outcome"] == "approved" for r in results)
    return {"approved": approved, "refused": len(results) - approved, "results": results}


# ---------------------------------------------------------------- reverse

def _engine_entry(e: JournalEntry, lines: list[JournalLine]) -> ej.JournalEntry:
    return ej.JournalEntry(e.entry_date, e.period, e.event, tuple(
        ej.JournalLine(ln.account, from_minor(ln.debit_minor, ln.currency), from_minor(ln.credit_minor, ln.currency),
                       ln.currency, ej.as_dimensions(ln.dimensions)) for ln in lines), e.memo or "")


def reverse(rt: Runtime, actor: Actor, entry_id: str, memo: str | None = None) -> dict:
    """A reversing entry (debits and credits swapped, by the engine's pure ``reverse``) in the first
    open period from the original's; the original only changes status and ``reversed_by_id``.

    The reversal is born approved by the reverser — it mirrors an entry that already passed four
    eyes, and a draft reversal could be voided, leaving the original marked reversed for nothing.
    The same gate as approval applies: a human, not the original's preparer.
    """
    require_human(actor, "reverse journal entries")
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        e = get_entry_row(s, entry_id)
        if e.status not in ("approved", "posted"):
            raise _wrong_state(e, "reverse", ("approved", "posted"))
        four_eyes(actor, e)
        entity = s.get_one(Entity, e.entity_id)  # the entry's entity (a foreign key)
        period = load_locks(s, entity.id).first_open(e.standard, e.period)
        entry_date = e.entry_date if period == e.period else period_end(period)
        rev = ej.reverse(_engine_entry(e, load_lines(s, actor.tenant_id, [e.id])[e.id]),
                         entry_date=entry_date, period=period)
        if memo:
            rev = ej.JournalEntry(rev.entry_date, rev.period, rev.event, rev.lines, memo)
        ej.assert_balanced(rev)
        rev_id, before = new_id(), {"status": e.status}
        # Claim the original first: the loser of a race stops here, before writing anything.
        if not _transition(s, actor, e.id, ("approved", "posted"), status="reversed", reversed_by_id=rev_id):
            raise Conflict(f"Entry {e.id} was reversed or changed meanwhile.", code="already_reversed",
                           details={"entry_id": e.id})
        total = sum(to_minor(ln.debit, ln.currency) for ln in rev.lines)
        # Written as a draft, lines added, then approved: the triggers forbid lines on approved entries.
        s.execute(T.insert().values(
            id=rev_id, created_at=now, tenant_id=actor.tenant_id, entity_id=e.entity_id, standard=e.standard,
            period=rev.period, entry_date=rev.entry_date, currency=e.currency, event=rev.event[:40],
            source_operation="reversal", source_type=e.source_type, source_id=e.source_id, run_id=e.run_id, close_id=None, status="draft",
            memo=rev.memo[:500], total_debit_minor=total, dedupe_key=f"reversal:{e.id}", prepared_by=actor.user_id,
            prepared_actor_kind=actor.actor_kind, request_id=actor.request_id, reversal_of_id=e.id))
        s.execute(JournalLine.__table__.insert(), [
            {"entry_id": rev_id, "line_no": n, "tenant_id": actor.tenant_id, "account": ln.account,
             "debit_minor": to_minor(ln.debit, ln.currency), "credit_minor": to_minor(ln.credit, ln.currency),
             "currency": ln.currency, "dimensions": ln.dims} for n, ln in enumerate(rev.lines, start=1)])
        _transition(s, actor, rev_id, ("draft",), status="approved", approved_by=actor.user_id, approved_at=now)
        original, reversal = views(s, actor.tenant_id, [_reload(s, e), get_entry_row(s, rev_id)])
        _emit(s, actor, "journal.created", reversal, now=now)
        _emit(s, actor, "journal.reversed", original, now=now, before=before)
        return {"original": original, "reversal": reversal}


# ---------------------------------------------------------------- void and post

def void(rt: Runtime, actor: Actor, entry_id: str, reason: str | None = None) -> dict:
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        e = get_entry_row(s, entry_id)
        if e.status != "draft" or not _transition(s, actor, e.id, ("draft",), status="void"):
            raise _wrong_state(_reload(s, e), "void", ("draft",))
        view = views(s, actor.tenant_id, [_reload(s, e)])[0]
        _emit(s, actor, "journal.voided", {**view, "void_reason": reason}, now=now, before={"status": "draft"})
        return view


def set_posting_reference(rt: Runtime, actor: Actor, entry_id: str, reference: str) -> dict:
    """Record the ERP's posting id: approved → posted. Repeating the same reference is a no-op
    (PUT is idempotent); another reference on a posted entry is a conflict."""
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        e = get_entry_row(s, entry_id)
        if e.status == "posted" and e.posting_reference == reference:
            return views(s, actor.tenant_id, [e])[0]
        if e.status == "posted":
            raise Conflict(f"Entry {e.id} is already posted as {e.posting_reference}.", code="already_posted",
                           details={"entry_id": e.id, "posting_reference": e.posting_reference})
        if e.status != "approved" or not _transition(s, actor, e.id, ("approved",), status="posted",
                                                     posting_reference=reference, posted_at=now):
            raise _wrong_state(_reload(s, e), "post", ("approved",))
        view = views(s, actor.tenant_id, [_reload(s, e)])[0]
        _emit(s, actor, "journal.posted", view, now=now, before={"status": "approved"})
        return view

