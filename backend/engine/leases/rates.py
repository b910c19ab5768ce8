"""Annual discount rate to growth over lease months, per rate convention.

``nominal`` (default): r x c/12 per compounding interval of c months,
compounded to the payment period: growth over t months = (1 + r c/12)^(t/c).
With c equal to the payment interval m this is the familiar r x m/12 per
period (PwC Example 4-4: 6 % gives 0.5 % a month); c = 1 gives monthly
compounding of quarterly payments (Dynamics 365 "compounding interval").
``effective``: (1 + r)^(t/12), i.e. (1 + r)^(m/12) - 1 per m-month period.
Both are exact at whole compounding intervals; a fractional t (mid-month
one-offs) uses the same power, so discounting stays time-consistent.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import EngineError

_ONE = Decimal(1)
_TWELVE = Decimal(12)

# every lease computation runs in this local context (34 digits); the caller's is untouched
CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN,
                          traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])


@dataclass
class RateBasis:
    annual_rate: Decimal
    convention: str
    compounding_interval_months: int
    accrual: str = "periodic"  # interest convention inside a payment period (see liability.accrue_interest)
    _base: Decimal = field(init=False)
    _per: Decimal = field(init=False)
    _cache: dict[Decimal, Decimal] = field(init=False, default_factory=dict)
    _rates: dict[Decimal, Decimal] = field(init=False, default_factory=dict)
    _monthly: dict[int, Decimal] = field(init=False, default_factory=dict)  # accrue_interest's compounded_share memo

    def __post_init__(self) -> None:
        if self.convention == "nominal":
            c = Decimal(self.compounding_interval_months)
            self._base = _ONE + self.annual_rate * c / _TWELVE
            self._per = c
        elif self.convention == "effective":
            self._base = _ONE + self.annual_rate
            self._per = _TWELVE
        else:
            raise EngineError("invalid_rate_convention", f"unknown rate convention {self.convention!r}",
                              field="rate_convention")

    def growth(self, months: Decimal) -> Decimal:
        """Accumulation factor over ``months`` lease months (cached: the hot loop
        asks for the same handful of intervals again and again)."""
        g = self._cache.get(months)
        if g is None:
            e = months / self._per
            if e == e.to_integral_value():
                g = self._base ** int(e)
            else:
                g = self._base ** e
            self._cache[months] = g
        return g

    def month_growth(self, k: int) -> Decimal:
        """growth(1) ** k: k whole months at the monthly equivalent rate (cached)."""
        g = self._monthly.get(k)
        if g is None:
            g = self._monthly[k] = self.growth(_ONE) ** k
        return g

    def rate_for(self, months: Decimal) -> Decimal:
        """Interest rate over ``months`` lease months: growth - 1 (cached)."""
        r = self._rates.get(months)
        if r is None:
            r = self._rates[months] = self.growth(months) - _ONE
        return r

    def periodic_rate(self, months: int) -> Decimal:
        return self.growth(Decimal(months)) - _ONE


def solve_rate(target: Decimal, flows: list[tuple[Decimal, Decimal]], convention: str,
               compounding_interval_months: int) -> Decimal:
    """Annual rate at which sum(amount / growth(t)) equals ``target``.

    ``flows`` are (t in lease months, amount). Used for the rate implicit in the
    lease (fair value vs payments plus unguaranteed residual). Bisection on a
    bracket [0, 1): PV falls monotonically in the rate for positive flows.
    """
    def pv(r: Decimal) -> Decimal:
        rb = RateBasis(r, convention, compounding_interval_months)
        return sum((a / rb.growth(t) for t, a in flows), Decimal(0))

    lo, hi = Decimal(0), Decimal("0.999")
    if pv(lo) < target:
        raise EngineError("implicit_rate_unsolvable",
                          "The payments and residual are worth less than the fair value even at a 0 % rate.",
                          field="fair_value")
    if pv(hi) > target:
        raise EngineError("implicit_rate_unsolvable", "No rate below 100 % reproduces the fair value.",
                          field="fair_value")
    for _ in range(200):
        mid = (lo + hi) / 2
        if pv(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < Decimal("1e-24"):
            break
    return ((lo + hi) / 2).quantize(Decimal("1e-20"))
