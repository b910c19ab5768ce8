"""Revenue contracts as a source of the ledger's monthly close (``services/ledger/close.py``).

Books: IFRS15 and ASC606 (the entity's revenue policy snapshot enables them). A current run
posts in a period when the period is among its stored ``posting_periods`` (the engine's
``posting_periods`` minus periods its catch-up already covered); its entries for the period are
the engine's ``period_postings`` over the stored run.
"""
from __future__ import annotations

from sqlalchemy import select

from backend.db.models import RevenueContract, RevenueRun
from backend.services.ledger.sources import SourceRun, register
from backend.services.revenue.config import current_policy
from backend.services.revenue.stored import StoredResult


class RevenueSource:
    source_type = "revenue_contract"
    books: tuple[str, ...] = ("IFRS15", "ASC606")

    def enabled_standards(self, s, entity) -> tuple[str, ...]:
        return tuple(current_policy(s, entity).policy.enabled_standards)

    def _current(self, s, entity_id: str, standard: str, *cols, period: str | None = None):
        stmt = (select(*cols).join(RevenueContract, RevenueContract.id == RevenueRun.contract_id)
                .where(RevenueRun.entity_id == entity_id, RevenueRun.standard == standard,
                       RevenueRun.is_current.is_(True), RevenueContract.status == "confirmed"))
        if period:
            stmt = stmt.where(RevenueRun.posting_periods.contains(period))
        return s.execute(stmt.order_by(RevenueRun.contract_id)).all()

    def runs_for_period(self, s, entity, standard: str, period: str) -> list[SourceRun]:
        # Columns, not ORM objects, and a LIKE pre-filter on the stored posting periods: a close
        # of 10,000 contracts reads only the runs that post in the period, each parsed when asked.
        rows = self._current(s, entity.id, standard, RevenueRun.id, RevenueRun.contract_id, RevenueRun.currency,
                             RevenueRun.posting_periods, RevenueRun.summary, RevenueRun.first_period,
                             RevenueRun.period_count, RevenueRun.columns, period=period)
        return [SourceRun(contract_id, run_id, _Lazy(standard, ccy, sm, first, count, cols).postings)
                for run_id, contract_id, ccy, posts, sm, first, count, cols in rows
                if period in posts.split(",")]

    def runs_missing_close(self, s, entity_id: str, standard: str, period: str, posted_run_ids: set[str]) -> int:
        rows = self._current(s, entity_id, standard, RevenueRun.id, RevenueRun.posting_periods, period=period)
        return sum(1 for run_id, posts in rows if period in posts.split(",") and run_id not in posted_run_ids)


class _Lazy:
    """Parses the stored columns only when the close asks for the run's entries."""

    __slots__ = ("args",)

    def __init__(self, *args):
        self.args = args

    def postings(self, period: str):
        std, ccy, sm, first, count, cols = self.args
        return StoredResult(standard=std, currency=ccy, external_id=sm["external_id"], entity=sm["entity"],
                            po_ids=sm["po_ids"], first_period=first, period_count=count,
                            columns=cols).postings(period)


register(RevenueSource())
