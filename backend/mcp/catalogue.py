"""Every tool the MCP server offers. A new family of tools is one more module here.

Revenue contracts and disclosure packs join when their services exist on this branch. Each tool
is one line in a new ``tools_revenue.py`` / ``tools_disclosures.py`` (``TOOLS = Tools()`` then
``TOOLS.expose(name, service, action=…, args=…, examples=…)``), plus the module in ``MODULES``:

  contract.detail            revenue read service (rt, actor, contract_id) -> dict
  contract.schedule          revenue schedule read (rt, actor, contract_id, standard) -> dict
  contract.validate_enhanced the validation the revenue confirm path uses (errors block confirm;
                             warnings incl. SSP gaps) (rt, actor, contract_id) -> dict
  contract.confirm           revenue confirm (rt, actor, contract_ids) -> per-contract results; writes=True
  disclosures.get            the pack builder behind GET /v1/lease/disclosures and /v1/revenue/disclosures
                             (rt, actor, entity, period, scope, ...) -> dict

The actions must be the ones the REST routes use (permission-matrix entries added with those
routes), so the tool × role × actor-kind walk in ``tests/mcp`` covers the new tools unchanged.
``portfolio.search``/``portfolio.summary``/``needs_attention`` gain contracts in their services
(``services/leases/portfolio.py``, ``services/leases/attention.py``), not here.
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
