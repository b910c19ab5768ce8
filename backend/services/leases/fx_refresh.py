"""Foreign-currency leases filled in as exchange rates arrive (#14).

Recognition needs only the commencement rate; a schedule's functional-currency columns are left
empty for the months whose closing rate is not known yet, and a close of such a month is refused
naming the pair and date. When rates are added, every confirmed lease of the entity whose current
runs still have empty functional months gets a CATCH_UP run (recorded, with lineage): the same
lease-currency figures, the functional columns filled as far as the rates now reach.
"""
from __future__ import annotations

import json

from sqlalchemy import select

from backend.db.models import Entity, Lease, LeaseRun, LeaseRunSchedule
from backend.engine.leases.result import FUNCTIONAL_FIELDS
from backend.services.leases.events import request_run
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.tenancy import get_entity_by_code


def _has_gaps(columns_json: str) -> bool:
    cols = json.loads(columns_json)
    return any("" in cols[f].split(",") for f in FUNCTIONAL_FIELDS if isinstance(cols.get(f), str) and cols[f])


def leases_with_missing_rates(s, entity: Entity) -> list[tuple[str, str]]:
    """(lease id, commencement date) of confirmed foreign-currency leases whose current run lacks
    functional-currency figures for some months."""
    rows = s.execute(
        select(Lease.id, Lease.commencement_date, LeaseRunSchedule.columns)
        .join(LeaseRun, LeaseRun.lease_id == Lease.id)
        .join(LeaseRunSchedule, LeaseRunSchedule.run_id == LeaseRun.id)
        .where(Lease.entity_id == entity.id, Lease.status == "confirmed", LeaseRun.is_current.is_(True),
               Lease.currency != entity.functional_currency)).all()
    found: dict[str, str] = {}
    for lease_id, commencement, columns in rows:
        if lease_id not in found and _has_gaps(columns):
            found[lease_id] = commencement.isoformat()
    return sorted(found.items())


def refresh_after_rates(rt: Runtime, actor: Actor, entity_code: str) -> list[dict]:
    """Queue a CATCH_UP run for each lease the new rates may fill; returns what was queued."""
    with rt.db.session(actor.tenant_id) as s:
        todo = leases_with_missing_rates(s, get_entity_by_code(s, entity_code))
    return [request_run(rt, actor, lease_id=lease_id, run_type="CATCH_UP", effective_date=commencement, changes={})
            for lease_id, commencement in todo]


def put_fx_rates(rt: Runtime, actor: Actor, entity_code: str, rates: list[dict]) -> dict:
    """Store the rates, then fill the foreign-currency leases they reach (``refreshed``: the runs queued)."""
    from backend.services.leases import config

    out = config.put_fx_rates(rt, actor, entity_code, rates)
    queued = refresh_after_rates(rt, actor, entity_code)
    return {**out, "refreshed": [{"lease_id": q["lease_id"], "job_id": q["job_id"]} for q in queued]}
