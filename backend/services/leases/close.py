"""Leases as a source of the ledger's monthly close (``services/ledger/close.py``).

Which books leases post (the entity's lease policy), which current lease runs post in a period
(a run's stored schedule covers it and its catch-up did not already post it), and a run's entries
for the period (``engine.leases.period_postings`` over the stored schedule, loaded when asked).
"""
from __future__ import annotations

from functools import partial
from typing import cast

from sqlalchemy import select

from backend.db.models import Lease, LeaseRun, LeaseRunSchedule
from backend.engine.leases import LeaseSchedule, period_postings
from backend.services.leases.config import current_policy
from backend.services.leases.runs import load_schedule
from backend.services.ledger.periods import PeriodAxis
from backend.services.ledger.sources import SourceRun, register

ACTIVE = ("confirmed", "terminated")


class LeaseSource:
    source_type = "lease"
    books: tuple[str, ...] = ("IFRS16", "ASC842")

    def enabled_standards(self, s, entity) -> tuple[str, ...]:
        return tuple(current_policy(s, entity).policy.enabled_standards)

    def runs_for_period(self, s, entity, standard: str, period: str) -> list[SourceRun]:
        rows = s.execute(
            select(LeaseRun, LeaseRunSchedule)
            .join(LeaseRunSchedule, LeaseRunSchedule.run_id == LeaseRun.id)
            .join(Lease, Lease.id == LeaseRun.lease_id)
            .where(LeaseRun.entity_id == entity.id, LeaseRun.standard == standard,
                   LeaseRun.is_current.is_(True), Lease.status.in_(ACTIVE))
            .order_by(LeaseRun.lease_id)).all()
        return [SourceRun(run.lease_id, run.id, partial(_postings, run, stored, entity.code))
                for run, stored in rows if _posts_in(run.summary, stored.first_period, stored.period_count, period)]

    def runs_missing_close(self, s, entity_id: str, standard: str, period: str, posted_run_ids: set[str]) -> int:
        runs = s.execute(
            select(LeaseRun.id, LeaseRun.summary, LeaseRunSchedule.first_period, LeaseRunSchedule.period_count)
            .join(LeaseRunSchedule, LeaseRunSchedule.run_id == LeaseRun.id)
            .join(Lease, Lease.id == LeaseRun.lease_id)
            .where(LeaseRun.entity_id == entity_id, LeaseRun.standard == standard, LeaseRun.is_current.is_(True),
                   Lease.status.in_(ACTIVE))).all()
        return sum(1 for run_id, summary, first, count in runs
                   if _posts_in(summary, first, count, period) and run_id not in posted_run_ids)


def _postings(run, stored, entity_code: str, period: str):
    # A StoredSchedule has every attribute period_postings reads (see runs.StoredSchedule).
    return period_postings(cast(LeaseSchedule, load_schedule(run, stored, entity_code)), period)


def _posts_in(summary: dict, first_period: str, period_count: int, period: str) -> bool:
    return (PeriodAxis(first_period, period_count).position(period) is not None
            and period not in (summary.get("caught_up_periods") or ()))


register(LeaseSource())
