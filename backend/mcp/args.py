"""Argument types shared by the tools: each carries its JSON-schema description and examples."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from backend.api.schemas.fields import PERIOD_PATTERN

EntityCode = Annotated[str, Field(min_length=1, max_length=200, description="Entity code", examples=["DEMO-US"])]
OptEntity = Annotated[str | None, Field(min_length=1, max_length=200, description="Entity code (all when omitted)",
                                        examples=["DEMO-US"])]
LeaseId = Annotated[str, Field(min_length=1, max_length=40, description="Lease id (from portfolio.search)")]
EntryId = Annotated[str, Field(min_length=1, max_length=40, description="Journal entry id (from journal.search)")]
Standard = Literal["IFRS16", "ASC842"]
OptStandard = Annotated[Standard | None, Field(description="Book: IFRS16 or ASC842 (all when omitted)")]
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, description="Accounting period YYYY-MM", examples=["2026-01"])]
OptPeriod = Annotated[str | None, Field(pattern=PERIOD_PATTERN, description="Accounting period YYYY-MM")]
OptDate = Annotated[date | None, Field(description="ISO date YYYY-MM-DD")]
Limit = Annotated[int, Field(ge=1, le=200, description="Page size (1–200)")]
Cursor = Annotated[str | None, Field(max_length=2000, description="next_cursor of the previous page")]
