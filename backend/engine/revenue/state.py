"""The replay state: the contract as changed so far, its timeline and the inception basis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..errors import EngineError
from .allocation import Allocation
from .contract import Contract, VariableConsideration
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

    def index(self, po_id: str, path: str) -> int:
        for k, po in enumerate(self.tl.pos):
            if po.id == po_id:
                return k
        raise EngineError("unknown_po_id", f"no PO {po_id!r} in this contract.", field=path)

    def set_variable(self, v: VariableConsideration) -> None:
        self.variable = check_variable(v, self.contract.currency, "changes.variable")

    def tp_at(self, d: date) -> TransactionPrice:
        return transaction_price(self.contract, d, self.fin, self.fixed_delta, self.variable)
