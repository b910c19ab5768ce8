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

from datetime import date
from decimal import Decimal
from typing import Callable, Mapping

from ..errors import EngineError
from ..money import D, quantize

_ZERO = Decimal(0)

FxRates = Callable[[str, str, date], Decimal] | Mapping


def rate_lookup(fx_rates: FxRates | None, src: str, dst: str) -> Callable[[date], Decimal]:
    """A function date -> rate for one pair; raises ``fx_rate_missing`` naming the pair and date."""
    cache: dict[date, Decimal] = {}

    def get(d: date) -> Decimal:
        r = cache.get(d)
        if r is not None:
            return r
        r = None
        if callable(fx_rates):
            r = fx_rates(src, dst, d)
        elif isinstance(fx_rates, Mapping):
            r = fx_rates.get((src, dst, d))
            if r is None:
                r = fx_rates.get((src, dst, d.isoformat()))
        if r is None:
            raise EngineError("fx_rate_missing", f"No {src}->{dst} exchange rate for {d.isoformat()}.",
                              details={"from": src, "to": dst, "date": d.isoformat()})
        r = D(r)
        if r <= 0:
            raise EngineError("fx_rate_invalid", f"The {src}->{dst} rate for {d.isoformat()} must be positive.",
                              details={"from": src, "to": dst, "date": d.isoformat()})
        cache[d] = r
        return r

    get.cache = cache  # type: ignore[attr-defined]  # the rates used, for the inputs hash
    return get


def append_functional_row(new: dict, interest, liability, current, depreciation, rou) -> None:
    """One month of the functional-currency columns that derive from the translated balances."""
    new["interest_functional"].append(interest)
    new["closing_liability_functional"].append(liability)
    new["liability_current_functional"].append(current)
    new["liability_noncurrent_functional"].append(liability - current)
    new["depreciation_functional"].append(depreciation)
    new["closing_rou_asset_functional"].append(rou)
    new["lease_cost_functional"].append(interest + depreciation)


def add_functional_columns(sched, m, fc: str, fx_rates: FxRates | None) -> None:
    """Add functional-currency columns to ``sched`` (a LeaseSchedule built from
    measurement ``m``): liability at closing rates with the FX gain/loss as the
    roll-forward difference, ROU at the historical rate, and for an ASC 842
    operating lease cost = accretion (closing rate) + ROU reduction (historical)."""
    ccy = sched.currency
    get = rate_lookup(fx_rates, ccy, fc)
    q = lambda x: quantize(x, fc)  # noqa: E731
    hist = get(sched.commencement_date)
    sched.functional_currency = fc
    sched.historical_rate = hist
    cols = sched.columns
    n = len(sched.periods_keys)
    if sched.exemption is not None:
        cost = cols["lease_cost"]
        cols["lease_cost_functional"] = [q(c * get(e)) for c, e in zip(cost, sched.period_ends)]
        pay = [_ZERO] * n
        for f in m.flows:
            pay[m.clock.row_of(f.date)] += q(f.amount * get(f.date))
        cols["payment_functional"] = pay
        sched.fx_rates_used = {d.isoformat(): str(r) for d, r in sorted(get.cache.items())}
        return
    sched.initial_liability_functional = l_prev = q(sched.initial_liability * hist)
    # the ROU asset at the historical rate is the sum of its translated parts, so the
    # commencement entry (which posts each part) and the schedule agree to the minor unit
    sched.initial_rou_asset_functional = rou0_f = r_prev = l_prev + sum(
        (q(v * hist) for k, v in sched.rou_components.items() if k not in ("lease_liability", "rou_asset")), _ZERO)
    pay_f = [_ZERO] * n
    for f in m.liability_flows:
        pay_f[f[3]] += q(f[2] * get(f[4]))
    names = ("interest_functional", "closing_liability_functional", "liability_current_functional",
             "liability_noncurrent_functional", "depreciation_functional", "closing_rou_asset_functional",
             "lease_cost_functional")
    new = {k: [] for k in names}
    fxgl = []
    last = n - 1
    for k in range(n):
        r = get(sched.period_ends[k])
        i_f = q(cols["interest"][k] * r)
        l_f = q(cols["closing_liability"][k] * r)
        fxgl.append(l_f - l_prev - i_f + pay_f[k])
        cur_f = q(cols["liability_current"][k] * r)
        # accumulated depreciation at the historical rate; a fully depreciated asset ends at zero
        rou_f = rou0_f - q(cols["accumulated_depreciation"][k] * hist)
        if k == last and cols["closing_rou_asset"][k] == 0:
            rou_f = _ZERO
        dep_f = r_prev - rou_f
        append_functional_row(new, i_f, l_f, cur_f, dep_f, rou_f)
        l_prev, r_prev = l_f, rou_f
    cols.update(new)
    cols["payment_functional"] = pay_f
    cols["fx_gain_loss"] = fxgl
    sched.fx_rates_used = {d.isoformat(): str(r) for d, r in sorted(get.cache.items())}
