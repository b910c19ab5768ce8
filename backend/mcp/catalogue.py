"""Every tool the MCP server offers. A new family of tools is one more module here: ``TOOLS = Tools()``,
then ``TOOLS.expose(name, service, action=…, args=…, examples=…)`` or ``@TOOLS.tool``, and the module
in ``MODULES``. Families: portfolio (leases and contracts together, ``services/portfolio.py``), leases,
ledger, disclosures (lease and revenue packs), revenue contracts.

The actions are the ones the REST routes use (one permission matrix), so the tool × role ×
actor-kind walk in ``tests/mcp`` covers a new tool unchanged. ``portfolio.read`` is the one action
with no REST route: the portfolio tools read across both subledgers.
"""
from __future__ import annotations

from backend.mcp import tools_disclosures, tools_leases, tools_ledger, tools_portfolio, tools_revenue
from backend.mcp.registry import ToolSpec

MODULES = (tools_portfolio, tools_leases, tools_ledger, tools_disclosures, tools_revenue)


def all_tools() -> list[ToolSpec]:
    specs = [spec for module in MODULES for spec in module.TOOLS]
    names = [s.name for s in specs]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate MCP tool names: {sorted(n for n in names if names.count(n) > 1)}")
    return specs
