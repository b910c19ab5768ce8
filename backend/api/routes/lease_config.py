"""Entity lease configuration: policy, IBR matrix, FX rates, period locks."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.api.deps import require, runtime
from backend.api.schemas.common import ERROR_RESPONSES
from backend.api.schemas.results import FxRatesOut, FxUpsertOut, IbrMatrixOut, LockOut, LocksOut, PolicyOut
from backend.api.schemas.fields import PERIOD_PATTERN, Currency, Day, FxRate, Period, Rate, UnsignedMoney, text
from backend.services.leases import config as lease_config
from backend.services.leases import fx_refresh
from backend.services.ledger import locks as period_locks
from backend.services.platform.context import Actor

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["lease configuration"])
Ccy = Currency
Classes = list[text(60, 1)]


def _fraction(v: str | None, field: str) -> None:
    if v is not None and not Decimal(0) <= Decimal(v) <= Decimal(1):
        raise ValueError(f"{field} is a fraction between 0 and 1 (0.05 for 5 %)")


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "effective_date": "2026-01-01", "enabled_standards": ["IFRS16", "ASC842"], "rate_convention": "nominal",
        "short_term_classes": ["*"], "low_value_classes": ["it_equipment"], "low_value_threshold": "5000"}]})
    effective_date: Day
    enabled_standards: list[Literal["IFRS16", "ASC842"]] | None = Field(None, max_length=2)
    rate_convention: Literal["nominal", "effective"] | None = None
    compounding_interval_months: Literal[1, 3, 6, 12] | None = None
    short_term_classes: Classes | None = Field(None, max_length=200,
                                               description='asset classes electing the exemption; "*" = all')
    low_value_classes: Classes | None = Field(None, max_length=200)
    low_value_threshold: UnsignedMoney | None = None
    asc_major_part_threshold: Rate | None = None
    asc_substantially_all_threshold: Rate | None = None
    current_portion_method: Literal["principal_next_12_months"] | None = None
    asc_restoration_in_rou: bool | None = None
    interest_convention: Literal["periodic", "actual_days"] | None = Field(None, description=(
        "periodic (default): each payment period is one compounding period of equal length; months inside a "
        "longer payment period compound at the monthly equivalent rate. actual_days: accrue by day count."))
    depreciation_convention: Literal["calendar_month", "daily"] | None = Field(None, description=(
        "calendar_month (default): equal amounts per full calendar month, part months by days; daily: by days"))

    @field_validator("asc_major_part_threshold", "asc_substantially_all_threshold")
    @classmethod
    def _thresholds(cls, v, info):
        _fraction(v, info.field_name)
        return v


class IbrRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currency: Ccy
    term_from_months: int = Field(ge=0, le=1200)
    term_to_months: int = Field(ge=1, le=1200)
    rate: Rate

    @field_validator("rate")
    @classmethod
    def _rate(cls, v):
        _fraction(v, "rate")
        return v


class IbrMatrixIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "effective_date": "2026-01-01",
        "rates": [{"currency": "USD", "term_from_months": 0, "term_to_months": 60, "rate": "0.055"},
                  {"currency": "USD", "term_from_months": 61, "term_to_months": 240, "rate": "0.062"}]}]})
    entity: text(200, 1)
    effective_date: Day
    rates: list[IbrRow] = Field(min_length=1, max_length=5000)


class FxRow(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_currency: Ccy
    to_currency: Ccy
    date: Day
    rate: FxRate

    @model_validator(mode="after")
    def _pair(self):
        if self.from_currency == self.to_currency:
            raise ValueError("from_currency and to_currency must differ (a currency's rate to itself is 1)")
        if Decimal(self.rate) <= 0:
            raise ValueError("rate must be greater than zero")
        return self


class FxRatesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: text(200, 1)
    rates: list[FxRow] = Field(min_length=1, max_length=100000)


class LockIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "period": "2026-01", "standard": "ALL", "status": "LOCKED", "reason": "January closed"}]})
    entity: text(200, 1)
    period: Period
    standard: Literal["IFRS16", "ASC842", "ALL"] = "ALL"
    status: Literal["LOCKED", "OPEN"]
    reason: text(500) | None = None


@router.get("/entities/{code}/lease-policy", operation_id="get_lease_policy", response_model=PolicyOut,
            summary="The entity's current lease policy (version 0 is the built-in default)")
def get_policy(code: str, request: Request, actor: Annotated[Actor, Depends(require("lease_config.read"))]):
    return lease_config.get_policy(runtime(request), actor, code)


@router.put("/entities/{code}/lease-policy", operation_id="put_lease_policy", response_model=PolicyOut,
            summary="Set the entity's lease policy (adds a version; earlier runs keep theirs)")
def put_policy(code: str, body: PolicyIn, request: Request,
               actor: Annotated[Actor, Depends(require("lease_config.write"))]):
    data = body.model_dump(mode="json", exclude_unset=True)
    effective = body.effective_date
    data.pop("effective_date")
    return lease_config.put_policy(runtime(request), actor, code, data, effective)


@router.get("/lease/ibr-matrix", operation_id="get_ibr_matrix", response_model=IbrMatrixOut,
            summary="The entity's incremental borrowing rates, every version")
def get_ibr(request: Request, actor: Annotated[Actor, Depends(require("lease_config.read"))], entity: str):
    return lease_config.get_ibr_matrix(runtime(request), actor, entity)


@router.put("/lease/ibr-matrix", operation_id="put_ibr_matrix", response_model=IbrMatrixOut,
            summary="Add an IBR matrix version: currency × term band → annual rate, from an effective date")
def put_ibr(body: IbrMatrixIn, request: Request, actor: Annotated[Actor, Depends(require("lease_config.write"))]):
    return lease_config.put_ibr_matrix(runtime(request), actor, body.entity, body.effective_date,
                                       [r.model_dump() for r in body.rates])


@router.get("/fx-rates", operation_id="list_fx_rates", response_model=FxRatesOut,
            summary="FX rates of an entity, filtered by pair and date range")
def get_fx(request: Request, actor: Annotated[Actor, Depends(require("lease_config.read"))], entity: str,
           from_currency: str | None = None, to_currency: str | None = None,
           date_from: Annotated[Day | None, Query()] = None, date_to: Annotated[Day | None, Query()] = None):
    return lease_config.list_fx_rates(runtime(request), actor, entity, from_currency=from_currency,
                                      to_currency=to_currency, date_from=date_from, date_to=date_to)


@router.put("/fx-rates", operation_id="put_fx_rates", response_model=FxUpsertOut, summary="Upsert FX rates (units of to_currency per from_currency)")
def put_fx(body: FxRatesIn, request: Request, actor: Annotated[Actor, Depends(require("lease_config.write"))]):
    return fx_refresh.put_fx_rates(runtime(request), actor, body.entity, [r.model_dump() for r in body.rates])


@router.get("/lease/period-locks", operation_id="get_period_locks", response_model=LocksOut,
            summary="Locks of an entity; a period never locked reads as an explicit OPEN record")
def get_locks(request: Request, actor: Annotated[Actor, Depends(require("period_locks.read"))], entity: str,
              period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="YYYY-MM")] = None,
              standard: Literal["IFRS16", "ASC842", "ALL"] | None = None):
    return {"data": period_locks.get_locks(runtime(request), actor, entity, period=period, standard=standard,
                                           books=("IFRS16", "ASC842"))}


@router.put("/lease/period-locks", operation_id="put_period_lock", response_model=LockOut, summary="Lock or unlock a period (APPROVER+)")
def put_lock(body: LockIn, request: Request, actor: Annotated[Actor, Depends(require("period_locks.write"))]):
    return period_locks.set_lock(runtime(request), actor, body.entity, body.period, body.standard, body.status,
                                 body.reason)
