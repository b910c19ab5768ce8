"""Per-period revenue and the contract position (45-1..45-5; IFRS 15.105-109), in minor units.

Per contract, never across contracts: ``net = cumulative revenue + cumulative financing interest −
cumulative billing``; net > 0 is a contract asset, net < 0 a contract liability. Billing is the
unconditional right to consideration, so ``receivable`` is the cumulative amount billed (gross of
collections, which the engine does not see). Interest is income (+) when the customer pays after
transfer and expense (−) when it pays in advance; it is presented apart from revenue (32-20).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..money import quantize
from .allocation import to_units
from .contract import Contract
from .price import FinancingPlan
from .timeline import Timeline


@dataclass
class PeriodColumns:
    keys: list[str]
    ends: list[date]
    revenue: list[list[int]]        # per period, per PO
    revenue_total: list[int]
    billed: list[int]
    receivable: list[int]
    contract_asset: list[int]
    contract_liability: list[int]
    interest: list[int]
    cum_revenue: list[list[int]]    # per period end, per PO


def month_ends(first: date, last: date) -> tuple[list[str], list[date]]:
    from ..calendar import iter_month_ends
    ends = iter_month_ends(first, last)
    return [f"{d.year:04d}-{d.month:02d}" for d in ends], ends


def build_periods(c: Contract, tl: Timeline, fin: FinancingPlan, first: date, last: date,
                  recognised: bool = True) -> PeriodColumns:
    keys, ends = month_ends(first, last)
    ccy = c.currency
    npo = len(tl.pos)
    bill_by_period: dict[str, int] = {}
    if recognised:
        for b in c.billing:
            k = f"{b.date.year:04d}-{b.date.month:02d}"
            bill_by_period[k] = bill_by_period.get(k, 0) + to_units(b.amount, ccy)
    prev = [0] * npo
    cum_b = 0
    prev_int = 0
    has_fin = fin.transfer_date is not None
    out = PeriodColumns(keys, ends, [], [], [], [], [], [], [], [])
    for k, d in zip(keys, ends):
        cum = tl.cum(d) if recognised else [0] * npo
        rev = [a - b for a, b in zip(cum, prev)]
        prev = cum
        billed = bill_by_period.get(k, 0)
        cum_b += billed
        ci = to_units(quantize(fin.interest_at(d), ccy), ccy) if has_fin and recognised else 0
        net = sum(cum) + ci - cum_b
        out.revenue.append(rev)
        out.cum_revenue.append(cum)
        out.revenue_total.append(sum(rev))
        out.billed.append(billed)
        out.receivable.append(cum_b)
        out.interest.append(ci - prev_int)
        prev_int = ci
        out.contract_asset.append(net if net > 0 else 0)
        out.contract_liability.append(-net if net < 0 else 0)
    return out
