"""Lease input and output shapes. Money, rates and factors travel as decimal strings; a JSON
number with a fraction is refused because it has already gone through binary floating point."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.api.schemas.fields import Currency, Day, Money, Percent, Rate, text
from backend.engine.leases.terms import MAX_OTHER_PAYMENTS, MAX_PAYMENT_STREAMS

Standard = Literal["IFRS16", "ASC842"]


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    percent: Percent
    every_months: int = Field(ge=1, le=120)
    rounding: Literal["each_step", "from_base"] = Field(
        "each_step", description="each_step (default): each escalated payment is rounded to the cent, as invoiced; "
                                 "from_base: base × (1 + p)^n rounded once")


class PaymentStream(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: Day = Field(alias="from")
    to: Day
    amount: Money
    frequency: Literal["monthly", "quarterly", "semiannual", "annual"]
    timing: Literal["advance", "arrears"] = "advance"
    escalation: Escalation | None = None
    kind: Literal["fixed", "in_substance_fixed", "index_linked"] = "fixed"


class OtherPayment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: Day
    amount: Money
    kind: Literal["termination_penalty", "incentive_receivable"]


class ResidualValueGuarantee(BaseModel):
    model_config = ConfigDict(extra="forbid")
    guaranteed_amount: Money
    expected_residual_value: Money


class PurchaseOption(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price: Money
    exercise_date: Day | None = None
    reasonably_certain: bool = False


class ClassificationOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")
    standard: Standard
    classification: Literal["finance", "operating"]
    reason: text(500, 3)


class LeaseFields(BaseModel):
    """The lease contract fields (all optional here: a draft may be incomplete; validate says what is missing)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    external_id: text(100, 1) | None = None
    description: text(500) | None = None
    asset_class: text(60) | None = None
    currency: Currency | None = None
    commencement_date: Day | None = None
    end_date: Day | None = None
    payments: list[PaymentStream] | None = Field(None, max_length=MAX_PAYMENT_STREAMS)
    other_payments: list[OtherPayment] | None = Field(None, max_length=MAX_OTHER_PAYMENTS)
    residual_value_guarantee: ResidualValueGuarantee | None = None
    discount_rate: Rate | Literal["implicit"] | None = Field(None, description=(
        "Annual rate as a fraction (\"0.05\"), or \"implicit\" to solve the rate implicit in the lease "
        "(IFRS 16.26, ASC 842-20-30-3) from fair_value and unguaranteed_residual_value. Precedence: a rate "
        "given here, then \"implicit\" when asked, then the entity's IBR matrix."))
    unguaranteed_residual_value: Money | None = Field(None, description="for the implicit rate")
    rate_convention: Literal["nominal", "effective"] | None = None
    compounding_interval_months: Literal[1, 3, 6, 12] | None = None
    initial_direct_costs: Money | None = None
    lease_incentives_received: Money | None = None
    prepaid_lease_payments: Money | None = None
    restoration_costs: Money | None = None
    useful_life_months: int | None = Field(None, ge=1, le=1200)
    economic_life_months: int | None = Field(None, ge=1, le=1200,
                                             description="of the underlying asset (ASC 842 major-part test)")
    transfer_of_ownership: bool | None = None
    purchase_option: PurchaseOption | None = None
    fair_value: Money | None = None
    specialized_asset: bool | None = None
    underlying_asset_value_new: Money | None = None
    classification_override: ClassificationOverride | None = None
    index_at_commencement: Rate | None = None

    def engine_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class LeaseCreate(LeaseFields):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra={"examples": [{
        "entity": "DEMO-US", "external_id": "NYC-HQ-01", "description": "New York head office", "asset_class": "property",
        "currency": "USD", "commencement_date": "2026-01-01", "end_date": "2030-12-31",
        "payments": [{"from": "2026-01-01", "to": "2030-12-01", "amount": "10000.00", "frequency": "monthly",
                      "timing": "advance", "escalation": {"percent": "3", "every_months": 12}}],
        "discount_rate": "0.06", "initial_direct_costs": "5000.00"}]})
    entity: text(200, 1)
    external_id: text(100, 1)


class LeasePatch(LeaseFields):
    version: int = Field(ge=1, description="The version you read; a stale one is refused with 409")


class LeaseOut(BaseModel):
    id: str
    entity: str
    external_id: str
    status: Literal["draft", "confirmed", "terminated"]
    version: int
    source: str
    lease: dict[str, Any]
    issues: list[dict[str, Any]]
    provenance: dict[str, Any]
    created_at: datetime
    updated_at: datetime | None
    confirmed_at: datetime | None


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"lease_ids": ["01M9535VK7XGNXWWJEF7TQ19RV"]}]})
    lease_ids: list[text(40, 1)] = Field(min_length=1, max_length=10000)
