"""Initial measurement shared by both books: lease payments, liability, ROU parts.

Liability = PV of the lease payments not paid at commencement (IFRS 16.26-27,
ASC 842-20-30-1): fixed and in-substance fixed payments less incentives
receivable, index-linked payments at the commencement index (no forecasting),
the expected RVG shortfall, a reasonably certain purchase option and
termination penalties. Payments at or before commencement go to the ROU asset
(IFRS 16.24, ASC 842-20-30-5).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import EngineError
from ..money import quantize
from .cashflows import CashFlow, lease_cash_flows
from .liability import LiabilityFlow
from .policy import LeasePolicy
from .rates import RateBasis
from .terms import LeaseTerms
from .timeline import LeaseClock, build_clock

_ZERO = Decimal(0)


@dataclass
class Measurement:
    terms: LeaseTerms
    clock: LeaseClock
    rate: RateBasis
    flows: list[CashFlow]  # every lease payment, instant order
    liability_flows: list[LiabilityFlow]  # (instant ordinal, t, amount, row, date)
    paid_at_commencement: Decimal  # stream/one-off payments at or before commencement
    liability_exact: Decimal
    liability: Decimal  # rounded to the minor unit

    @property
    def total_payments(self) -> Decimal:
        """Every lease payment incl. prepaid ones (negative incentives receivable net)."""
        return sum((f.amount for f in self.flows), _ZERO) + self.terms.prepaid_lease_payments


def resolve_convention(terms: LeaseTerms, policy: LeasePolicy) -> tuple[str, int]:
    convention = terms.rate_convention or policy.rate_convention
    c = terms.compounding_interval_months or policy.compounding_interval_months
    if c is None:
        # default: the payment interval (the shortest one when streams differ)
        c = min((s.interval_months for s in terms.payments), default=12)
    return convention, c


def measure(terms: LeaseTerms, policy: LeasePolicy, annual_rate: Decimal | None, *,
            discount: bool = True) -> Measurement:
    """Dated flows, discounting and the rounded initial liability.

    ``discount=False`` (exempt leases) skips the rate and the present value;
    ``discount_measurement`` can add them later without redoing the flows."""
    clock = build_clock(terms.commencement_date, terms.end_date)
    flows = lease_cash_flows(terms, anniversaries=clock.anniversaries)
    end_instant = clock.end_instant
    if flows and flows[-1].instant > end_instant:  # flows are in instant order
        f = next(f for f in flows if f.instant > end_instant)
        raise EngineError("payment_after_end_date",
                          f"A payment on {f.date.isoformat()} falls after the lease end date.",
                          field=f.source, details={"date": f.date.isoformat()})
    commencement = clock.commencement
    liab: list[LiabilityFlow] = []
    at_start = _ZERO
    periodic = policy.interest_convention == "periodic"
    t_of = clock.t
    cy, cm, last_row = commencement.year, commencement.month, len(clock.row_ends) - 1
    last_inst = None
    last_t = _ZERO
    for f in flows:
        if f.instant <= commencement:
            at_start += f.amount
            continue
        if f.instant != last_inst:
            # flow_t inlined: this runs once per payment date
            anchor = f.anchor
            if periodic and f.step:
                assert anchor is not None  # a stream payment records its stream's anchor
                last_t = t_of(anchor) + f.seq * f.step
            else:
                last_t = t_of(f.instant)
            last_inst = f.instant
            last_ord = last_inst.toordinal()
        d = f.date
        row = (d.year - cy) * 12 + d.month - cm  # inline clock.row_of: this runs once per payment
        liab.append((last_ord, last_t, f.amount, row if row < last_row else last_row, d))
    convention, c = resolve_convention(terms, policy)
    # the rate's conventions now, its annual rate when discounted (``discount_measurement``)
    m = Measurement(terms, clock, RateBasis(_ZERO, convention, c, policy.interest_convention), flows, liab,
                    at_start, _ZERO, _ZERO)
    if discount:
        discount_measurement(m, annual_rate)
    return m


def discount_measurement(m: Measurement, annual_rate: Decimal | None) -> None:
    """Set the rate and the initial liability (PV of the flows after commencement)."""
    if annual_rate is None:
        annual_rate = m.terms.discount_rate
    if annual_rate is None:
        raise EngineError("discount_rate_missing",
                          "The lease has no discount rate; look one up in the IBR matrix and pass it.",
                          field="discount_rate")
    rate = RateBasis(annual_rate, m.rate.convention, m.rate.compounding_interval_months, m.rate.accrual)
    growth = rate.growth
    # Horner from the last payment back to commencement: one division per payment
    # interval, with the growth factor of each distinct interval computed once.
    pv = _ZERO
    next_t = None
    for f in reversed(m.liability_flows):
        t = f[1]
        if next_t is not None and t != next_t:
            pv = pv / growth(next_t - t)
        pv += f[2]
        next_t = t
    if next_t is not None:
        pv = pv / growth(next_t)
    m.rate = rate
    m.liability_exact = pv
    m.liability = quantize(pv, m.terms.currency)


def rou_parts(m: Measurement, standard: str, policy: LeasePolicy) -> dict[str, Decimal]:
    """Components of the initial ROU asset, each on the minor unit."""
    t = m.terms
    def q(x: Decimal) -> Decimal:
        return quantize(x, t.currency)
    restoration = q(t.restoration_costs)
    if standard == "ASC842" and not policy.asc_restoration_in_rou:
        restoration = _ZERO
    parts = {
        "lease_liability": m.liability,
        "payments_at_or_before_commencement": q(m.paid_at_commencement),
        "prepaid_lease_payments": q(t.prepaid_lease_payments),
        "initial_direct_costs": q(t.initial_direct_costs),
        "lease_incentives_received": -q(t.lease_incentives_received),
        "restoration_costs": restoration,
    }
    parts["rou_asset"] = sum(parts.values(), _ZERO)
    return parts
