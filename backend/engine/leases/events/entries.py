"""Journal entries of a change, and the cumulative catch-up entry for locked periods.

Change entries are dated at the effective date and use the engine account codes
of ``postings``. Liability movements go to the non-current account: the
period's reclass entry (``period_postings``) then trues the current account up
to the new schedule's current portion, exactly as after commencement.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Sequence

from ...calendar import period_of
from ...errors import EngineError
from ...journal import JournalEntry, JournalLine, assert_balanced
from ...money import quantize
from ..postings import (CASH, GAIN_LOSS, LEASE_LIABILITY_NONCURRENT, ROU_ACCUMULATED_DEPRECIATION, ROU_ASSET,
                        _dims)
from ..result import LeaseSchedule

_ZERO = Decimal(0)


class EntryBuilder:
    """Signed amounts per account (positive = debit) for one entry."""

    def __init__(self, schedule: LeaseSchedule, currency: str | None = None) -> None:
        self.currency = currency or schedule.currency
        self.dims = _dims(schedule)
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


def catch_up_entry(entries: Sequence[JournalEntry], first_open_period: str, first_open_date: date, *,
                   replaces: Sequence[JournalEntry] = ()) -> tuple[JournalEntry | None, list[str]]:
    """One cumulative entry in the first open period for entries that belong to locked periods.

    ``entries`` are what the (new) schedule dates in locked periods (e.g. ``all_postings`` of
    a late-entered lease up to the last locked period, or an event's change entries and the
    rebuilt rows of locked periods); ``replaces`` are entries already posted there that the
    new version supersedes (their effect is netted off, nothing is reversed in a locked
    period). Amounts are netted per (account, currency, dimensions); accounts that net to
    zero are dropped. Returns the entry (None when everything nets to zero) and the sorted
    list of caught-up periods, also named in the memo. Raises ``catch_up_period_not_locked``
    if an entry is dated in or after the first open period.
    """
    if period_of(first_open_date) != first_open_period:
        raise EngineError("catch_up_date_outside_period",
                          f"{first_open_date.isoformat()} is not in the first open period {first_open_period}.",
                          field="first_open_date")
    net: dict[tuple, Decimal] = {}
    periods: set[str] = set()
    order: list[tuple] = []
    for sign, group in ((1, entries), (-1, replaces)):
        for e in group:
            if e.period >= first_open_period:
                raise EngineError("catch_up_period_not_locked",
                                  f"An entry dated in {e.period} is not in a locked period (the first open period "
                                  f"is {first_open_period}); post it normally.", field="entries",
                                  details={"period": e.period, "event": e.event})
            periods.add(e.period)
            for ln in e.lines:
                key = (ln.account, ln.currency, ln.dimensions)
                if key not in net:
                    order.append(key)
                    net[key] = _ZERO
                net[key] += sign * (ln.debit - ln.credit)
    caught_up = sorted(periods)
    lines = []
    for key in sorted(order):  # deterministic line order whatever the input order
        v = net[key]
        if v:
            acc, ccy, dims = key
            z = quantize(_ZERO, ccy)
            lines.append(JournalLine(acc, v if v > 0 else z, -v if v < 0 else z, ccy, dims))
    if not lines:
        return None, caught_up
    memo = "Catch-up of locked periods " + ", ".join(caught_up)
    e = JournalEntry(first_open_date, first_open_period, "lease.catch_up", tuple(lines), memo)
    assert_balanced(e)
    return e, caught_up
