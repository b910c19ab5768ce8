"""Revenue contract input and output shapes (the engine's input contract; money as decimal strings)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.api.schemas.fields import (
    Currency,
    Day,
    Money,
    Period,
    Rate,
    UnsignedMoney,
    text,
)

Standard = Literal["IFRS15", "ASC606"]
Pattern = Literal["point_in_time", "ratable", "percent_complete"]
SspMethod = Literal["observable", "adjusted_market_assessment", "expected_cost_plus_margin", "residual"]

SAAS_EXAMPLE = {
    "entity": "DEMO-US", "external_id": "SAAS-001", "customer": "Acme Corp", "currency": "USD",
    "start_date": "2026-01-01", "transaction_price": {"fixed": "36000.00"},
    "billing": [{"date": "2026-01-01", "amount": "12000.00"}, {"date": "2027-01-01", "amount": "12000.00"},
                {"date": "2028-01-01", "amount": "12000.00"}],
    "performance_obligations": [
        {"id": "SUB", "description": "Platform subscription", "pattern": "ratable", "ssp_method": "observable",
         "ssp": "30000.00", "start_date": "2026-01-01", "end_date": "2028-12-31"},
        {"id": "ONB", "description": "Onboarding", "pattern": "point_in_time", "ssp_method": "observable",
         "ssp": "8000.00", "delivered_date": "2026-01-31"}]}


class ProgressPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: Day
    percent: UnsignedMoney | None = None
    costs_incurred_to_date: UnsignedMoney | None = None
    total_expected_costs: UnsignedMoney | None = None
    units_delivered: UnsignedMoney | None = None


class PerformanceObligationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: text(60, 1)
    description: text(500) | None = None
    pattern: Pattern
    ssp_method: SspMethod
    ssp: UnsignedMoney | None = None
    ssp_range: list[UnsignedMoney] | None = Field(None, min_length=2, max_length=2, description="[low, high]")
    sku: text(100, 1) | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    delivered_date: Day | None = None
    quantity: UnsignedMoney | None = None
    unit_price: Money | None = None
    progress: list[ProgressPoint] | None = Field(None, max_length=400)
    right_to_invoice: bool | None = None


class BillingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: Day
    amount: Money


class FinancingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    discount_rate: Rate
    compounding: Literal["annual", "monthly"] | None = None
    transfer_date: Day | None = None


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Money
    probability: Rate = Field(description="a fraction between 0 and 1; the outcomes' probabilities add up to 1")


class VolumeEstimateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: Day
    expect_threshold_exceeded: bool


class VariableIn(BaseModel):
    """Variable consideration (606-10-32-5..14): the estimate and what passes the constraint are
    judgements the engine records, never guesses; a volume discount (Example 24) is estimated from
    the unit prices, the threshold and dated threshold expectations."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"type": "performance_bonus", "method": "most_likely_amount", "estimate": "5000.00", "included": "5000.00",
         "constraint_reason": "bonus highly probable: milestone met on every past contract"},
        {"type": "volume_discount", "method": "most_likely_amount", "list_unit_price": "100",
         "discounted_unit_price": "90", "threshold_units": "1000",
         "estimates": [{"as_of": "2018-01-01", "expect_threshold_exceeded": False}]}]})
    type: text(60, 1) = Field(description="what varies: bonus, penalty, rebate, volume_discount, …")
    method: Literal["expected_value", "most_likely_amount"]
    estimate: Money | None = None
    included: Money | None = Field(None, description="the amount after the constraint (32-11), a judgement")
    outcomes: list[OutcomeIn] | None = Field(None, max_length=100)
    constraint_reason: text(1000) | None = None
    list_unit_price: UnsignedMoney | None = None
    discounted_unit_price: UnsignedMoney | None = None
    threshold_units: UnsignedMoney | None = None
    estimates: list[VolumeEstimateIn] | None = Field(None, max_length=400)
    allocated_to: text(60, 1) | None = Field(None, description="a PO id, when the 32-40 conditions are met")
    allocation_rationale: text(1000) | None = None


class DiscountAllocationIn(BaseModel):
    """A discount allocated to some POs only (606-10-32-37), with the evidence for it."""
    model_config = ConfigDict(extra="forbid")
    po_ids: list[text(60, 1)] = Field(min_length=1, max_length=200)
    bundle_price: UnsignedMoney | None = None
    rationale: text(1000) | None = None


class CollectibilityIn(BaseModel):
    """Step 1 collectibility (606-10-25-1(e)); anything but probable needs the rationale."""
    model_config = ConfigDict(extra="forbid")
    assessment: Literal["probable", "more_likely_than_not", "not_probable"]
    rationale: text(1000) | None = None


class TransactionPriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fixed: Money
    variable: VariableIn | None = None
    financing: FinancingIn | None = None
    consideration_payable: UnsignedMoney | None = None


class CostToObtainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: Day
    amount: UnsignedMoney
    description: text(500) | None = None
    amortisation_months: int | None = Field(None, ge=1, le=600)


class ContractFields(BaseModel):
    external_id: text(100, 1) | None = None
    customer: text(200) | None = None
    currency: Currency | None = None
    start_date: Day | None = None
    transaction_price: TransactionPriceIn | None = None
    performance_obligations: list[PerformanceObligationIn] | None = Field(None, max_length=200)
    billing: list[BillingIn] | None = Field(None, max_length=2000)
    discount_allocation: DiscountAllocationIn | None = None
    costs_to_obtain: list[CostToObtainIn] | None = Field(None, max_length=200)
    collectibility: CollectibilityIn | None = None
    dimensions: dict[str, text(100)] | None = Field(None, description="region, customer_class, … (reporting)")

    def engine_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)


class ContractCreate(ContractFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SAAS_EXAMPLE]})
    entity: text(200, 1)
    external_id: text(100, 1)
    currency: Currency
    start_date: Day
    transaction_price: TransactionPriceIn
    performance_obligations: list[PerformanceObligationIn] = Field(min_length=1, max_length=200)


class ContractPatch(ContractFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"version": 1, "customer": "Acme Corporation", "transaction_price": {"fixed": "37200.00"}}]})
    version: int = Field(ge=1, le=2**31, description="The version you read (optimistic concurrency)")


class ContractOut(BaseModel):
    id: str
    entity: str
    external_id: str
    customer: str | None
    currency: str | None
    start_date: date | None
    status: str
    version: int
    source: str
    contract: dict
    events: list
    issues: list
    provenance: dict
    needs_recalculation: bool
    standards: list
    created_at: datetime
    updated_at: datetime | None
    confirmed_at: datetime | None
    current_runs: list | None = None


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"contract_ids": ["01J…"]}]})
    contract_ids: list[text(40, 1)] = Field(min_length=1, max_length=20000)


class RecalculateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"standards": ["IFRS15", "ASC606"]}]})
    standards: list[Standard] | None = Field(None, max_length=2)


class RevenueEngineRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"contract_id": "01J…", "run_type": "MODIFICATION", "effective_date": "2027-01-01",
         "treatment": "prospective", "changes": {"consideration_delta": "6000.00", "new_end_date": "2029-12-31"}},
        {"contract_id": "01J…", "run_type": "PROGRESS_UPDATE", "effective_date": "2026-06-30",
         "changes": {"progress": {"IMPL": [{"date": "2026-06-30", "percent": "60"}]}}, "dry_run": True}]})
    contract_id: text(40, 1)
    run_type: Literal["MODIFICATION", "VARIABLE_CONSIDERATION_REASSESSMENT", "PROGRESS_UPDATE"]
    effective_date: Day
    treatment: Literal["separate_contract", "prospective", "cumulative_catch_up"] | None = None
    rationale: text(2000) | None = None
    changes: dict[str, Any] = Field(default_factory=dict, description=(
        "MODIFICATION: consideration_delta, credit, credit_po_id, quantity_delta, add_performance_obligations, "
        "remove_po_ids, new_end_date, billing, expected_costs_delta, variable; "
        "VARIABLE_CONSIDERATION_REASSESSMENT: variable; PROGRESS_UPDATE: progress {po_id: [points]}, delivered"))
    standards: list[Standard] | None = Field(None, max_length=2)
    dry_run: bool = Field(False, description="Return the result per book and the event's entries; write nothing")


class SspRowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: text(100, 1)
    currency: Currency
    dimensions: dict[text(40, 1), text(100)] | None = Field(None, description="e.g. region, customer_class")
    method: Literal["observable", "adjusted_market_assessment", "expected_cost_plus_margin", "residual"]
    ssp: UnsignedMoney | None = Field(None, description="a point SSP (per unit when the PO has a quantity)")
    low: UnsignedMoney | None = None
    mid: UnsignedMoney | None = None
    high: UnsignedMoney | None = None
    effective_from: Day
    effective_to: Day | None = None


class SspMatrixIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "rows": [
            {"sku": "SUPPORT-STD", "currency": "USD", "method": "observable", "ssp": "1200.00",
             "effective_from": "2026-01-01"},
            {"sku": "HW-100", "currency": "USD", "dimensions": {"region": "EMEA"}, "method": "adjusted_market_assessment",
             "low": "900.00", "mid": "1000.00", "high": "1100.00", "effective_from": "2026-01-01",
             "effective_to": "2026-12-31"}]}]})
    entity: text(200, 1)
    rows: list[SspRowIn] = Field(max_length=20000)


class PolicySnapshotIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "enabled_standards": ["IFRS15", "ASC606"], "ratable_convention": "monthly",
        "financing_expedient": True, "costs_to_obtain_expedient": True, "rpo_expedients": ["one_year_or_less"],
        "shipping_and_handling": "fulfilment_cost", "sales_taxes": "exclude", "portfolio_approach": False}]})
    entity: text(200, 1)
    enabled_standards: list[Standard] | None = Field(None, min_length=1, max_length=2)
    ratable_convention: Literal["daily", "monthly"] | None = None
    financing_expedient: bool | None = None
    costs_to_obtain_expedient: bool | None = None
    rpo_expedients: list[Literal["one_year_or_less", "right_to_invoice", "variable_consideration_allocated"]] | None = \
        Field(None, max_length=3)
    shipping_and_handling: Literal["fulfilment_cost", "performance_obligation"] | None = None
    sales_taxes: Literal["exclude", "include"] | None = None
    portfolio_approach: bool | None = None


class RevenueLockIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "period": "2026-01", "standard": "ALL", "status": "LOCKED", "reason": "January closed"}]})
    entity: text(200, 1)
    period: Period
    standard: Literal["IFRS15", "ASC606", "ALL"] = "ALL"
    status: Literal["LOCKED", "OPEN"]
    reason: text(500) | None = None


class RevenueCloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"entity": "DEMO-US",
                                                                              "period": "2026-01"}]})
    entity: text(200, 1)
    period: Period
    standards: list[Standard] | None = Field(None, max_length=2, description="default: the policy's books")
