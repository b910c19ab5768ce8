"""Step 3, the transaction price: fixed + variable included after the constraint ± significant
financing component − consideration payable to the customer (32-2..27; IFRS 15.47-72).

The variable estimate and the amount included are both kept (Example 23 Case B): only the included
amount enters the price, the allocation and the RPO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from ..calendar import add_months
from ..errors import EngineError
from ..money import quantize
from .contract import VOLUME_DISCOUNT, Contract, VariableConsideration
from .policy import RevenuePolicy

_ZERO = Decimal(0)
_VC = "transaction_price.variable"


def outcome_estimate(v: VariableConsideration) -> Decimal | None:
    """Expected value = Σ probability × amount; most likely amount = the outcome with the highest probability."""
    if not v.outcomes:
        return None
    if v.method == "expected_value":
        return sum((o.amount * o.probability for o in v.outcomes), _ZERO)
    top = max(o.probability for o in v.outcomes)
    best = [o for o in v.outcomes if o.probability == top]
    if len(best) > 1:
        raise EngineError("most_likely_amount_tie", "two outcomes are equally most likely; state the estimate.",
                          field=f"{_VC}.outcomes")
    return best[0].amount


def volume_units(c: Contract) -> Decimal:
    return sum((po.quantity for po in c.performance_obligations if po.quantity), _ZERO)


def variable_at(c: Contract, d: date) -> tuple[Decimal, Decimal]:
    """(estimate, included) effective at ``d``, on the currency's minor unit."""
    v = c.transaction_price.variable
    if v is None:
        return _ZERO, _ZERO
    ccy = c.currency
    if v.type == VOLUME_DISCOUNT:
        est = [e for e in v.estimates if e.as_of <= d]
        if not est:
            raise EngineError("volume_estimate_missing", "no threshold estimate is dated on or before the date.",
                              field=f"{_VC}.estimates", details={"date": d.isoformat()})
        price = v.discounted_unit_price if est[-1].expect_threshold_exceeded else v.list_unit_price
        # parse_variable requires both unit prices for a volume discount
        assert price is not None and v.list_unit_price is not None
        amount = quantize(volume_units(c) * (price - v.list_unit_price), ccy)
        return amount, amount
    return check_variable(v, ccy)


def check_variable(v: VariableConsideration, ccy: str, path: str = _VC) -> tuple[Decimal, Decimal]:
    computed = outcome_estimate(v)
    if v.estimate is not None:
        est = v.estimate
    else:
        assert computed is not None  # parse_variable: the estimate or the outcomes it comes from
        est = quantize(computed, ccy)
    if computed is not None and v.estimate is not None and quantize(computed, ccy) != v.estimate:
        raise EngineError("estimate_disagrees_with_outcomes", f"the outcomes give {quantize(computed, ccy)}.",
                          field=f"{path}.estimate")
    inc = v.included
    assert inc is not None  # parse_variable: ``included`` is a required judgement
    if inc > est:
        raise EngineError("included_above_estimate", "the constraint can only reduce the estimate (32-11).",
                          field=f"{path}.included")
    if inc < est and not v.constraint_reason:
        raise EngineError("constraint_reason_required", "say why the estimate is constrained (32-12).",
                          field=f"{path}.constraint_reason")
    return est, inc


# ------------------------------------------------------------ financing


def _years(a: date, b: date) -> Decimal:
    """Time from a to b (a <= b) in years: whole months plus the leftover days as a fraction of the next month."""
    n = (b.year - a.year) * 12 + b.month - a.month
    if add_months(a, n, sticky_month_end=False) > b:
        n -= 1
    anchor = add_months(a, n, sticky_month_end=False)
    nxt = add_months(a, n + 1, sticky_month_end=False)
    frac = Decimal((b - anchor).days) / Decimal((nxt - anchor).days) if b > anchor else _ZERO
    return (Decimal(n) + frac) / 12


def growth(rate: Decimal, compounding: str, a: date, b: date) -> Decimal:
    """Compound growth factor from a to b at an annual rate: (1+r)^t or (1+r/12)^(12t)."""
    t = _years(a, b)
    if compounding == "monthly":
        return (1 + rate / 12) ** (t * 12)
    return (1 + rate) ** t


@dataclass(frozen=True)
class FinancingPlan:
    """``adjustment`` > 0: the customer pays in advance (interest expense, revenue up);
    < 0: the customer pays after transfer (interest income, revenue down). ``interest_at(d)``
    is the exact cumulative interest to ``d``, income positive, expense negative."""

    adjustment: Decimal
    transfer_date: date | None
    rationale: str
    interest_at: Callable[[date], Decimal]


def _none(rationale: str) -> FinancingPlan:
    return FinancingPlan(_ZERO, None, rationale, lambda d: _ZERO)


def transfer_date(c: Contract) -> date:
    f = c.transaction_price.financing
    assert f is not None  # only asked for a contract with a financing component
    if f.transfer_date is not None:
        return f.transfer_date
    dates = {po.delivered_date for po in c.performance_obligations}
    if len(dates) == 1 and None not in dates and all(po.pattern == "point_in_time" for po in c.performance_obligations):
        only = dates.pop()
        assert only is not None  # checked above
        return only
    raise EngineError("financing_transfer_date_required",
                      "state the transfer date the financing component is measured to.",
                      field="transaction_price.financing.transfer_date")


def financing_plan(c: Contract, policy: RevenuePolicy) -> FinancingPlan:
    f = c.transaction_price.financing
    if f is None:
        return _none("no significant financing component stated")
    t = transfer_date(c)
    flows = [(b.date, b.amount) for b in c.billing if b.date != t]
    if policy.financing_expedient and all(add_months(min(p, t), 12) >= max(p, t) for p, _ in flows):
        return _none("practical expedient: every payment within one year of transfer (32-18; IFRS 15.63)")
    r, comp = f.discount_rate, f.compounding
    adv = [(p, a) for p, a in flows if p < t]
    dfr = [(p, a, a / growth(r, comp, t, p)) for p, a in flows if p > t]
    exact = sum((a * (growth(r, comp, p, t) - 1) for p, a in adv), _ZERO) - sum((a - pv for _, a, pv in dfr), _ZERO)

    def interest_at(d: date) -> Decimal:
        tot = _ZERO
        for p, a in adv:
            if d > p:
                tot -= a * (growth(r, comp, p, min(d, t)) - 1)
        for p, a, pv in dfr:
            if d > t:
                tot += a - pv if d >= p else pv * (growth(r, comp, t, d) - 1)
        return tot

    return FinancingPlan(quantize(exact, c.currency), t,
                         f"significant financing component at {r} ({comp} compounding) to transfer on {t}", interest_at)


@dataclass(frozen=True)
class TransactionPrice:
    fixed: Decimal
    variable_estimate: Decimal
    variable_included: Decimal
    financing_adjustment: Decimal
    consideration_payable: Decimal

    @property
    def total(self) -> Decimal:
        return self.fixed + self.variable_included + self.financing_adjustment - self.consideration_payable

    def to_dict(self) -> dict[str, Any]:
        return {"fixed": str(self.fixed), "variable_estimate": str(self.variable_estimate),
                "variable_included": str(self.variable_included),
                "financing_adjustment": str(self.financing_adjustment),
                "consideration_payable": str(self.consideration_payable), "total": str(self.total)}


def transaction_price(c: Contract, d: date, fin: FinancingPlan, fixed_delta: Decimal = _ZERO,
                      variable: tuple[Decimal, Decimal] | None = None) -> TransactionPrice:
    est, inc = variable if variable is not None else variable_at(c, d)
    tp = c.transaction_price
    q = c.currency
    return TransactionPrice(quantize(tp.fixed + fixed_delta, q), quantize(est, q), quantize(inc, q),
                            quantize(fin.adjustment, q), quantize(tp.consideration_payable, q))

