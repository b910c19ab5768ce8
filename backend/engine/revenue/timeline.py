"""The recognition timeline of a contract: a list of *steps*, each effective from a date.

A step fixes, per PO, a ``base`` (revenue already locked in, minor units), an ``alloc`` (what the
step earns as progress goes from 0 to 1) and a progress function. Cumulative revenue of PO i at
day d is ``base_i + round(alloc_i × progress_i(d))`` under the step in force on d. So:

- a change in the transaction price (variable consideration re-estimated, a cumulative catch-up
  modification) is a step with a new ``alloc`` and the same ``base``: revenue for progress already
  made is caught up in the period of the change (32-42..44, 25-13(b));
- a prospective modification is a step whose ``base`` is the revenue to date and whose ``alloc``
  is the remaining consideration, earned by the progress of what is left (25-13(a)).

The last step's ``base + alloc`` is the transaction price per PO, so once every PO is complete the
cumulative revenue equals the transaction price exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Sequence

from .allocation import Allocation, allocate, reallocate, spread, to_units
from .contract import Contract, PerformanceObligation
from .patterns import Progress, never, progress_for, rhu
from .policy import RevenuePolicy
from .price import FinancingPlan, TransactionPrice, financing_plan, transaction_price
from .ssp import resolve_ssps


@dataclass
class Step:
    start: date
    base: list[int]
    alloc: list[int]
    fracs: list[Progress]
    tp: TransactionPrice
    label: str


@dataclass
class Timeline:
    pos: list[PerformanceObligation]
    steps: list[Step]
    prospective: bool = False
    _ords: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ords = [s.start.toordinal() for s in self.steps]

    @property
    def po_ids(self) -> list[str]:
        return [p.id for p in self.pos]

    def add_step(self, step: Step) -> None:
        if self.steps and step.start < self.steps[-1].start:
            raise ValueError("steps are added in date order")
        if self.steps and step.start == self.steps[-1].start:
            self.steps[-1] = step  # a second change on the same day replaces the step of that day
        else:
            self.steps.append(step)
            self._ords.append(step.start.toordinal())

    def add_po(self, po: PerformanceObligation) -> int:
        self.pos.append(po)
        for s in self.steps:
            s.base.append(0)
            s.alloc.append(0)
            s.fracs.append(never)
        return len(self.pos) - 1

    def step_at(self, d: date) -> Step:
        k = bisect_right(self._ords, d.toordinal())
        return self.steps[k - 1 if k else 0]

    def cum(self, d: date, step: Step | None = None) -> list[int]:
        s = step or self.step_at(d)
        out = []
        for b, a, f in zip(s.base, s.alloc, s.fracs):
            n, den = f(d)
            out.append(b + (a if n == den else rhu(a * n, den) if n else 0))
        return out

    @property
    def last(self) -> Step:
        return self.steps[-1]


@dataclass
class Inception:
    timeline: Timeline
    allocation: Allocation
    financing: FinancingPlan
    tp: TransactionPrice


def build_inception(c: Contract, policy: RevenuePolicy, ssp_rows: Sequence[Mapping[str, Any]] = ()) -> Inception:
    """Steps 3-5 at inception (later dated estimates and events are steps added by the replay)."""
    fin = financing_plan(c, policy)
    tp = transaction_price(c, c.start_date, fin)
    alloc = allocate(c, resolve_ssps(c, ssp_rows), tp.total, tp.variable_included)
    fracs = [progress_for(po, policy.ratable_convention) for po in c.performance_obligations]
    tl = Timeline(list(c.performance_obligations),
                  [Step(date.min, [0] * len(fracs), list(alloc.amounts), fracs, tp, "inception")])
    return Inception(tl, alloc, fin, tp)


def vc_step(tl: Timeline, c: Contract, alloc: Allocation, on: date, tp: TransactionPrice, label: str,
            fracs: list[Progress] | None = None) -> Step:
    """A change of transaction price effective ``on``: new alloc, the base unchanged except for POs
    already satisfied at a prospective modification. Before any prospective modification the price
    is spread on the inception basis (32-43..44)."""
    prev = tl.step_at(on)
    ccy = c.currency
    base = list(prev.base)
    if tl.prospective:
        # 32-45(a), Example 6: the change is spread on the inception basis over the inception POs; the
        # share of a PO satisfied before the modification is revenue now (its base), the shares of the
        # others go to the POs of the modified contract in proportion to what each still has to earn
        delta = to_units(tp.total, ccy) - to_units(prev.tp.total, ccy)
        shares = spread([abs(a) for a in alloc.amounts], sum(abs(a) for a in alloc.amounts) + delta)
        pooled = 0
        for i, (sh, a0) in enumerate(zip(shares, alloc.amounts)):
            if prev.alloc[i] == 0:
                base[i] += sh - abs(a0)
            else:
                pooled += sh - abs(a0)
        new_alloc = spread(prev.alloc, sum(prev.alloc) + pooled)
    else:
        new_alloc = list(reallocate(alloc, to_units(tp.total, ccy), to_units(tp.variable_included, ccy)))
    step = Step(on, base, new_alloc, list(fracs or prev.fracs), tp, label)
    tl.add_step(step)
    return step
