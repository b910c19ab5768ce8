"""One version of a lease's schedule, and where it stands at any instant.

A version is the schedule plus what the next event needs to continue it: the
dated payments, the contract terms now in force, and the *segment* the version
runs on from its last event (start instant, rate, ROU pattern). Every segment
starts at its own present value (liability = PV of its payments at its rate), so
the liability just before a later event at instant ``d`` is simply the PV at
``d`` of the payments dated on or after ``d``; the ROU carrying amount follows
from the straight-line formula the rows themselves use. No state is read back
from rounded rows except the row openings, so replays are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from ...errors import EngineError
from ...money import quantize
from ..cashflows import CashFlow, flow_t
from ..rates import RateBasis
from ..result import LeaseSchedule
from ..terms import LeaseTerms
from ..timeline import LeaseClock, build_clock
from .fxview import FxState

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Segment:
    """How a version runs from ``start`` (commencement, or its last event's effective date).

    ``model`` is ``finance`` (straight-line depreciation of ``rou`` over ``months``: IFRS 16
    and ASC 842 finance) or ``operating`` (ASC 842: single cost ``sl_total`` straight-line over
    ``months``; ROU = liability + ``gap`` + payments since start - cost since start).
    ``unamortised`` is the net IDC - incentives + restoration not yet expensed (operating
    presentation of accrued rent only)."""

    start: date
    t: Decimal
    rate: RateBasis
    model: str
    rou: Decimal
    months: Decimal
    sl_total: Decimal = _ZERO
    gap: Decimal = _ZERO
    unamortised: Decimal = _ZERO


@dataclass(frozen=True)
class Version:
    schedule: LeaseSchedule
    terms: LeaseTerms  # contract terms now in force (end date, streams, options)
    flows: tuple[CashFlow, ...]  # every payment of this version, instant order
    clock: LeaseClock
    segment: Segment
    cost: Decimal  # gross ROU cost (ROU_ASSET account) after the last event
    index_base: Decimal | None = None  # index level the stream amounts are stated at
    index_current: Decimal | None = None  # index level in force in the payments
    index_pending: Decimal | None = None  # ASC 842: latest index not yet in the liability
    last_effective: date | None = None
    # row -> (liability, ROU, gain) moved by events
    row_adjust: dict[int, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)
    terminated: bool = False
    lineage: tuple[dict[str, Any], ...] = ()
    fx: FxState | None = None  # for a foreign-currency lease

    def liability_flows(self) -> list[CashFlow]:
        c = self.terms.commencement_date
        return [f for f in self.flows if f.instant > c]


def cum_straight_line(total: Decimal, dt: Decimal, months: Decimal, currency: str) -> Decimal:
    """Rounded cumulative straight-line charge after ``dt`` months, exactly as
    ``liability.straight_line`` rounds it (per-month amount times elapsed time)."""
    if months <= 0 or not total or dt <= 0:
        return quantize(_ZERO, currency)
    if dt >= months:
        return total
    return quantize(total / months * dt, currency)


def pv_at(flows: Iterable[CashFlow], d: date, clock: LeaseClock, rate: RateBasis) -> Decimal:
    """Exact PV at the start of ``d`` of the payments dated on or after ``d``."""
    td = clock.t(d)
    pv = _ZERO
    periodic = rate.accrual == "periodic"
    last_inst, t = None, _ZERO
    for f in flows:
        if f.date >= d:
            if f.instant != last_inst:  # payments at one instant share the first one's time, as in the run
                last_inst, t = f.instant, flow_t(f, clock, periodic)
            pv += f.amount / rate.growth(t - td)
    return pv


def _elapsed(v: Version, d: date) -> tuple[Decimal, Decimal]:
    """Time elapsed from the segment start to ``d`` and the segment's straight-line
    period, both on the schedule's depreciation axis (as ``events.rows`` charges them)."""
    s = v.segment
    x_of = v.clock.axis(v.schedule.depreciation_convention or "calendar_month")[1]
    start = x_of(s.t)
    return x_of(v.clock.t(d)) - start, x_of(s.t + s.months) - start


def rou_at(v: Version, d: date, liability_before: Decimal) -> Decimal:
    """ROU carrying amount at the start of ``d`` under version ``v`` (rounded)."""
    s, ccy = v.segment, v.terms.currency
    dt, months = _elapsed(v, d)
    if s.model == "finance":
        return s.rou - cum_straight_line(s.rou, dt, months, ccy)
    paid = sum((f.amount for f in v.liability_flows() if s.start <= f.date < d), _ZERO)
    return liability_before + s.gap + paid - cum_straight_line(s.sl_total, dt, months, ccy)


def unamortised_at(v: Version, d: date) -> Decimal:
    s = v.segment
    dt, months = _elapsed(v, d)
    return s.unamortised - cum_straight_line(s.unamortised, dt, months, v.terms.currency)


def initial_version(schedule: LeaseSchedule, terms: LeaseTerms, lineage: dict[str, Any]) -> Version:
    """Version 0: the schedule as computed at commencement."""
    clock = build_clock(terms.commencement_date, terms.end_date)
    annual, convention, interval = (schedule.discount_rate, schedule.rate_convention,
                                    schedule.compounding_interval_months)
    if annual is None or convention is None or interval is None:
        # an exempt schedule has no rate: refused as RateBasis always refused it (apply_events
        # without events on an exempt lease ends here; with events it is refused before)
        raise EngineError("invalid_rate_convention", f"unknown rate convention {convention!r}",
                          field="rate_convention")
    rate = RateBasis(annual, convention, interval, schedule.interest_convention or "periodic")
    rou0, liability0 = schedule.initial_rou_asset, schedule.initial_liability
    assert rou0 is not None and liability0 is not None  # a recognised schedule
    operating = schedule.standard == "ASC842" and schedule.classification == "operating"
    parts = schedule.rou_components
    if operating:
        net = parts["initial_direct_costs"] + parts["lease_incentives_received"] + parts["restoration_costs"]
        cost_total = sum((schedule.amount("lease_cost", j) for j in range(len(schedule.periods_keys))), _ZERO)
        seg = Segment(terms.commencement_date, _ZERO, rate, "operating", rou0,
                      clock.term_months, sl_total=cost_total, gap=rou0 - liability0, unamortised=net)
    else:
        assert schedule.depreciation_months is not None  # a recognised schedule
        seg = Segment(terms.commencement_date, _ZERO, rate, "finance", rou0, schedule.depreciation_months)
    idx = terms.index_at_commencement
    return Version(schedule, terms, tuple(schedule.flows), clock, seg, rou0,
                   index_base=idx, index_current=idx, lineage=(lineage,))
