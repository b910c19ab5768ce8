"""Remaining performance obligations at a date (606-10-50-13; IFRS 15.120), with time bands.

RPO = the transaction price in force at ``as_of`` (variable consideration only as included after
the constraint, 50-15) minus cumulative revenue at ``as_of``. Bands come from the progress already
scheduled (ratable days, dated deliveries and progress points) under the terms in force at
``as_of``; what no known date schedules yet is ``unscheduled``. Expedients (50-14, 50-14A;
IFRS 15.121) are applied by policy: an ASC-only expedient only in the ASC 606 book.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass, field
from datetime import date

from ..calendar import add_months
from ..money import minor_unit
from .contract import Contract
from .policy import ASC_ONLY_RPO_EXPEDIENTS, RevenuePolicy
from .timeline import Timeline


@dataclass
class Rpo:
    as_of: date
    total: int
    within_12_months: int
    after_12_months: int
    by_year: dict[str, int]
    unscheduled: int
    omitted: list[dict[str, Any]] = field(default_factory=list)  # amount_units: int
    transaction_price: int | None = None  # in force at as_of (dated estimates may change it later)


def _duration_within_year(c: Contract, tl: Timeline) -> bool:
    last = [po.end_date or po.delivered_date for po in tl.pos]
    ends = [e for e in last if e is not None]
    if len(ends) < len(last):
        return False
    ends += [p.date for po in tl.pos for p in po.progress]
    return max(ends) <= add_months(c.start_date, 12)


def compute_rpo(c: Contract, tl: Timeline, policy: RevenuePolicy, standard: str, as_of: date) -> Rpo:
    ex = [e for e in policy.rpo_expedients if standard == "ASC606" or e not in ASC_ONLY_RPO_EXPEDIENTS]
    omitted: list[dict[str, Any]] = []
    if "one_year_or_less" in ex and _duration_within_year(c, tl):
        omitted.append({"scope": "contract", "expedient": "one_year_or_less", "reference": "50-14(a); IFRS 15.121(a)"})
        return Rpo(as_of, 0, 0, 0, {}, 0, omitted, sum(b + a for b, a in zip(tl.step_at(as_of).base,
                                                                             tl.step_at(as_of).alloc)))
    step = tl.step_at(as_of)
    n = len(tl.pos)
    keep = [True] * n
    for i, po in enumerate(tl.pos):
        if "right_to_invoice" in ex and po.right_to_invoice:
            keep[i] = False
            omitted.append({"scope": po.id, "expedient": "right_to_invoice", "reference": "50-14(b); IFRS 15.121(b)"})
    full = [b + a for b, a in zip(step.base, step.alloc)]
    price = sum(full)
    now = tl.cum(as_of)
    vc = c.transaction_price.variable
    if "variable_consideration_allocated" in ex and vc is not None and vc.allocated_to:
        i = [p.id for p in tl.pos].index(vc.allocated_to)
        if keep[i] and now[i] == step.base[i]:  # wholly unsatisfied PO (50-14A(b))
            part = int(step.tp.variable_included.scaleb(minor_unit(c.currency)))
            full[i] -= part
            omitted.append({"scope": vc.allocated_to, "expedient": "variable_consideration_allocated",
                            "amount_units": part, "reference": "50-14A(b) (ASC 606 only)"})

    def remaining(d: date) -> int:
        cur = tl.cum(d, step)
        return sum(f - x for f, x, k in zip(full, cur, keep) if k)

    total = sum(f - x for f, x, k in zip(full, now, keep) if k)
    in12 = total - remaining(add_months(as_of, 12))
    last = max([as_of] + [d for po in tl.pos for d in (po.end_date, po.delivered_date) if d]
               + [p.date for po in tl.pos for p in po.progress])
    by_year: dict[str, int] = {}
    prev = total
    for y in range(as_of.year, last.year + 1):
        r = remaining(date(y, 12, 31))
        if prev - r:
            by_year[str(y)] = prev - r
        prev = r
    return Rpo(as_of, total, in12, total - in12, by_year, prev, omitted, price)
