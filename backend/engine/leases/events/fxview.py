"""Functional-currency side of an event on a foreign-currency lease.

The liability is monetary: its event movements are translated at the spot rate of
the effective date, and each month end retranslates the closing balance at the
closing rate; the FX gain/loss column is the roll-forward difference *after*
the event movements (so a remeasurement is never reported as FX). The ROU asset
is non-monetary: an adjustment is a new layer at the effective date's spot rate
(the "bifurcated" view, Deloitte FX Roadmap §4.11); a partial derecognition
removes the same share of the functional carrying amount. After an event the
whole ROU runs off on one pattern from the effective date, so the layers keep
their proportions and the functional ROU is the lease-currency ROU times one
blended rate (``rou_f / rou`` at the segment start): that is the layered result.
Rows before the effective month are the previous version's, untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable, Mapping

from ...money import quantize
from ..cashflows import CashFlow
from ..fx import FxRates, RateLookup, append_functional_row, known_rate, rate_lookup
from ..result import LeaseSchedule

if TYPE_CHECKING:  # version keeps an FxState: imported at run time the other way round
    from .version import Version

_ZERO = Decimal(0)


@dataclass(frozen=True)
class FxState:
    fc: str
    get: RateLookup = field(compare=False)  # date -> rate, lease currency to functional
    rou_f: Decimal | None  # functional ROU at the segment start; None: commencement (historical rate)
    rou: Decimal  # lease-currency ROU at the segment start
    cost_f: Decimal  # ROU_ASSET balance in the functional currency
    # row -> (liability, ROU) moved by events, functional
    row_adjust: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)


def initial_fx(schedule: LeaseSchedule, fx_rates: FxRates | None) -> FxState | None:
    fc = schedule.functional_currency
    if not fc or fc == schedule.currency:
        return None
    rou0, cost_f = schedule.initial_rou_asset, schedule.initial_rou_asset_functional
    assert rou0 is not None and cost_f is not None  # a recognised foreign-currency schedule
    return FxState(fc, rate_lookup(fx_rates, schedule.currency, fc), None, rou0, cost_f)


def rou_f_at(fx: FxState, schedule: LeaseSchedule, rou: Decimal, cost: Decimal) -> Decimal:
    """Functional ROU carrying amount for a lease-currency carrying amount ``rou``."""
    def q(x: Decimal) -> Decimal:
        return quantize(x, fx.fc)
    if fx.rou_f is None:  # as add_functional_columns: accumulated depreciation at the historical rate
        assert schedule.initial_rou_asset_functional is not None and schedule.historical_rate is not None
        return schedule.initial_rou_asset_functional - q((cost - rou) * schedule.historical_rate)
    return q(fx.rou_f * rou / fx.rou) if fx.rou else q(_ZERO)


def functional_columns(prev: LeaseSchedule, sched: LeaseSchedule, k: int, fx: FxState,
                       liab_flows: Iterable[CashFlow], liab_event_f: Decimal,
                       rou_event_f: Decimal, rou_after_f: Decimal, rou_after: Decimal) -> None:
    """Set the functional columns of ``sched`` (rows from ``k`` rebuilt, earlier rows copied).
    ``liab_event_f`` / ``rou_event_f``: total movements booked by events in row ``k``."""
    fc, get = fx.fc, fx.get
    def q(x: Decimal) -> Decimal:
        return quantize(x, fc)
    c, pc = sched.columns, prev.columns
    n = len(sched.periods_keys)
    pay_f: list[Decimal | None] = [_ZERO] * (n - k)
    for f in liab_flows:
        r = min(max(_row(sched, f.date) - k, 0), n - k - 1)
        if _row(sched, f.date) >= k:
            rate = known_rate(get, f.date)
            paid = pay_f[r]
            pay_f[r] = None if rate is None or paid is None else paid + q(f.amount * rate)
    l_prev = pc["closing_liability_functional"][k - 1] if k else sched.initial_liability_functional
    r_prev = pc["closing_rou_asset_functional"][k - 1] if k else sched.initial_rou_asset_functional
    new: dict[str, list[Decimal | None]] = {name: [] for name in ("interest_functional", "payment_functional", "closing_liability_functional",
                                 "liability_current_functional", "liability_noncurrent_functional",
                                 "depreciation_functional", "closing_rou_asset_functional",
                                 "lease_cost_functional", "fx_gain_loss")}
    for j in range(k, n):
        # rows are filled while their rates are known (as in fx.add_functional_columns)
        rate = known_rate(get, sched.period_ends[j]) if l_prev is not None else None
        p_f = pay_f[j - k]
        if rate is None or p_f is None or l_prev is None:  # (no l_prev: no rate either)
            for vals in new.values():
                vals.extend([None] * (n - j))
            break
        assert r_prev is not None  # the ROU column is filled wherever the liability column is
        i_f = q(sched.amount("interest", j) * rate)
        l_f = q(sched.amount("closing_liability", j) * rate)
        cur_f = q(sched.amount("liability_current", j) * rate)
        ev_l, ev_r = (liab_event_f, rou_event_f) if j == k else (_ZERO, _ZERO)
        rou_f = q(rou_after_f * sched.amount("closing_rou_asset", j) / rou_after) if rou_after else q(_ZERO)
        dep_f = r_prev + ev_r - rou_f
        append_functional_row(new, i_f, l_f, cur_f, dep_f, rou_f)
        new["payment_functional"].append(p_f)
        new["fx_gain_loss"].append(l_f - l_prev - i_f + p_f - ev_l)
        l_prev, r_prev = l_f, rou_f
    cols = dict(c)
    for name, vals in new.items():
        cols[name] = tuple(pc[name][:k]) + tuple(vals)
    sched.columns = cols
    used = dict(prev.fx_rates_used or {})
    used.update({d.isoformat(): str(r) for d, r in get.cache.items()})
    sched.fx_rates_used = dict(sorted(used.items()))


def _row(sched: LeaseSchedule, d: date) -> int:
    c = sched.commencement_date
    return (d.year - c.year) * 12 + d.month - c.month


def translate_change(v: Version, d: date, r_before: Decimal, frac: Decimal | None, l_der: Decimal, adj: Decimal,
                     penalty: Decimal, hits_zero: bool) -> dict[str, Decimal]:
    """Functional amounts of a partial derecognition and remeasurement (the same steps as in
    the lease currency): liability movements and cash at the spot rate of ``d``; the ROU
    share derecognised from the functional carrying amount; the adjustment a new layer."""
    fx = v.fx
    assert fx is not None  # only for a foreign-currency lease

    def q(x: Decimal) -> Decimal:
        return quantize(x, fx.fc)
    spot = fx.get(d)
    rb_f = rou_f_at(fx, v.schedule, r_before, v.cost)
    l_der_f, pen_f, adj_f = q(l_der * spot), q(penalty * spot), q(adj * spot)
    r_der_f = q(frac * rb_f) if frac is not None else q(_ZERO)
    cost_der_f = q(frac * fx.cost_f) if frac is not None else q(_ZERO)
    rmid_f = rb_f - r_der_f
    applied_f, excess_f = (-rmid_f, -rmid_f - adj_f) if hits_zero else (adj_f, q(_ZERO))
    ra_f = rmid_f + applied_f
    return {"l_der": l_der_f, "r_der": r_der_f, "cost_der": cost_der_f, "penalty": pen_f,
            "gain1": l_der_f - r_der_f - pen_f, "adj": adj_f, "applied": applied_f, "excess": excess_f,
            "ra_f": ra_f, "cost_f": fx.cost_f - cost_der_f + applied_f,
            "liab_event": adj_f - l_der_f, "rou_event": ra_f - rb_f}


def translate_termination(v: Version, d: date, l_before: Decimal, r_before: Decimal,
                          penalty: Decimal) -> dict[str, Decimal]:
    fx = v.fx
    assert fx is not None  # only for a foreign-currency lease

    def q(x: Decimal) -> Decimal:
        return quantize(x, fx.fc)
    spot = fx.get(d)
    rb_f = rou_f_at(fx, v.schedule, r_before, v.cost)
    l_f, pen_f = q(l_before * spot), q(penalty * spot)
    return {"liability": l_f, "cost": fx.cost_f, "accumulated": fx.cost_f - rb_f, "penalty": pen_f,
            "gain": l_f - rb_f - pen_f, "ra_f": q(_ZERO), "cost_f": q(_ZERO), "liab_event": -l_f,
            "rou_event": -rb_f}


def finish_fx(v: Version, sched: LeaseSchedule, k: int, liab_flows: Iterable[CashFlow], fxa: Mapping[str, Decimal], rou_after: Decimal, cost: Decimal) -> FxState:
    """Functional columns of the new version and the FX state its next event starts from."""
    fx = v.fx
    assert fx is not None  # only for a foreign-currency lease
    prior_l, prior_r = fx.row_adjust.get(k, (_ZERO, _ZERO))
    ev_l, ev_r = prior_l + fxa["liab_event"], prior_r + fxa["rou_event"]
    functional_columns(v.schedule, sched, k, fx, liab_flows, ev_l, ev_r, fxa["ra_f"], rou_after)
    return FxState(fx.fc, fx.get, fxa["ra_f"], rou_after, fxa["cost_f"], {k: (ev_l, ev_r)})
