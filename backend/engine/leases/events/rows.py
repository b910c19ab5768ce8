"""Rows of a new schedule version: history copied, the rest continued from the event.

The effective month (row ``k``) is split at the effective instant ``d``: its
opening balances are the previous version's; the part before ``d`` is what the
previous version accrued up to ``d`` (interest = liability at ``d`` - opening +
payments dated before ``d``; likewise depreciation); the event's adjustments
are journal entries of their own (not rows); the part from ``d`` runs on the new
segment. Rows before ``k`` are the previous version's objects, untouched, so
their output is byte-identical. Rows from ``k`` are rebuilt, current portion
included (it looks 12 months ahead).

Mid-period note: inside a payment period the schedule accrues interest to months
by the interest convention (``periodic``: compounding whole lease months, linear by
days inside a month; ``actual_days``: linear by days), while the liability at ``d``
is the compound present value, so the pre-event interest of the effective month can
differ from the accrual by at most ``B x r^2 x f(1-f)/2`` (B balance, r rate of the
linear stretch, f elapsed share of it): cents on monthly payments. That difference
lands in the month's interest, never in the event's adjustment.

Straight-line charges continue on the schedule's depreciation axis
(``timeline.LeaseClock.axis``: calendar months or lease months).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import accumulate
from operator import sub

from ...money import quantize
from ..cashflows import CashFlow, flow_t
from ..liability import PaymentPoint, accrue_interest, round_run, straight_line
from ..rates import RateBasis
from ..timeline import LeaseClock

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Split:
    """The effective row before the event: balances at ``d`` and what accrued up to it."""

    k: int
    d: date
    t: Decimal
    opening_liability: Decimal
    opening_rou: Decimal
    pay_before: Decimal
    liability_before: Decimal
    rou_before: Decimal
    pre_interest: Decimal
    pre_depreciation: Decimal
    prior_gain: Decimal  # gain/loss already booked in this row by an earlier event


def continue_rows(prev_cols: Mapping[str, Sequence[Decimal | None]], split: Split, clock: LeaseClock,
                  flows: Iterable[CashFlow], rate: RateBasis, currency: str, *,
                  model: str, liability_after_exact: Decimal, liability_after: Decimal, rou_after: Decimal,
                  months: Decimal, cost_after: Decimal, gain: Decimal, unamortised: Decimal,
                  depreciation_convention: str = "calendar_month") -> dict[str, Any]:
    """Columns of the new version. ``flows`` are the new version's liability payments dated
    on or after ``d``; ``months`` is the depreciation period (finance) or the remaining term
    (operating) from ``d``. Returns columns plus ``sl_total`` (operating) for the segment."""
    k, d, td = split.k, split.d, split.t
    def q(x: Decimal) -> Decimal:
        return quantize(x, currency)
    zero = q(_ZERO)
    rows = clock.row_ordinals[k:]
    n = len(rows)
    pay = [_ZERO] * n
    tup: list[PaymentPoint] = []
    at_d = _ZERO
    d_ord = d.toordinal()
    periodic = rate.accrual == "periodic"
    for f in flows:
        pay[clock.row_of(f.date) - k] += f.amount
        o = f.instant.toordinal()
        if o == d_ord:
            at_d += f.amount  # paid at the effective instant: not discounted, no interest
        else:
            tup.append((o, flow_t(f, clock, periodic), f.amount))
    cum = accrue_interest(rows, tup, rate, opening=liability_after_exact - at_d, start_instant=d_ord,
                          start_t=td, end_instant=clock.end_ordinal, end_t=clock.term_months)
    interest, closing = round_run(liability_after, cum, pay, currency)
    # straight-line charges run on the schedule's depreciation axis (calendar or lease months)
    axis, x_of = clock.axis(depreciation_convention)
    row_x, x_d = axis[k:], x_of(td)
    months = x_of(td + months) - x_d
    if model == "operating":
        # ASC 842 after a remeasurement: (remaining payments + (ROU - liability)) / remaining term
        sl_total = sum(pay, _ZERO) + rou_after - liability_after
        cost = straight_line(sl_total, row_x, months, currency, start_t=x_d)
        dep = list(map(sub, cost, interest))
        unam = list(accumulate(straight_line(unamortised, row_x, months, currency, start_t=x_d), sub,
                               initial=unamortised))[1:]
    else:
        sl_total = _ZERO
        dep = straight_line(rou_after, row_x, months, currency, start_t=x_d)
    rou = list(accumulate(dep, sub, initial=rou_after))[1:]
    pre_i, pre_dep = split.pre_interest, split.pre_depreciation
    interest[0] += pre_i
    pay[0] += split.pay_before
    dep[0] += pre_dep
    later = closing[12:] + [zero] * min(12, n)
    current = [zero if c <= lt else (c - lt if lt >= 0 or c < 0 else c) for c, lt in zip(closing, later)]
    new = {
        "opening_liability": [split.opening_liability] + closing[:-1],
        "interest": interest,
        "payment": pay,
        "closing_liability": closing,
        "liability_current": current,
        "liability_noncurrent": list(map(sub, closing, current)),
        "opening_rou_asset": [split.opening_rou] + rou[:-1],
        "depreciation": dep,
        "closing_rou_asset": rou,
        "accumulated_depreciation": [cost_after - r for r in rou],
        "gain_loss": [split.prior_gain + gain] + [zero] * (n - 1),
        "fx_gain_loss": [None] * n,
    }
    if model == "operating":
        new["lease_cost"] = [cost[0] + pre_i + pre_dep] + cost[1:]
        new["accrued_lease_liability"] = [c + u - r for c, u, r in zip(closing, unam, rou)]
    else:
        new["lease_cost"] = [i + x for i, x in zip(interest, dep)]
        new["accrued_lease_liability"] = [None] * n
    cols = _join(prev_cols, new, k)
    cols["_sl_total"] = sl_total
    return cols


def terminated_rows(prev_cols: Mapping[str, Sequence[Decimal | None]], split: Split, model: str, gain: Decimal,
                    currency: str) -> dict[str, Any]:
    """Columns of a version that ends at ``d``: the effective row keeps what accrued
    before ``d``; both balances close at zero (derecognised by the termination entry)."""
    zero = quantize(_ZERO, currency)
    pre_i, pre_dep = split.pre_interest, split.pre_depreciation
    new = {
        "opening_liability": [split.opening_liability], "interest": [pre_i], "payment": [split.pay_before],
        "closing_liability": [zero], "liability_current": [zero], "liability_noncurrent": [zero],
        "opening_rou_asset": [split.opening_rou], "depreciation": [pre_dep], "closing_rou_asset": [zero],
        "accumulated_depreciation": [zero], "lease_cost": [pre_i + pre_dep],
        "accrued_lease_liability": [zero if model == "operating" else None],
        "gain_loss": [split.prior_gain + gain], "fx_gain_loss": [None],
    }
    return _join(prev_cols, new, split.k)


def _join(prev_cols: Mapping[str, Sequence[Decimal | None]], new: dict[str, Any], k: int) -> dict[str, Any]:
    # history: the previous version's values, same objects; columns stay tuples (frozen)
    return {name: tuple(prev_cols[name][:k]) + tuple(new[name]) for name in new}
