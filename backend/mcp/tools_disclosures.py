"""Disclosure tools: the lease or revenue pack an auditor reads, with its tie-out checks (read-only)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backend.mcp.args import EntityCode
from backend.mcp.registry import Call, Tools
from backend.services.disclosures import lease as lease_disclosures
from backend.services.disclosures import revenue as revenue_disclosures
from backend.services.revenue import disclosure_facts

TOOLS = Tools()


@TOOLS.tool("disclosures.get", action="disclosures.read",
            examples=[{"entity": "DEMO-US", "period": "2026", "standard": "IFRS16"},
                      {"entity": "DEMO-US", "period": "2026-12", "standard": "ASC842"},
                      {"entity": "DEMO-US", "period": "2026", "standard": "COMBINED"}])
def get(call: Call, entity: EntityCode, period: str,
        standard: Annotated[Literal["IFRS16", "ASC842", "IFRS15", "ASC606", "COMBINED"], Field(description=(
            "IFRS16 / ASC842: the lease pack; IFRS15 / ASC606: the revenue pack; COMBINED: both revenue books"))]
        ) -> dict:
    """A lease or revenue disclosure pack of a month (YYYY-MM) or fiscal year (YYYY), with tie-out checks."""
    if standard in ("IFRS16", "ASC842"):
        return lease_disclosures.lease_pack(call.rt, call.actor, entity=entity, period=period, standard=standard).pack
    return revenue_disclosures.revenue_pack(call.rt, call.actor, entity=entity, period=period, scope=standard,
                                            load_contracts=disclosure_facts.load_contracts).pack
