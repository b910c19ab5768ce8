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
    books = ("IFRS15", "ASC606")

    def enabled_standards(self, s, entity) -> tuple[str, ...]:
        return tuple(current_policy(s, entity).policy.enabled_standards)

    def _current(self, s, entity_id: str, standard: str, *cols):
        return s.execute(select(*cols).join(RevenueContract, RevenueContract.id == RevenueRun.contract_id)
                         .where(RevenueRun.entity_id == entity_id, RevenueRun.standard == standard,
                                RevenueRun.is_current.is_(True), RevenueContract.status == "confirmed")
                         .order_by(RevenueRun.contract_id)).all()

    def runs_for_period(self, s, entity, standard: str, period: str) -> list[SourceRun]:
        out = []
        for run in self._current(s, entity.id, standard, RevenueRun):
            run = run[0]
            if period in run.posting_periods.split(","):
                stored = _Lazy(run.standard, run.currency, run.summary, run.first_period, run.period_count,
                               run.columns)
                out.append(SourceRun(run.contract_id, run.id, stored.postings))
        return out

    def runs_missing_close(self, s, entity_id: str, standard: str, period: str, posted_run_ids: set[str]) -> int:
        rows = self._current(s, entity_id, standard, RevenueRun.id, RevenueRun.posting_periods)
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
