"""Disclosure packs and narrative overrides."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _OverrideBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: str = Field(description="Entity code")
    period: str = Field(description="YYYY-MM (a month) or YYYY / FYYYYY (a fiscal year)")
    section: str = Field(description="Section id of the pack (e.g. maturity, liability_rollforward)")
    text: str | None = Field(description="The auditor's narrative; null reverts to the generated text",
                             max_length=20_000)
    reason: str = Field(min_length=1, max_length=500, description="Why the narrative is overridden")


class LeaseOverrideIn(_OverrideBase):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "period": "2026", "standard": "IFRS16", "section": "maturity",
        "text": "Lease payments fall mainly within five years; no lease extends beyond 2034.",
        "reason": "Auditor wording agreed at the year-end meeting"}]})
    standard: Literal["IFRS16", "ASC842"]


class RevenueOverrideIn(_OverrideBase):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entity": "DEMO-US", "period": "2026", "scope": "COMBINED", "section": "rpo",
        "text": "Remaining performance obligations relate mainly to three-year SaaS subscriptions.",
        "reason": "Wording of the audit committee pack"}]})
    scope: Literal["IFRS15", "ASC606", "COMBINED"]


class OverrideOut(BaseModel):
    id: str
    source: str
    entity: str
    standard: str
    period: str
    section: str
    version: int
    text: str | None
    reason: str
    created_by: str | None
    actor_kind: str | None
    created_at: str


class OverrideListOut(BaseModel):
    source: str
    entity: str
    standard: str
    period: str
    sections: list[str]
    current: list[OverrideOut]
    history: list[OverrideOut]
