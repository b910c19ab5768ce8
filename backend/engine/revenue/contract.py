"""A revenue contract as frozen values (``parsing.parse_contract`` builds them from the API input).

Judgements (SSP method, constraint, discount allocation, variable consideration to one PO,
collectibility) are inputs with their rationale; the engine never fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..errors import EngineError

PATTERNS = ("point_in_time", "ratable", "percent_complete")
SSP_METHODS = ("observable", "adjusted_market_assessment", "expected_cost_plus_margin", "residual")
VC_METHODS = ("expected_value", "most_likely_amount")
VOLUME_DISCOUNT = "volume_discount"
COMPOUNDING = ("annual", "monthly")
COLLECTIBILITY = ("probable", "more_likely_than_not", "not_probable")


class InvalidRevenueInput(EngineError):
    """All field problems of one revenue input; ``details["errors"]`` lists ``{field, code, message}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        n = len(errors)
        super().__init__("invalid_revenue_input", f"The contract has {n} input problem{'s' if n != 1 else ''}.",
                         field=errors[0]["field"] if errors else None, details={"errors": list(errors)})
        self.errors = list(errors)


@dataclass(frozen=True, slots=True)
class Outcome:
    amount: Decimal
    probability: Decimal  # fraction, 0.6 = 60 %


@dataclass(frozen=True, slots=True)
class VolumeEstimate:
    as_of: date
    expect_threshold_exceeded: bool


@dataclass(frozen=True, slots=True)
class VariableConsideration:
    """``estimate`` is the method's figure; ``included`` what passes the constraint (the judgement).
    For ``type == "volume_discount"`` both follow from the dated ``estimates`` and the unit prices."""

    type: str
    method: str
    outcomes: tuple[Outcome, ...] = ()
    estimate: Decimal | None = None
    included: Decimal | None = None
    constraint_reason: str = ""
    list_unit_price: Decimal | None = None
    discounted_unit_price: Decimal | None = None
    threshold_units: Decimal | None = None
    estimates: tuple[VolumeEstimate, ...] = ()
    allocated_to: str | None = None  # 32-39..41: the PO the terms relate to specifically
    allocation_rationale: str = ""


@dataclass(frozen=True, slots=True)
class Financing:
    discount_rate: Decimal  # annual fraction, rate of a separate financing transaction (32-19)
    compounding: str
    transfer_date: date | None = None


@dataclass(frozen=True, slots=True)
class TransactionPriceInput:
    fixed: Decimal
    variable: VariableConsideration | None = None
    financing: Financing | None = None
    consideration_payable: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Billing:
    date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DiscountAllocation:
    po_ids: tuple[str, ...]
    bundle_price: Decimal | None = None
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class ProgressPoint:
    """One dated measure of progress, cumulative: a percent, costs to date over total expected
    costs (input method), or units delivered to date (output method)."""

    date: date
    percent: Decimal | None = None
    costs_incurred_to_date: Decimal | None = None
    total_expected_costs: Decimal | None = None
    units_delivered: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PerformanceObligation:
    id: str
    description: str
    pattern: str
    ssp_method: str
    ssp: Decimal | None = None
    ssp_range: tuple[Decimal, Decimal] | None = None
    sku: str | None = None
    start_date: date | None = None
    end_date: date | None = None  # last service day, inclusive
    delivered_date: date | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    progress: tuple[ProgressPoint, ...] = ()
    right_to_invoice: bool = False


@dataclass(frozen=True, slots=True)
class ContractCost:
    date: date
    amount: Decimal
    description: str = ""
    amortisation_months: int | None = None


@dataclass(frozen=True, slots=True)
class Collectibility:
    assessment: str  # probable | more_likely_than_not | not_probable
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class Contract:
    entity: str
    external_id: str
    customer: str
    currency: str
    start_date: date
    transaction_price: TransactionPriceInput
    performance_obligations: tuple[PerformanceObligation, ...]
    billing: tuple[Billing, ...] = ()
    discount_allocation: DiscountAllocation | None = None
    costs_to_obtain: tuple[ContractCost, ...] = ()
    collectibility: Collectibility | None = None

    def po_index(self, po_id: str) -> int:
        for k, po in enumerate(self.performance_obligations):
            if po.id == po_id:
                return k
        raise KeyError(po_id)
