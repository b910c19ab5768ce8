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
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..calendar import ONE_DAY, add_months, iter_month_ends


@dataclass
class LeaseClock:
    commencement: date
    end_instant: date  # end_date + 1 day
    row_ends: list[date]  # calendar month ends, commencement month .. end month
    row_instants: list[date]  # closing instant of each row (day after the row end, capped at the end)
    row_t: list[Decimal] = field(default_factory=list)  # t() at each row's closing instant
    term_months: Decimal = Decimal(0)
    _anniv: list[int] = field(default_factory=list)  # ordinals of commencement + k months

    def t(self, instant: date) -> Decimal:
        """Lease months from commencement to ``instant`` (negative before it)."""
        o = instant.toordinal()
        an = self._anniv
        if o < an[0]:
            return Decimal(o - an[0]) / Decimal(31)
        while o >= an[-1]:
            an.append(add_months(self.commencement, len(an)).toordinal())
        k = bisect_right(an, o) - 1
        days = o - an[k]
        if days == 0:
            return Decimal(k)
        return Decimal(k) + Decimal(days) / Decimal(an[k + 1] - an[k])

    def row_of(self, d: date) -> int:
        """Row (calendar month) holding date ``d``, clamped to the schedule."""
        c = self.commencement
        k = (d.year - c.year) * 12 + (d.month - c.month)
        return 0 if k < 0 else min(k, len(self.row_ends) - 1)


def build_clock(commencement: date, end_date: date) -> LeaseClock:
    end_instant = end_date + ONE_DAY
    ends = iter_month_ends(commencement, end_date)
    n = len(ends) + 2
    anniv = [add_months(commencement, k).toordinal() for k in range(n)]
    clock = LeaseClock(commencement, end_instant, ends, [min(e + ONE_DAY, end_instant) for e in ends],
                       _anniv=anniv)
    clock.row_t = [clock.t(i) for i in clock.row_instants]
    clock.term_months = clock.row_t[-1]
    return clock
