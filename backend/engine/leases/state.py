"""A lease's closing state at a period end, and the liability run from it.

The events work (modification, remeasurement, termination, catch-up) starts
here: take the state at the period before the effective date, change what the
event changes (payments, rate, term), and build the remaining rows with
``liability_rows_from``; earlier rows are never recomputed.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .cashflows import CashFlow, flow_t
from .liability import AccrualState, LiabilityFlow, accrue_interest, round_run
from .measurement import measure
from .policy import LeasePolicy
from .rates import RateBasis
from .result import LeaseSchedule
from .schedule import _CONTEXT
from .terms import LeaseTerms
from .timeline import LeaseClock

_ZERO = Decimal(0)


@dataclass(frozen=True)
class LeaseState:
    """Closing state of one book at a period end.

    ``anchor_*`` describe the open payment period at the period end (its start
    instant and lease-month time, the exact balance after the payments made
    then, and the exact interest accrued from commencement up to it) so that a
    continuation accrues the rest of that period exactly as the original did.
    """

    standard: str
    period: str
    period_end: date
    instant: date  # the day after the period end (start of the next row)
    t: Decimal  # lease months elapsed at ``instant``
    liability: Decimal
    rou_asset_cost: Decimal
    accumulated_depreciation: Decimal
    rou_carrying_amount: Decimal
    remaining_flows: tuple[CashFlow, ...]  # payments dated after the period end
    discount_rate: Decimal | None
    rate_convention: str | None
    compounding_interval_months: int | None
    remaining_depreciation_months: Decimal | None
    cumulative_interest: Decimal  # rounded, commencement to period end
    anchor_instant: int  # day ordinal
    anchor_t: Decimal
    anchor_balance: Decimal
    anchor_cumulative_interest: Decimal


def closing_state(schedule: LeaseSchedule, terms: LeaseTerms, policy: LeasePolicy, period: str) -> LeaseState:
    """State at the end of ``period`` of a recognised (non-exempt) schedule."""
    k = schedule.row_index(period)
    with decimal.localcontext(_CONTEXT):
        m = measure(terms, policy, schedule.discount_rate)
        clock = m.clock
        inst = clock.row_instants[k]
        fs: list[AccrualState] = []
        accrue_interest(clock.row_ordinals[: k + 1], m.liability_flows, m.rate, opening=m.liability_exact,
                        start_instant=clock._anniv[0], start_t=_ZERO, end_instant=clock.end_ordinal,
                        end_t=clock.term_months, final_state=fs)
        ((anchor_instant, anchor_t, anchor_balance, anchor_interest),) = fs
        amount = schedule.amount
        rou_cost = schedule.initial_rou_asset
        assert rou_cost is not None  # a recognised schedule
        dep_left = None
        if schedule.depreciation_months is not None:
            dep_left = max(schedule.depreciation_months - clock.row_t[k], _ZERO)
        pe = schedule.period_ends[k]
        return LeaseState(
            standard=schedule.standard, period=period, period_end=pe, instant=inst,
            t=clock.row_t[k], liability=amount("closing_liability", k), rou_asset_cost=rou_cost,
            accumulated_depreciation=amount("accumulated_depreciation", k),
            rou_carrying_amount=amount("closing_rou_asset", k),
            remaining_flows=tuple(f for f in m.flows if f.date > pe and f.instant > clock.commencement),
            discount_rate=schedule.discount_rate, rate_convention=schedule.rate_convention,
            compounding_interval_months=schedule.compounding_interval_months,
            remaining_depreciation_months=dep_left,
            cumulative_interest=sum((amount("interest", j) for j in range(k + 1)), _ZERO),
            anchor_instant=anchor_instant, anchor_t=anchor_t, anchor_balance=anchor_balance,
            anchor_cumulative_interest=anchor_interest,
        )


def liability_rows_from(state: LeaseState, clock: LeaseClock, flows: list[CashFlow], rate: RateBasis,
                        currency: str) -> dict[str, list[Decimal]]:
    """Interest, payment and closing liability for the rows after ``state.period``,
    continuing from the state's anchor with ``flows`` (the payments dated after
    the period end, possibly changed by an event) and ``rate``. An event that
    remeasures replaces the anchor first (``dataclasses.replace``)."""
    with decimal.localcontext(_CONTEXT):
        k0 = clock.row_ends.index(state.period_end) + 1
        rows = clock.row_ordinals[k0:]
        n = len(rows)
        tup: list[LiabilityFlow] = []
        pay = [_ZERO] * n
        periodic = rate.accrual == "periodic"
        for f in flows:
            r = clock.row_of(f.date) - k0
            pay[r] += f.amount
            o = f.instant.toordinal()
            if o > state.anchor_instant:
                tup.append((o, flow_t(f, clock, periodic), f.amount, r, f.date))
        rel = accrue_interest(rows, tup, rate, opening=state.anchor_balance, start_instant=state.anchor_instant,
                              start_t=state.anchor_t, end_instant=clock.end_ordinal, end_t=clock.term_months)
        base = state.anchor_cumulative_interest
        interest, closing = round_run(state.liability, [base + x for x in rel],
                                      pay, currency, prev_rounded=state.cumulative_interest)
        return {"interest": interest, "payment": pay, "closing_liability": closing}
