"""Effective-interest run of the lease liability, at full precision, then rounded.

The run can start from any instant with any opening balance, so an event
(modification, remeasurement) can rebuild the rest of a schedule from a
period's closing state without touching earlier rows.

Interest of each payment period (between consecutive payment instants) is the
effective-interest result on the balance after the payments at its start,
``B x (growth(dt) - 1)``, so each payment period's total is exact; under the
``periodic`` convention dt is the stream's payment interval (``cashflows.flow_t``:
equal periods whatever the days in the month). Inside a period it is accrued to
calendar months by the rate's interest convention:

- ``periodic`` (default): compounding at each whole month from the period's
  start (its payment date), ``B x (growth(1)^j - 1)`` after j months, so the
  months of a quarter carry the monthly equivalent rate and add up to the
  quarter; inside a month (and over a period of one month or less, e.g. a
  mid-month commencement) the interest is spread over its days.
- ``actual_days``: the period's interest in proportion to days elapsed.
With monthly payments on the lease's monthly anniversaries both give the same rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from operator import add, sub
from typing import Sequence

from ..calendar import add_months
from ..money import ROUNDING, quantize
from .rates import RateBasis

LiabilityFlow = tuple[int, Decimal, Decimal, int, date]
"""A payment of a measurement: (instant ordinal, t, amount, row, date)."""
PaymentPoint = tuple[int, Decimal, Decimal]
"""What the interest loop reads of a payment: (instant ordinal, t, amount)."""
AccrualState = tuple[int, Decimal, Decimal, Decimal]
"""Where a run stands after its last row: (instant ordinal, t, balance, cumulative interest)."""

_ZERO = Decimal(0)
_ONE = Decimal(1)


def accrue_interest(
    row_instants: Sequence[int],
    flows: Sequence[PaymentPoint | LiabilityFlow],
    rate: RateBasis,
    *,
    opening: Decimal,
    start_instant: int,
    start_t: Decimal,
    end_instant: int,
    end_t: Decimal,
    final_state: list[AccrualState] | None = None,
) -> list[Decimal]:
    """Cumulative exact interest from ``start_instant`` at each row closing instant.

    Instants are day ordinals (``date.toordinal()``: integer compares are what
    make this loop fast). ``flows`` are (instant, t, amount, ...) strictly after
    ``start_instant``, in instant order; ``row_instants`` are the closing
    instants of the rows to fill. Inside a payment period the rate's interest
    convention places the accrual (see the module doc).
    """
    periodic = rate.accrual == "periodic"
    # aggregate payments made at the same instant: the loop then visits each
    # payment period once
    inst: list[int] = []
    ts: list[Decimal] = []
    amts: list[Decimal] = []
    for f in flows:
        if inst and f[0] == inst[-1]:
            amts[-1] += f[2]
        else:
            inst.append(f[0])
            ts.append(f[1])
            amts.append(f[2])
    n = len(inst)
    rate_for = rate.rate_for
    # the rate of each payment period, from the previous payment (or the start) to this one
    rates = [rate_for(t2 - t1) for t1, t2 in zip([start_t] + ts[:-1], ts)]
    out: list[Decimal] = []
    append = out.append
    bal = opening
    cum = _ZERO
    prev_inst, prev_t = start_instant, start_t
    j = 0
    next_inst = inst[0] if n else end_instant
    # interest of the open period (prev -> next payment instant), computed once
    period_interest: Decimal | None = None
    grid: list[tuple[int, Decimal]] | None = None  # periodic: the open period's month boundaries and accrued factors
    for _r, b in enumerate(row_instants):
        while next_inst <= b and j < n:
            i = bal * rates[j]
            bal += i - amts[j]
            cum += i
            prev_inst, prev_t = next_inst, ts[j]
            j += 1
            next_inst = inst[j] if j < n else end_instant
            period_interest = grid = None
        if b == prev_inst:
            append(cum)
            continue
        if period_interest is None:
            nt = ts[j] if j < n else end_t
            period_interest = bal * rate_for(nt - prev_t) if bal else _ZERO
        if b >= next_inst:
            append(cum + period_interest)
        elif periodic:
            if grid is None:  # once per payment period
                grid = month_grid(rate, prev_inst, next_inst, (ts[j] if j < n else end_t) - prev_t)
            if len(grid) == 2:  # one month or less: the period's interest spread over its days
                append(cum + period_interest * (b - prev_inst) / (next_inst - prev_inst))
            else:
                append(cum + bal * on_grid(grid, b))
        else:
            append(cum + period_interest * (b - prev_inst) / (next_inst - prev_inst))
    if final_state is not None:
        # where the run stands after the last row: the open payment period's start,
        # its balance after payments there, and interest accrued up to that start
        final_state[:] = [(prev_inst, prev_t, bal, cum)]
    return out


def month_grid(rate: RateBasis, start: int, end: int, span: Decimal) -> list[tuple[int, Decimal]]:
    """``periodic`` accrual points of the payment period from instant ``start`` to ``end``
    (day ordinals) lasting ``span`` lease months: (instant, interest factor accrued) at the
    start, at each whole month from the start (growth(1)^j - 1: the monthly equivalent
    rate compounding) and at the end (the period's exact rate)."""
    pts = [(start, _ZERO)]
    if span > _ONE:
        j = 1
        while j < span:
            o = _month_after(start, j)
            if o >= end:
                break
            pts.append((o, rate.month_growth(j) - _ONE))
            j += 1
    pts.append((end, rate.rate_for(span)))
    return pts


@lru_cache(maxsize=1 << 16)
def _month_after(start: int, j: int) -> int:
    # portfolios share payment dates, so the calendar arithmetic is memoised
    return add_months(date.fromordinal(start), j).toordinal()


def on_grid(pts: list[tuple[int, Decimal]], b: int) -> Decimal:
    """Factor accrued at instant ``b`` inside the grid: linear by days between its points."""
    for i in range(1, len(pts)):
        o1, f1 = pts[i]
        if b < o1:
            o0, f0 = pts[i - 1]
            return f0 if b == o0 else f0 + (f1 - f0) * (b - o0) / (o1 - o0)
    return pts[-1][1]


def round_run(opening: Decimal, cum_exact: list[Decimal], payments: list[Decimal], currency: str,
              *, prev_rounded: Decimal = _ZERO) -> tuple[list[Decimal], list[Decimal]]:
    """Per-row interest and closing balance on the minor unit.

    Interest lines are differences of the rounded cumulative interest, so each
    is within one minor unit of exact and closing balances are the exact ones
    rounded; ``cum_exact`` and ``prev_rounded`` may carry interest accrued before
    the first row, so a continuation rounds exactly as the original did. The last
    row takes the residual so the liability ends at exactly zero and
    sum(interest) = sum(payments) - opening.
    """
    qnt = quantize(_ONE, currency)
    rounded = [c.quantize(qnt, rounding=ROUNDING) for c in cum_exact[:-1]]
    interest = list(map(sub, rounded, [prev_rounded] + rounded[:-1]))
    moves = list(map(sub, interest, payments[:-1]))
    closing = list(accumulate(moves, add, initial=opening))[1:]
    before_last = closing[-1] if closing else opening
    interest.append(payments[-1] - before_last)  # the residual: the liability closes at exactly zero
    closing.append(before_last + interest[-1] - payments[-1])
    return interest, closing


def straight_line(total: Decimal, row_t: Sequence[Decimal], months: Decimal, currency: str,
                  start_t: Decimal = _ZERO) -> list[Decimal]:
    """Rows of a straight-line charge of ``total`` over ``months`` lease months from
    ``start_t``, allocated to rows by lease-month time (days within a lease month).
    Cumulative rounding makes the parts sum exactly to ``total`` once complete."""
    zero = quantize(_ZERO, currency)
    if months <= 0 or not total:
        return [zero] * len(row_t)
    per_month = total / months
    qnt = quantize(_ONE, currency)
    if start_t:
        row_t = [t - start_t for t in row_t]
    cum = [total if t >= months else zero if t <= 0 else (per_month * t).quantize(qnt, rounding=ROUNDING)
           for t in row_t]
    return list(map(sub, cum, [zero] + cum[:-1]))
