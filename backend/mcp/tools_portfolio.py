"""Portfolio tools over leases and revenue contracts: search, headline figures, what needs attention."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backend.mcp.args import Cursor, Limit, OptDate, OptEntity, OptPeriod
from backend.mcp.registry import Call, Tools
from backend.services import portfolio

TOOLS = Tools()


def page(p) -> dict:
    return p.to_dict()


@TOOLS.tool("portfolio.search", action="portfolio.read", examples=[
    {"entity": "DEMO-US", "status": "draft"}, {"text": "warehouse", "ending_to": "2027-12-31"},
    {"kind": "contract", "standard": "IFRS15", "text": "acme"},
    {"kind": "lease", "standard": "IFRS16", "commencing_from": "2026-01-01", "limit": 20}])
def search(call: Call, kind: Annotated[Literal["lease", "contract"] | None, Field(
               description="lease or contract; both when omitted (needed with cursor)")] = None,
           entity: OptEntity = None,
           status: Literal["draft", "confirmed", "terminated"] | None = None,
           standard: Annotated[Literal["IFRS16", "ASC842", "IFRS15", "ASC606"] | None, Field(
               description="Book: IFRS16/ASC842 (leases) or IFRS15/ASC606 (contracts)")] = None,
           asset_class: Annotated[str | None, Field(max_length=60, description="Leases only")] = None,
           currency: Annotated[str | None, Field(pattern=r"^[A-Z]{3}$")] = None,
           text: Annotated[str | None, Field(max_length=100, description=(
               "Matches external id, lease description or contract customer"))] = None,
           commencing_from: OptDate = None, commencing_to: OptDate = None,
           ending_from: OptDate = None, ending_to: OptDate = None,
           limit: Limit = 50, cursor: Cursor = None) -> dict:
    """Search leases and revenue contracts by entity, status, book, currency, dates and text."""
    return portfolio.search(call.rt, call.actor, kind=kind, limit=limit, cursor=cursor, entity=entity, status=status,
                            standard=standard, asset_class=asset_class, currency=currency, text=text,
                            commencing_from=commencing_from, commencing_to=commencing_to,
                            ending_from=ending_from, ending_to=ending_to)


@TOOLS.tool("portfolio.summary", action="portfolio.read", examples=[{}, {"entity": "DEMO-US", "period": "2026-06"}])
def summary(call: Call, entity: OptEntity = None, period: OptPeriod = None) -> dict:
    """Leases and contracts by entity; liability, ROU, revenue, contract balances and RPO by entity and book."""
    return portfolio.summary(call.rt, call.actor, entity=entity, period=period)


@TOOLS.tool("needs_attention", action="portfolio.read", examples=[{}, {"entity": "DEMO-US", "older_than_days": 3}])
def needs_attention(call: Call, entity: OptEntity = None,
                    older_than_days: Annotated[int, Field(ge=0, le=3650, description=(
                        "Drafts and unapproved journals older than this many days"))] = 7,
                    expiring_within_days: Annotated[int, Field(ge=0, le=3650)] = 90,
                    limit: Annotated[int, Field(ge=1, le=100)] = 50) -> dict:
    """What needs a person: bad drafts, missing rates, failed runs, stale items, unapproved journals, dead jobs."""
    return portfolio.needs_attention(call.rt, call.actor, entity=entity, older_than_days=older_than_days,
                                     expiring_within_days=expiring_within_days, limit=limit)
