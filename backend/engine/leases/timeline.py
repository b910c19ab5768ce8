"""Lease time: lease months from commencement, calendar-month rows, instants.

An *instant* is a date read as "the start of that day". A payment made at the
end of a day (arrears) sits at the next day's instant, so an annual arrears
payment on 31 Dec for a lease starting 1 Jan is exactly 12 lease months in.

``t(instant)`` measures time in lease months: whole months between
anniversaries of the commencement date (a month-end commencement stays on
month ends) plus the day fraction of the current lease month. Interest growth,
straight-line depreciation and straight-line lease cost are functions of ``t``,
which is how each lease period is allocated to calendar months by days when a
lease starts mid-month.

``cal(t)`` measures the same time in *calendar months* (each calendar month one
unit, a part month its share by days): the axis of the ``calendar_month``
depreciation convention, on which every full calendar month of the term gets
an equal straight-line amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from decimal import Decimal

import decimal
from typing import Callable

from ..calendar import ONE_DAY, add_months, days_in_month, iter_month_ends
from .rates import CONTEXT


_INTS = [Decimal(i) for i in range(1201)]
_DIV, _ADD = CONTEXT.divide, CONTEXT.add


def _int_dec(k: int) -> Decimal:
    return _INTS[k] if k < 1201 else Decimal(k)


@dataclass
class LeaseClock:
    commencement: date
    end_instant: date  # end_date + 1 day
    row_ends: tuple[date, ...]  # calendar month ends, commencement month .. end month
    row_instants: tuple[date, ...]  # closing instant of each row (day after the row end, capped at the end)
    row_t: tuple[Decimal, ...] = ()  # t() at each row's closing instant
    term_months: Decimal = Decimal(0)
    period_keys: tuple[str, ...] = ()  # "YYYY-MM" of each row
    row_ordinals: tuple[int, ...] = ()  # row_instants as day ordinals
    anniversaries: tuple[date, ...] = ()  # commencement + k months
    end_ordinal: int = 0
    row_cal: tuple[Decimal, ...] = ()  # cal() at each row's closing instant
    _anniv: list[int] = field(default_factory=list)  # ordinals of commencement + k months
    _t_cache: dict[date, Decimal] = field(default_factory=dict)
    _cal_cache: dict[Decimal, Decimal] = field(default_factory=dict)

    def t(self, instant: date) -> Decimal:
        """Lease months from commencement to ``instant`` (negative before it)."""
        r = self._t_cache.get(instant)
        if r is None:
            r = self._t_cache[instant] = self._t(instant)
        return r

    def _t(self, instant: date) -> Decimal:
        # always at the engine's precision (CONTEXT's own arithmetic): clocks are shared,
        # so a memo must not depend on the caller's context
        o = instant.toordinal()
        an = self._anniv
        if o < an[0]:
            return _DIV(Decimal(o - an[0]), _INTS[31])
        c = self.commencement
        k = (instant.year - c.year) * 12 + (instant.month - c.month)
        if k + 1 >= len(an):  # beyond the precomputed range: extend a private copy
            an = an + [add_months(c, j).toordinal() for j in range(len(an), k + 2)]
        if an[k] > o:  # anniversary day later in the month than the instant
            k -= 1
        days = o - an[k]
        if days == 0:
            return _int_dec(k)
        return _ADD(_int_dec(k), _DIV(_int_dec(days), _int_dec(an[k + 1] - an[k])))

    def cal_of_t(self, t: Decimal) -> Decimal:
        """Calendar months from commencement to the lease-month time ``t`` (``t`` >= 0, memoised)."""
        r = self._cal_cache.get(t)
        if r is None:
            with decimal.localcontext(CONTEXT):
                r = self._cal_cache[t] = self._cal_of_t(t)
        return r

    def _cal_of_t(self, t: Decimal) -> Decimal:
        k = int(t)
        an = self._anniv
        if k + 1 >= len(an):
            c = self.commencement
            an = an + [add_months(c, j).toordinal() for j in range(len(an), k + 2)]
        o = an[k] + (t - k) * (an[k + 1] - an[k])  # a day ordinal, fractional inside a day
        return self._cal_exact(o)

    def _cal_of_ordinal(self, o: Decimal | int) -> Decimal:
        with decimal.localcontext(CONTEXT):
            return self._cal_exact(o)

    def _cal_exact(self, o: Decimal | int) -> Decimal:
        whole = int(o)
        d = date.fromordinal(whole)
        c = self.commencement
        months = (d.year - c.year) * 12 + (d.month - c.month)
        into = Decimal(d.day - 1) + (o - whole)
        return (_int_dec(months) + into / days_in_month(d.year, d.month)
                - Decimal(c.day - 1) / days_in_month(c.year, c.month))

    def axis(self, convention: str) -> tuple[tuple[Decimal, ...], Callable[[Decimal], Decimal]]:
        """Time axis of straight-line charges: row closing times and the map from lease
        months, for ``calendar_month`` (calendar months) or ``daily`` (lease months)."""
        if convention == "daily":
            return self.row_t, _identity
        return self.row_cal, self.cal_of_t

    def row_of(self, d: date) -> int:
        """Row (calendar month) holding date ``d``, clamped to the schedule."""
        c = self.commencement
        k = (d.year - c.year) * 12 + (d.month - c.month)
        return 0 if k < 0 else min(k, len(self.row_ends) - 1)


def build_clock(commencement: date, end_date: date) -> LeaseClock:
    """The clock of a lease running from ``commencement`` to ``end_date`` inclusive.

    Clocks are shared between leases with the same dates (portfolios repeat
    month-start commencements), so a clock is never mutated after it is built
    apart from its memo of ``t()`` values, which is idempotent."""
    return _clock(commencement, end_date)


@lru_cache(maxsize=65536)
def lease_term_months(commencement: date, end_date: date) -> Decimal:
    """``build_clock(commencement, end_date).term_months`` without building the month rows: what
    validation, exemption tests and the IBR lookup need (a register of 10,000 leases with their own
    dates would otherwise build 10,000 full clocks before any schedule is asked for)."""
    end_instant = end_date + ONE_DAY
    k = (end_instant.year - commencement.year) * 12 + (end_instant.month - commencement.month)
    anniv = [add_months(commencement, j).toordinal() for j in range(max(k, 0) + 2)]
    return LeaseClock(commencement, end_instant, (), (), _anniv=anniv).t(end_instant)


@lru_cache(maxsize=4096)
def _clock(commencement: date, end_date: date) -> LeaseClock:
    end_instant = end_date + ONE_DAY
    ends = iter_month_ends(commencement, end_date)
    n = len(ends) + 14
    anniv_dates = tuple(add_months(commencement, k) for k in range(n))
    anniv = [d.toordinal() for d in anniv_dates]
    clock = LeaseClock(commencement, end_instant, tuple(ends),
                       tuple(min(e + ONE_DAY, end_instant) for e in ends), _anniv=anniv)
    clock.row_t = tuple(clock.t(i) for i in clock.row_instants)
    clock.term_months = clock.row_t[-1]
    clock.period_keys = tuple(f"{e.year:04d}-{e.month:02d}" for e in ends)
    clock.row_ordinals = tuple(i.toordinal() for i in clock.row_instants)
    clock.anniversaries = anniv_dates
    clock.end_ordinal = end_instant.toordinal()
    # every row but the last closes on the 1st of a month: whole calendar months, less the part
    # of the commencement month before commencement
    off = _DIV(_int_dec(commencement.day - 1), _int_dec(days_in_month(commencement.year, commencement.month)))
    last_cal = (clock._cal_of_ordinal(clock.row_ordinals[-1]),)
    if off:
        clock.row_cal = tuple(CONTEXT.subtract(_int_dec(k), off) for k in range(1, len(ends))) + last_cal
    else:  # a 1st-of-month start: lease months are calendar months
        clock.row_cal = clock.row_t[:-1] + last_cal
    return clock


def _identity(t: Decimal) -> Decimal:
    return t
