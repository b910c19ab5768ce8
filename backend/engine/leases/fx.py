"""Functional-currency view of a foreign-currency lease.

The liability is monetary: retranslated at the closing rate of each period,
the difference to (opening + interest - payments) being the FX gain/loss
(positive = loss, a debit). The ROU asset is non-monetary: kept at the
historical (commencement) rate and never retranslated (IFRS 16.BC196-197;
ASC 842-20-55-10). Interest is translated at the period's closing rate (a
stand-in for the average rate when only point rates are available) and each
payment at the rate of its own date.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from ..errors import EngineError
from ..money import D, quantize
from .cashflows import CashFlow
from .result import LeaseSchedule

_ZERO = Decimal(0)

# a function (from, to, date) -> rate, or a mapping keyed (from, to, date) or (from, to, "YYYY-MM-DD")
FxRates = Callable[[str, str, date], Decimal | None] | Mapping[Any, Any]  # None: no rate for that date


class RateLookup:
    """``lookup(d)``: the rate of one pair on ``d``; raises ``fx_rate_missing`` naming the pair and
    date. ``cache`` holds the rates used (date -> rate), for the inputs hash."""

    def __init__(self, fx_rates: FxRates | None, src: str, dst: str) -> None:
        self.fx_rates, self.src, self.dst = fx_rates, src, dst
        self.cache: dict[date, Decimal] = {}

    def __call__(self, d: date) -> Decimal:
        fx_rates, src, dst, cache = self.fx_rates, self.src, self.dst, self.cache
        hit = cache.get(d)
        if hit is not None:
            return hit
        r: Any = None
        if callable(fx_rates):
            r = fx_rates(src, dst, d)
        elif isinstance(fx_rates, Mapping):
            r = fx_rates.get((src, dst, d))
            if r is None:
                r = fx_rates.get((src, dst, d.isoformat()))
        if r is None:
            raise EngineError("fx_rate_missing", f"No {src}->{dst} exchange rate for {d.isoformat()}.",
                              details={"from": src, "to": dst, "date": d.isoformat()})
        rate = D(r)
        if rate <= 0:
            raise EngineError("fx_rate_invalid", f"The {src}->{dst} rate for {d.isoformat()} must be positive.",
                              details={"from": src, "to": dst, "date": d.isoformat()})
        cache[d] = rate
        return rate


def rate_lookup(fx_rates: FxRates | None, src: str, dst: str) -> RateLookup:
    """A function date -> rate for one pair (``RateLookup``), remembering the rates it used."""
    return RateLookup(fx_rates, src, dst)


def append_functional_row(new: dict[str, list[Decimal | None]], interest: Decimal, liability: Decimal,
                          current: Decimal, depreciation: Decimal, rou: Decimal) -> None:
    """One month of the functional-currency columns that derive from the translated balances."""
    new["interest_functional"].append(interest)
    new["closing_liability_functional"].append(liability)
    new["liability_current_functional"].append(current)
    new["liability_noncurrent_functional"].append(liability - current)
    new["depreciation_functional"].append(depreciation)
    new["closing_rou_asset_functional"].append(rou)
    new["lease_cost_functional"].append(interest + depreciation)


def known_rate(get: Callable[[date], Decimal], d: date) -> Decimal | None:
    """``get(d)``, or None when the rate is missing (a future month end not yet published)."""
    try:
        return get(d)
    except EngineError as e:
        if e.code != "fx_rate_missing":
            raise
        return None


def _row_payments(sched: LeaseSchedule, flows: Iterable[CashFlow], get: Callable[[date], Decimal],
                  q: Callable[[Decimal], Decimal]) -> list[Decimal | None]:
    """Payments per row translated at their own dates; None for a row with a missing rate."""
    n = len(sched.periods_keys)
    c = sched.commencement_date
    out: list[Decimal | None] = [_ZERO] * n
    for f in flows:
        k = min(max((f.date.year - c.year) * 12 + f.date.month - c.month, 0), n - 1)
        r = known_rate(get, f.date)
        prev = out[k]
        out[k] = None if r is None or prev is None else prev + q(f.amount * r)
    return out


def add_functional_columns(sched: LeaseSchedule, fc: str, fx_rates: FxRates | None) -> None:
    """Add functional-currency columns to ``sched`` (a LeaseSchedule): liability at closing
    rates with the FX gain/loss as the roll-forward difference, ROU at the historical rate,
    and for an ASC 842 operating lease cost = accretion (closing rate) + ROU reduction
    (historical).

    Recognition needs only the commencement rate (``fx_rate_missing`` without it). Rows
    are filled while every rate they need (the month-end closing rate and the rates of
    the row's payments) is known; from the first row that lacks one, the functional
    columns are None. Entering the later rates and calling this again
    (``fill_functional_columns``) fills them; rows already filled do not change, since
    each row depends only on rates up to its own month end."""
    ccy = sched.currency
    get = rate_lookup(fx_rates, ccy, fc)

    def q(x: Decimal) -> Decimal:
        return quantize(x, fc)
    hist = get(sched.commencement_date)
    sched.functional_currency = fc
    sched.historical_rate = hist
    cols = dict(sched.columns)
    amount = sched.amount  # the lease-currency columns (``cols`` only gains functional ones below)
    n = len(sched.periods_keys)
    if sched.exemption is not None:
        pay = _row_payments(sched, sched.flows, get, q)
        cost_f: list[Decimal | None] = [None] * n
        for k in range(n):
            r = known_rate(get, sched.period_ends[k])
            if r is None or pay[k] is None:
                pay[k:] = [None] * (n - k)
                break
            cost_f[k] = q(amount("lease_cost", k) * r)
        cols["lease_cost_functional"] = cost_f
        cols["payment_functional"] = pay
        sched.columns = cols
        sched.fx_rates_used = {d.isoformat(): str(rate) for d, rate in sorted(get.cache.items())}
        return
    assert sched.initial_liability is not None  # a recognised lease
    sched.initial_liability_functional = l_prev = q(sched.initial_liability * hist)
    # the ROU asset at the historical rate is the sum of its translated parts, so the
    # commencement entry (which posts each part) and the schedule agree to the minor unit
    sched.initial_rou_asset_functional = rou0_f = r_prev = l_prev + sum(
        (q(v * hist) for k, v in sched.rou_components.items() if k not in ("lease_liability", "rou_asset")), _ZERO)
    c0 = sched.commencement_date
    pay_f = _row_payments(sched, [f for f in sched.flows if f.instant > c0], get, q)
    names = ("interest_functional", "closing_liability_functional", "liability_current_functional",
             "liability_noncurrent_functional", "depreciation_functional", "closing_rou_asset_functional",
             "lease_cost_functional")
    new: dict[str, list[Decimal | None]] = {k: [] for k in names}
    fxgl: list[Decimal | None] = []
    last = n - 1
    for k in range(n):
        r = known_rate(get, sched.period_ends[k])
        paid = pay_f[k]
        if r is None or paid is None:
            break
        i_f = q(amount("interest", k) * r)
        l_f = q(amount("closing_liability", k) * r)
        fxgl.append(l_f - l_prev - i_f + paid)
        cur_f = q(amount("liability_current", k) * r)
        # accumulated depreciation at the historical rate; a fully depreciated asset ends at zero
        rou_f = rou0_f - q(amount("accumulated_depreciation", k) * hist)
        if k == last and cols["closing_rou_asset"][k] == 0:
            rou_f = _ZERO
        dep_f = r_prev - rou_f
        append_functional_row(new, i_f, l_f, cur_f, dep_f, rou_f)
        l_prev, r_prev = l_f, rou_f
    known = len(fxgl)
    for name, vals in new.items():
        cols[name] = vals + [None] * (n - known)
    cols["payment_functional"] = pay_f[:known] + [None] * (n - known)
    cols["fx_gain_loss"] = fxgl + [None] * (n - known)
    sched.columns = cols
    sched.fx_rates_used = {d.isoformat(): str(r) for d, r in sorted(get.cache.items())}


def require_functional_row(sched: LeaseSchedule, k: int) -> None:
    """Refuse to post row ``k`` of a foreign-currency schedule whose closing rate is missing
    (EngineError ``fx_rate_missing`` naming the pair and the month-end date)."""
    fc = sched.functional_currency
    if not fc or fc == sched.currency:
        return
    col = sched.columns.get("lease_cost_functional")
    if col is not None and col[k] is None:
        d = sched.period_ends[k].isoformat()
        raise EngineError("fx_rate_missing", f"No {sched.currency}->{fc} exchange rate for {d}: enter the closing "
                          f"rate of {sched.periods_keys[k]} (and any payment-date rates of that month) before "
                          "closing it.", field="fx_rates",
                          details={"from": sched.currency, "to": fc, "date": d, "period": sched.periods_keys[k]})


def fill_functional_columns(schedule: LeaseSchedule, fx_rates: FxRates | None) -> LeaseSchedule:
    """A copy of a commencement schedule (``compute_schedule`` output) with its functional
    columns recomputed from ``fx_rates``: the FX-only fill when later month-end rates
    arrive. The lease-currency columns and every row filled before are unchanged; the
    new ``fx_rates_used`` (and so ``inputs_hash``) records the rates this fill used. An
    event version is refilled by replaying its events with the rates (``apply_events``)."""
    fc = schedule.functional_currency
    if not fc or fc == schedule.currency:
        return schedule
    if isinstance(schedule.inputs[0], dict):
        raise EngineError("fx_fill_needs_replay", "This schedule is a version after lease events; replay the "
                          "events with the new rates (apply_events) to fill its functional columns.",
                          field="fx_rates")
    new = dataclasses.replace(schedule, columns=dict(schedule.columns), run_id_given=None, _hash=None)
    add_functional_columns(new, fc, fx_rates)
    new.columns = {k: tuple(v) for k, v in new.columns.items()}
    return new
