"""Step 5 measures of progress: each PO gets a function ``date -> (num, den)``, the fraction of its
allocation earned by the end of that day. Cumulative revenue is then ``round(alloc × num / den)``
and a period's revenue the difference of two rounded cumulatives, so cents always reconcile.

- point in time: 0 before ``delivered_date``, 1 from it (25-30).
- ratable, daily: days elapsed over the days of [start_date, end_date], both inclusive.
- ratable, monthly: equal shares per calendar month from the start month; n = the number of
  monthly anniversaries needed to reach the day after ``end_date``, so a partial last month is cut
  off (Stripe's "by month evenly": 2026-06-15..2026-10-12 gives June to September).
- progress points (percent, costs to date / total expected costs, units delivered / quantity): the
  latest point on or before the date; a later lower point reverses revenue (a change in estimate, 25-35).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from fractions import Fraction
from decimal import Decimal
from typing import Any, Callable, cast

from ..calendar import ONE_DAY, add_months, days_in_month
from .contract import PerformanceObligation, ProgressPoint

Frac = tuple[int, int]
Progress = Callable[[date], Frac]
ZERO: Frac = (0, 1)
ONE: Frac = (1, 1)


def described(f: Progress, *kind: Any) -> Progress:
    """``f`` with ``f.kind = kind``: each function also describes itself so hot loops can run it over
    many dates (``balances``); a progress function without ``kind`` is called date by date."""
    f.__dict__["kind"] = kind  # a plain function attribute (``getattr(f, "kind", None)`` reads it)
    return f


def rhu(x: int, den: int) -> int:
    """x / den rounded half up (away from zero), in integers."""
    if x >= 0:
        return (2 * x + den) // (2 * den)
    return -((-2 * x + den) // (2 * den))


def never(d: date) -> Frac:
    return ZERO


described(never, "never")


def at_point(when: date | None) -> Progress:
    if when is None:
        return never

    def f(d: date) -> Frac:
        return ONE if d >= when else ZERO
    return described(f, "point", when.toordinal())


def ratable_daily(start: date, end: date) -> Progress:
    s0 = start.toordinal() - 1
    total = end.toordinal() - s0

    def f(d: date) -> Frac:
        k = d.toordinal() - s0
        return (0 if k < 0 else total if k > total else k, total)
    return described(f, "daily", s0, total)


def monthly_count(start: date, end: date) -> int:
    """Months of the "by month evenly" convention for the service days [start, end]."""
    stop = end + ONE_DAY
    n = (stop.year - start.year) * 12 + stop.month - start.month
    while add_months(start, n, sticky_month_end=False) < stop:
        n += 1
    while n > 1 and add_months(start, n - 1, sticky_month_end=False) >= stop:
        n -= 1
    return max(n, 1)


def ratable_monthly(start: date, end: date) -> Progress:
    n = monthly_count(start, end)
    base = start.year * 12 + start.month

    def f(d: date) -> Frac:
        if d < start:
            return (0, n)
        m = d.year * 12 + d.month - base + (1 if d.day == days_in_month(d.year, d.month) else 0)
        return (m if m < n else n, n)
    return described(f, "monthly", start.toordinal(), base, n)


def exact(d: Decimal | int) -> Fraction:
    """A Decimal (or int) as an exact Fraction, without the slow generic conversion."""
    if isinstance(d, int):
        return Fraction(d)
    sign, digits, exp_ = d.as_tuple()
    exp = cast(int, exp_)  # finite: the parsers refuse NaN and Infinity
    n = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    return Fraction(n * 10 ** exp, 1) if exp >= 0 else Fraction(n, 10 ** -exp)


def point_fraction(p: ProgressPoint, quantity: Decimal | int | None) -> Fraction:
    if p.percent is not None:
        f = exact(p.percent) / 100
    elif p.units_delivered is not None:
        assert quantity is not None, "parse_po requires a quantity for units_delivered progress"
        f = exact(p.units_delivered) / exact(quantity)
    else:
        # parse_contract: a point without percent or units has costs to date and total expected costs
        assert p.costs_incurred_to_date is not None and p.total_expected_costs is not None
        f = exact(p.costs_incurred_to_date) / exact(p.total_expected_costs)
    return min(max(f, Fraction(0)), Fraction(1))


def stepwise(points: list[tuple[date, Fraction]]) -> Progress:
    ords = [p[0].toordinal() for p in points]
    vals = [(v.numerator, v.denominator) for _, v in points]

    def f(d: date) -> Frac:
        k = bisect_right(ords, d.toordinal())
        return vals[k - 1] if k else ZERO
    return described(f, "steps", ords, vals)


def progress_points(po: PerformanceObligation, quantity: Decimal | int | None = None) -> list[tuple[date, Fraction]]:
    q = quantity if quantity is not None else po.quantity
    pts = [(p.date, point_fraction(p, q)) for p in po.progress]
    if po.delivered_date is not None and po.pattern != "ratable":
        pts = [x for x in pts if x[0] < po.delivered_date] + [(po.delivered_date, Fraction(1))]
    return pts


def progress_for(po: PerformanceObligation, convention: str) -> Progress:
    if po.pattern == "ratable":
        fn = ratable_monthly if convention == "monthly" else ratable_daily
        # parse_po gives a ratable PO its end date and (default: the contract's) start date
        assert po.start_date is not None and po.end_date is not None
        return fn(po.start_date, po.end_date)
    if po.progress:
        return stepwise(progress_points(po))
    return at_point(po.delivered_date)


def remaining_from(f: Progress, before: date) -> Progress:
    """Progress of what is left after ``before`` (prospective modification): (f − f0) / (1 − f0)."""
    n0, d0 = f(before)
    f0 = Fraction(n0, d0)
    if f0 >= 1:
        return lambda d: ONE

    def g(d: date) -> Frac:
        n, den = f(d)
        v = (Fraction(n, den) - f0) / (1 - f0)
        v = min(max(v, Fraction(0)), Fraction(1))
        return (v.numerator, v.denominator)
    return g


def done(f: Progress, d: date) -> bool:
    """Complete by the end of ``d`` (fractions come unreduced, e.g. (365, 365))."""
    n, den = f(d)
    return n == den


def fraction(f: Progress, d: date) -> Fraction:
    n, den = f(d)
    return Fraction(n, den)
