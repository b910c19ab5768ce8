"""Journal entries of a change, and the cumulative catch-up entry for locked periods.

Change entries are dated at the effective date and use the engine account codes
of ``postings``. Liability movements go to the non-current account: the
period's reclass entry (``period_postings``) then trues the current account up
to the new schedule's current portion, exactly as after commencement.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ...calendar import period_of
from ...journal import JournalEntry, JournalLine, as_dimensions, assert_balanced
from ...money import quantize
from ..postings import (CASH, GAIN_LOSS, LEASE_LIABILITY_NONCURRENT, ROU_ACCUMULATED_DEPRECIATION, ROU_ASSET,
                        _dims)
from ..result import LeaseSchedule
from ...routing import catch_up_entry as catch_up_entry  # re-exported: the lease package's name for the ledger rule

_ZERO = Decimal(0)


class EntryBuilder:
    """Signed amounts per account (positive = debit) for one entry."""

    def __init__(self, schedule: LeaseSchedule, currency: str | None = None) -> None:
        self.currency = currency or schedule.currency
        self.dims = as_dimensions(_dims(schedule))
        self.zero = quantize(_ZERO, self.currency)
        self.lines: list[JournalLine] = []

    def post(self, account: str, signed: Decimal) -> "EntryBuilder":
        if signed > 0:
            self.lines.append(JournalLine(account, signed, self.zero, self.currency, self.dims))
        elif signed < 0:
            self.lines.append(JournalLine(account, self.zero, -signed, self.currency, self.dims))
        return self

    def entry(self, d: date, event: str, memo: str) -> JournalEntry | None:
        if not self.lines:
            return None
        e = JournalEntry(d, period_of(d), event, tuple(self.lines), memo)
        assert_balanced(e)
        return e


def partial_derecognition(s: LeaseSchedule, d: date, liability: Decimal, cost: Decimal, accumulated: Decimal,
                          gain: Decimal, memo: str, currency: str | None = None,
                          penalty: Decimal = _ZERO) -> JournalEntry | None:
    """IFRS 16 IE 17 pattern: Dr liability / Dr accumulated depreciation / Cr ROU cost / gain (Cr) or loss (Dr),
    Cr cash for a penalty paid on a partial termination. ``currency``: the functional currency for a
    foreign-currency lease (amounts already translated)."""
    b = EntryBuilder(s, currency)
    b.post(LEASE_LIABILITY_NONCURRENT, liability).post(ROU_ACCUMULATED_DEPRECIATION, accumulated)
    b.post(ROU_ASSET, -cost).post(CASH, -penalty).post(GAIN_LOSS, -gain)
    return b.entry(d, "lease.partial_termination", memo)


def remeasurement(s: LeaseSchedule, d: date, liability_increase: Decimal, rou_increase: Decimal, gain: Decimal,
                  event: str, memo: str, currency: str | None = None) -> JournalEntry | None:
    """Dr ROU / Cr liability (or the reverse); a decrease beyond the ROU carrying amount is a gain."""
    b = EntryBuilder(s, currency)
    b.post(ROU_ASSET, rou_increase).post(LEASE_LIABILITY_NONCURRENT, -liability_increase).post(GAIN_LOSS, -gain)
    return b.entry(d, event, memo)


def termination(s: LeaseSchedule, d: date, liability: Decimal, cost: Decimal, accumulated: Decimal,
                penalty: Decimal, gain: Decimal, memo: str, currency: str | None = None) -> JournalEntry | None:
    """Derecognise liability and ROU (cost and accumulated depreciation); the penalty is paid
    in cash and is part of the gain or loss (PwC LG 5.5)."""
    b = EntryBuilder(s, currency)
    b.post(LEASE_LIABILITY_NONCURRENT, liability).post(ROU_ACCUMULATED_DEPRECIATION, accumulated)
    b.post(ROU_ASSET, -cost).post(CASH, -penalty).post(GAIN_LOSS, -gain)
    return b.entry(d, "lease.termination", memo)
