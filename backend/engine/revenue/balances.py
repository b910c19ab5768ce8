"""Per-period revenue and the contract position (45-1..45-5; IFRS 15.105-109), in minor units.

Per contract, never across contracts: ``net = cumulative revenue + cumulative financing interest −
cumulative billing``; net > 0 is a contract asset, net < 0 a contract liability. Billing is the
unconditional right to consideration, so ``receivable`` is the cumulative amount billed (gross of
collections, which the engine does not see). Interest is income (+) when the customer pays after
transfer and expense (−) when it pays in advance; it is presented apart from revenue (32-20).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate

from ..calendar import days_in_month, iter_month_ends

from ..money import minor_unit, quantize
from .allocation import to_units
from .contract import Contract
from .patterns import ONE, ZERO, Frac, Progress
from .price import FinancingPlan
from .timeline import Step, Timeline

_ZERO = Decimal(0)


@dataclass
class PeriodColumns:
    keys: tuple[str, ...]
    ends: tuple[date, ...]
    revenue: list[list[int]]        # per period, per PO
    revenue_total: list[int]
    billed: list[int]
    receivable: list[int]
    contract_asset: list[int]
    contract_liability: list[int]
    interest: list[int]
    cum_revenue: list[list[int]]    # per period end, per PO


@lru_cache(maxsize=4096)
def month_ends(first: date, last: date) -> tuple[tuple[str, ...], tuple[date, ...]]:
    """Period keys and period ends from ``first``'s month to ``last``'s (cached: pure, immutable)."""
    ends = tuple(iter_month_ends(first, last))
    return tuple(f"{d.year:04d}-{d.month:02d}" for d in ends), ends


def _fractions(f: Progress, ds: list[date], ords: list[int], months: list[int]) -> list[Frac]:
    """``f`` over many dates at once, using the description each progress function carries."""
    kind = getattr(f, "kind", None)
    if kind is None:
        return [f(d) for d in ds]
    tag = kind[0]
    if tag == "daily":
        _, s0, total = kind
        return [(0 if o < s0 else total if o - s0 > total else o - s0, total) for o in ords]
    if tag == "monthly":
        _, first, base, n = kind
        return [(0, n) if o < first else (min(m - base, n), n) for o, m in zip(ords, months)]
    if tag == "point":
        return [ONE if o >= kind[1] else ZERO for o in ords]
    if tag == "never":
        return [ZERO] * len(ds)
    _, pts, vals = kind
    out, k, npts = [], 0, len(pts)
    for o in ords:  # dates ascend: walk the points once
        while k < npts and pts[k] <= o:
            k += 1
        out.append(vals[k - 1] if k else ZERO)
    return out


def cum_columns(tl: Timeline, ends: tuple[date, ...]) -> list[list[int]]:
    """Cumulative revenue per PO at each date (ascending; month ends in a schedule), column by
    column: the dates are cut into runs under one step, and each PO's progress over a run is
    computed in one pass."""
    ords = [s.start.toordinal() for s in tl.steps]
    runs: list[tuple[Step, list[date]]] = []
    for d in ends:
        s = tl.steps[max(bisect_right(ords, d.toordinal()) - 1, 0)] if len(ords) > 1 else tl.steps[0]
        if runs and runs[-1][0] is s:
            runs[-1][1].append(d)
        else:
            runs.append((s, [d]))
    meta = []
    for s, ds in runs:
        # month index counted as ended: month ends count their own month (the monthly convention)
        months = [d.year * 12 + d.month + (1 if d.day == days_in_month(d.year, d.month) else 0) for d in ds]
        meta.append((s, ds, [d.toordinal() for d in ds], months))
    cols: list[list[int]] = []
    for i in range(len(tl.pos)):
        col: list[int] = []
        for s, ds, o, m in meta:
            a, b = s.alloc[i], s.base[i]
            for n, den in _fractions(s.fracs[i], ds, o, m):
                if n == den:
                    col.append(b + a)
                elif n == 0:
                    col.append(b)
                else:
                    x = a * n
                    col.append(b + ((2 * x + den) // (2 * den) if x >= 0 else -((-2 * x + den) // (2 * den))))
        cols.append(col)
    return cols


def build_periods(c: Contract, tl: Timeline, fin: FinancingPlan, first: date, last: date,
                  recognised: bool = True) -> PeriodColumns:
    keys, ends = month_ends(first, last)
    ccy = c.currency
    npo, nper = len(tl.pos), len(keys)
    billed = [0] * nper
    if recognised:
        y0, m0 = first.year, first.month
        sums: dict[int, Decimal] = {}
        for b in c.billing:
            k = (b.date.year - y0) * 12 + b.date.month - m0
            sums[k] = sums.get(k, _ZERO) + b.amount
        e = minor_unit(ccy)
        for k, v in sums.items():
            billed[k] = int(v.scaleb(e))
    cols = cum_columns(tl, ends) if recognised else [[0] * nper for _ in range(npo)]
    cum_rows = [list(r) for r in zip(*cols)] if npo else [[] for _ in ends]
    revenue = [[a - b for a, b in zip(cur, prev)] for cur, prev in zip(cum_rows, [[0] * npo] + cum_rows[:-1])]
    if fin.transfer_date is not None and recognised:
        cum_i = [to_units(quantize(fin.interest_at(d), ccy), ccy) for d in ends]
    else:
        cum_i = [0] * nper
    receivable = list(accumulate(billed))
    net = [sum(r) + i - b for r, i, b in zip(cum_rows, cum_i, receivable)]
    return PeriodColumns(keys, ends, revenue, [sum(r) for r in revenue], billed, receivable,
                         [x if x > 0 else 0 for x in net], [-x if x < 0 else 0 for x in net],
                         [a - b for a, b in zip(cum_i, [0] + cum_i[:-1])], cum_rows)
