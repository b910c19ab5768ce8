"""The replay state: the contract as changed so far, its timeline and the inception basis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from datetime import date
from decimal import Decimal

from ..errors import EngineError
from .allocation import Allocation
from .contract import Contract, PerformanceObligation, VariableConsideration
from .patterns import Progress, progress_for
from .policy import RevenuePolicy
from .price import FinancingPlan, TransactionPrice, check_variable, transaction_price
from .timeline import Timeline


@dataclass
class State:
    contract: Contract
    policy: RevenuePolicy
    tl: Timeline
    alloc: Allocation
    fin: FinancingPlan
    ssps: list[Decimal]
    fixed_delta: Decimal = Decimal(0)
    variable: tuple[Decimal, Decimal] | None = None  # reassessed (estimate, included); None = the contract's
    removed: set[int] = field(default_factory=set)
    # per PO, how a (changed) definition becomes the progress of the current segment: after a
    # prospective modification it is the progress of what remained at that modification
    makers: dict[int, Callable[[PerformanceObligation], Progress]] = field(default_factory=dict)

    def progress_of(self, k: int, po: PerformanceObligation) -> Progress:
        make = self.makers.get(k)
        return make(po) if make else progress_for(po, self.policy.ratable_convention)

    def index(self, po_id: str, path: str) -> int:
        for k, po in enumerate(self.tl.pos):
            if po.id == po_id:
                return k
        raise EngineError("unknown_po_id", f"no PO {po_id!r} in this contract.", field=path)

    def set_variable(self, v: VariableConsideration) -> None:
        self.variable = check_variable(v, self.contract.currency, "changes.variable")

    def tp_at(self, d: date) -> TransactionPrice:
        return transaction_price(self.contract, d, self.fin, self.fixed_delta, self.variable)
