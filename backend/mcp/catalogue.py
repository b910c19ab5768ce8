"""Every tool the MCP server offers. A new family of tools is one more module here.

Revenue contracts (``contract.detail``, ``contract.schedule``, ``contract.validate_enhanced``,
``contract.confirm``) and ``disclosures.get`` join when their services exist on this branch; see
the README's MCP section for what each must call.
"""
from __future__ import annotations

from backend.mcp import tools_leases, tools_ledger, tools_portfolio
from backend.mcp.registry import ToolSpec

MODULES = (tools_portfolio, tools_leases, tools_ledger)


def all_tools() -> list[ToolSpec]:
    specs = [spec for module in MODULES for spec in module.TOOLS]
    names = [s.name for s in specs]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate MCP tool names: {sorted(n for n in names if names.count(n) > 1)}")
    return specs
