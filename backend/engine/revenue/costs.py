"""Incremental costs of obtaining a contract (340-40-25-1..4, 35-1; IFRS 15.91-94, 99).

Capitalised and amortised straight line by month over ``amortisation_months`` from the month the
cost is incurred (default: to the last month of the contract's transfer of goods or services),
by cumulative rounding. With the practical expedient, a cost whose amortisation period is one year
or less is expensed when incurred. Impairment (35-3) and its IFRS-only reversal are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .allocation import to_units
from .contract import Contract
from .patterns import rhu
from .policy import RevenuePolicy


@dataclass
class CostColumns:
    capitalised: list[int]
    amortisation: list[int]
    expensed: list[int]
    closing: list[int]
    notes: list[str]

    @property
    def any(self) -> bool:
        return any(self.capitalised) or any(self.expensed)


def _idx(d: date) -> int:
    return d.year * 12 + d.month - 1


def build_costs(c: Contract, policy: RevenuePolicy, keys_first: date, n_periods: int, last_transfer: date) -> CostColumns:
    cap = [0] * n_periods
    amo = [0] * n_periods
    exp = [0] * n_periods
    notes: list[str] = []
    p0 = _idx(keys_first)
    for k, cost in enumerate(c.costs_to_obtain):
        months = cost.amortisation_months or max(_idx(last_transfer) - _idx(cost.date) + 1, 1)
        units = to_units(cost.amount, c.currency)
        start = _idx(cost.date) - p0
        if policy.costs_to_obtain_expedient and months <= 12:
            exp[start] += units
            notes.append(f"costs_to_obtain[{k}]: expensed, amortisation period {months} months ≤ 1 year "
                         "(practical expedient 340-40-25-4; IFRS 15.94)")
            continue
        cap[start] += units
        notes.append(f"costs_to_obtain[{k}]: capitalised, amortised over {months} months (340-40-35-1)")
        prev = 0
        for m in range(months):
            cum = rhu(units * (m + 1), months)
            if start + m < n_periods:
                amo[start + m] += cum - prev
            prev = cum
    closing, bal = [], 0
    for a, b in zip(cap, amo):
        bal += a - b
        closing.append(bal)
    return CostColumns(cap, amo, exp, closing, notes)
