"""Disclosure tools: the lease pack an auditor reads, with its tie-out checks (read-only)."""
from __future__ import annotations

from typing import Literal

from backend.mcp.args import EntityCode
from backend.mcp.registry import Call, Tools
from backend.services.disclosures import lease as lease_disclosures

TOOLS = Tools()


@TOOLS.tool("disclosures.get", action="disclosures.read",
            examples=[{"entity": "DEMO-US", "period": "2026", "standard": "IFRS16"},
                      {"entity": "DEMO-US", "period": "2026-12", "standard": "ASC842"}])
def get(call: Call, entity: EntityCode, period: str, standard: Literal["IFRS16", "ASC842"]) -> dict:
    """The lease disclosure pack of a month (YYYY-MM) or fiscal year (YYYY), with narrative and tie-out checks."""
    return lease_disclosures.lease_pack(call.rt, call.actor, entity=entity, period=period, standard=standard).pack
