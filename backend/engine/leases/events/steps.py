"""The named steps of replaying one event: measure, derecognise, remeasure, post.

Each step is a pure function returning a small frozen record; ``replay._apply``
runs them in order. Money is Decimal on the lease currency's minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...journal import JournalEntry
from ...money import quantize
from ..cashflows import CashFlow, lease_cash_flows
from ..terms import LeaseTerms
from ..timeline import LeaseClock
from . import entries as je
from .branches import Branch
from .checks import fail
from .fxview import translate_change
from .model import LeaseEvent
from .rows import Split
from .version import Version, pv_at, rou_at

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Before:
    """The previous version at the effective instant ``d``."""

    split: Split
    history: tuple[CashFlow, ...]  # payments dated before d (paid under the previous version)
    row_adjust: tuple[Decimal, Decimal, Decimal]  # liability, ROU, gain already moved in row k by events


def measure_before(v: Version, d: date, td: Decimal) -> Before:
    """Liability (PV at ``d``) and ROU carrying amount just before the event, and how the
    effective row splits at ``d`` (see ``events.rows``)."""
    ccy = v.terms.currency
    k = v.clock.row_of(d)
    opening_liability = v.schedule.amount("opening_liability", k)
    opening_rou = v.schedule.amount("opening_rou_asset", k)
    old_liab = v.liability_flows()
    l_before = quantize(pv_at(old_liab, d, v.clock, v.segment.rate), ccy)
    r_before = rou_at(v, d, l_before)
    pay_before = sum((f.amount for f in old_liab if f.date < d and v.clock.row_of(f.date) == k), _ZERO)
    adj_l, adj_r, prior_gain = v.row_adjust.get(k, (_ZERO, _ZERO, _ZERO))
    split = Split(
        k=k, d=d, t=td, opening_liability=opening_liability, opening_rou=opening_rou,
        pay_before=pay_before, liability_before=l_before, rou_before=r_before,
        pre_interest=l_before - opening_liability + pay_before - adj_l,
        pre_depreciation=opening_rou + adj_r - r_before, prior_gain=prior_gain)
    return Before(split=split, history=tuple(f for f in v.flows if f.date < d),
                  row_adjust=(adj_l, adj_r, prior_gain))


@dataclass(frozen=True)
class Payments:
    """The payments of the new version dated on or after ``d``, and the index levels in force."""

    flows: list[CashFlow]
    index_base: Decimal | None
    index_current: Decimal | None
    index_pending: Decimal | None


def new_payments(v: Version, ev: LeaseEvent, i: int, terms: LeaseTerms, clock: LeaseClock) -> Payments:
    d = ev.effective_date
    ccy = v.terms.currency
    idx_base, idx_cur, idx_pending = v.index_base, v.index_current, v.index_pending
    if ev.reason == "index_change":
        idx_cur = ev.index_value
    elif idx_pending is not None:  # ASC 842: the stored index enters at this remeasurement
        idx_cur, idx_pending = idx_pending, None
    post = [f for f in lease_cash_flows(terms, anniversaries=clock.anniversaries) if f.date >= d]
    if ev.payments is not None:
        idx_base = idx_cur  # replacement amounts are stated at the index now in force
    elif idx_cur is not None and idx_base and idx_cur != idx_base:
        post = [f._replace(amount=quantize(f.amount * idx_cur / idx_base, ccy)) if f.kind == "index_linked"
                else f for f in post]
    if ev.payments is None and terms.end_date <= v.terms.end_date:
        # a shorter term removes the payments for periods it no longer covers (an arrears
        # payment for a period cut short included: give ``payments`` to state a final one);
        # the same cut applies when later events regenerate the flows from the terms
        post = [f for f in post if f.instant <= clock.end_instant]
    late = next((f for f in post if f.instant > clock.end_instant), None)
    if late is not None:
        hint = "" if ev.payments is not None else " (the current streams, continued to the new end date); " \
            "give changes.payments for the new term"
        raise fail("payment_after_end_date", f"A payment on {late.date.isoformat()} falls after the new end "
                   f"date {terms.end_date.isoformat()}{hint}.", i, "changes.payments", date=late.date.isoformat())
    return Payments(flows=post, index_base=idx_base, index_current=idx_cur, index_pending=idx_pending)


@dataclass(frozen=True)
class Derecognition:
    """Partial derecognition for a decrease in scope (IFRS 16.46(a)); zeros when none."""

    fraction: Decimal | None
    liability: Decimal
    rou: Decimal
    cost: Decimal
    penalty: Decimal
    gain: Decimal


def derecognise(v: Version, ev: LeaseEvent, br: Branch, before: Before, l_after: Decimal) -> Derecognition:
    ccy = v.terms.currency
    zero = quantize(_ZERO, ccy)
    frac = br.decrease_fraction
    l_before, r_before = before.split.liability_before, before.split.rou_before
    if frac is None:
        return Derecognition(fraction=None, liability=zero, rou=zero, cost=zero, penalty=zero, gain=zero)
    penalty = quantize(ev.termination_payment, ccy)
    liab = quantize(frac * l_before, ccy) if br.decrease_method == "proportionate" else l_before - l_after
    rou, cost = quantize(frac * r_before, ccy), quantize(frac * v.cost, ccy)
    # a penalty paid on a partial termination is part of the loss
    return Derecognition(fraction=frac, liability=liab, rou=rou, cost=cost, penalty=penalty,
                         gain=liab - rou - penalty)


@dataclass(frozen=True)
class Remeasurement:
    """The remaining liability taken to its new PV, the difference against the ROU asset."""

    liability_adjustment: Decimal
    rou_adjustment: Decimal  # applied to the ROU (never below zero)
    excess_gain: Decimal  # the part of a decrease beyond the ROU carrying amount (IFRS 16.39)
    rou_after: Decimal
    cost_after: Decimal  # gross ROU cost after the event
    note: str | None


def remeasure(v: Version, before: Before, der: Derecognition, l_after: Decimal) -> Remeasurement:
    ccy = v.terms.currency
    l_mid = before.split.liability_before - der.liability
    r_mid = before.split.rou_before - der.rou
    adj = l_after - l_mid
    applied, excess, note = adj, quantize(_ZERO, ccy), None
    if r_mid + adj < 0:
        applied, excess = -r_mid, -(r_mid + adj)
        note = (f"The decrease exceeds the ROU carrying amount: the ROU goes to zero and {excess} is a "
                "gain (IFRS 16.39).")
    return Remeasurement(liability_adjustment=adj, rou_adjustment=applied, excess_gain=excess,
                         rou_after=r_mid + applied, cost_after=v.cost - der.cost + applied, note=note)


@dataclass(frozen=True)
class Posting:
    entries: tuple[JournalEntry, ...]
    fx_amounts: dict[str, Decimal] | None  # functional-currency amounts (foreign-currency lease), else None


def post(v: Version, ev: LeaseEvent, br: Branch, before: Before, der: Derecognition, rem: Remeasurement,
         l_after: Decimal) -> Posting:
    """Change entries at the effective date: partial derecognition (if any), then the
    remeasurement; in the functional currency for a foreign-currency lease (``fxview``)."""
    d = ev.effective_date
    ccy = v.terms.currency
    event_name = "lease.modification" if ev.run_type in ("MODIFICATION", "TERMINATION") else "lease.remeasurement"
    l_mid = before.split.liability_before - der.liability
    memo_der = f"Partial derecognition ({der.fraction}) at {d.isoformat()}"
    memo_rem = f"{br.name} at {d.isoformat()}: liability {l_mid} -> {l_after} {ccy}"
    if v.fx is None:
        out = [je.partial_derecognition(v.schedule, d, der.liability, der.cost, der.cost - der.rou, der.gain,
                                        memo_der, penalty=der.penalty) if der.fraction is not None else None,
               je.remeasurement(v.schedule, d, rem.liability_adjustment, rem.rou_adjustment, rem.excess_gain,
                                event_name, memo_rem)]
        return Posting(entries=tuple(e for e in out if e is not None), fx_amounts=None)
    fxa = translate_change(v, d, before.split.rou_before, der.fraction, der.liability, rem.liability_adjustment,
                           der.penalty, rem.excess_gain != 0)
    fc = v.fx.fc
    out = [je.partial_derecognition(v.schedule, d, fxa["l_der"], fxa["cost_der"], fxa["cost_der"] - fxa["r_der"],
                                    fxa["gain1"], memo_der, currency=fc, penalty=fxa["penalty"])
           if der.fraction is not None else None,
           je.remeasurement(v.schedule, d, fxa["adj"], fxa["applied"], fxa["excess"], event_name, memo_rem,
                            currency=fc)]
    return Posting(entries=tuple(e for e in out if e is not None), fx_amounts=fxa)
