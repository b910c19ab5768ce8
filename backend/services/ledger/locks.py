"""Period locks per entity and standard. A period with no lock row is OPEN."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from backend.db.models import Entity, PeriodLock
from backend.engine.calendar import parse_period
from backend.engine.routing import ALL, PeriodLocks
from backend.services.platform import audit_chain as audit
from backend.services.platform.gates import require_human
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput
from backend.services.platform.tenancy import get_entity_by_code
from backend.webhooks.outbox import emit



def check_period(period: str) -> str:
    try:
        parse_period(period)
    except ValueError:
        raise InvalidInput(f"period must be YYYY-MM, got {period!r}.", code="invalid_period",
                           details=[{"field": "period", "code": "invalid_period", "message": "use YYYY-MM"}]) from None
    return period


def load_locks(s, entity_id: str) -> PeriodLocks:
    """The entity's locks as the engine's pure ``PeriodLocks`` (one query)."""
    return PeriodLocks.of(s.execute(select(PeriodLock.standard, PeriodLock.period, PeriodLock.status)
                                    .where(PeriodLock.entity_id == entity_id)).all())


def refuse_if_locked(locks: PeriodLocks, entity: Entity, standard: str, period: str) -> None:
    if locks.is_locked(standard, period):
        raise Conflict(f"Period {period} of entity {entity.code} is locked for {standard}. Unlock it first "
                       "(APPROVER or above), or record the change as a catch-up in the first open period.",
                       code="period_locked", details={"entity": entity.code, "standard": standard, "period": period})


def lock_view(entity: Entity, standard: str, period: str, row: PeriodLock | None) -> dict:
    return {"entity": entity.code, "standard": standard, "period": period,
            "status": row.status if row else "OPEN", "changed_by": row.changed_by if row else None,
            "changed_at": row.changed_at if row else None, "reason": row.reason if row else None}


def get_locks(rt: Runtime, actor: Actor, entity_code: str, *, period: str | None = None,
              standard: str | None = None, books: Sequence[str] | None = None) -> list[dict]:
    """The entity's locks (``books``: only these standards and ALL — each source's route lists its own)."""
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        stmt = select(PeriodLock).where(PeriodLock.entity_id == entity.id).order_by(PeriodLock.period)
        if books is not None:
            stmt = stmt.where(PeriodLock.standard.in_([*books, ALL]))
        if standard:
            stmt = stmt.where(PeriodLock.standard == standard)
        if period:
            stmt = stmt.where(PeriodLock.period == check_period(period))
        rows = s.scalars(stmt).all()
        if period and not rows:
            # An explicit OPEN record for a period nobody locked.
            return [lock_view(entity, standard or ALL, period, None)]
        return [lock_view(entity, r.standard, r.period, r) for r in rows]


def set_lock(rt: Runtime, actor: Actor, entity_code: str, period: str, standard: str, status: str,
             reason: str | None) -> dict:
    check_period(period)
    require_human(actor, "lock or unlock accounting periods")
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        row = s.scalar(select(PeriodLock).where(PeriodLock.entity_id == entity.id, PeriodLock.standard == standard,
                                                PeriodLock.period == period))
        before = lock_view(entity, standard, period, row)
        if row is None:
            row = PeriodLock(entity_id=entity.id, standard=standard, period=period, status=status)
            s.add(row)
        row.status, row.changed_by, row.changed_at, row.reason = status, actor.user_id, now, reason
        s.flush()
        after = lock_view(entity, standard, period, row)
        if before["status"] != after["status"]:
            emit(s, actor, tenant_id=actor.tenant_id, now=now, data=after,
                 event_type="period.locked" if status == "LOCKED" else "period.unlocked")
        audit.record_change(s, actor, now=now, action="period_locks." + status.lower(), resource_type="period_lock",
                            resource_id=f"{entity.code}:{standard}:{period}", before=before, after=after)
        return after
