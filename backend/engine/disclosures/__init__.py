"""Disclosure packs (pure: stdlib and engine only).

Public API
----------
``parse_window(period, fiscal_year_end="12-31") -> Window``
    ``YYYY-MM`` (a month) or ``YYYY`` / ``FYYYYY`` (the fiscal year ending in that year).
``LeaseFacts`` / ``LeaseFacts.from_schedule(schedule, terminated_on=None)``
    One lease's current book (schedule columns, dated cash flows, headline figures).
``build_lease_pack(leases, *, standard, window, currency, entity, ledger=None, maturity_bands=None,
variable_lease_expense=None) -> dict``
    IFRS 16.53-60 / ASC 842-20-50 pack: amounts, maturity analysis reconciled to the liability,
    liability and ROU roll-forwards, (ASC) cash flows and weighted averages, exemptions; ``checks``
    tie each figure to the schedules and, given ``LedgerFigures``, to the approved journals.
``RevenueContractFacts`` / ``build_revenue_pack(contracts, *, scope, window, currency, entity,
policy=None, ledger=None) -> dict``
    IFRS 15 / ASC 606 pack from ``RevenueResult``s (``scope`` IFRS15 | ASC606 | COMBINED).
``apply_overrides(pack, overrides) -> dict``
    Auditor narratives applied to a built pack (``narrative: {generated, override, final}``).
``to_json(pack) -> str``
    Byte-stable JSON: a stored pack re-renders to the same bytes.
"""

from .common import Window, apply_overrides, failing, parse_window, section_ids, to_json
from .lease_facts import LeaseFacts, LeaseFigures
from .lease_pack import LedgerFigures, build_lease_pack
from .revenue_pack import RevenueContractFacts, RevenueLedger, build_revenue_pack

__all__ = ["LeaseFacts", "LeaseFigures", "LedgerFigures", "RevenueContractFacts", "RevenueLedger", "Window",
           "apply_overrides", "build_lease_pack", "build_revenue_pack", "failing", "parse_window", "section_ids",
           "to_json"]
