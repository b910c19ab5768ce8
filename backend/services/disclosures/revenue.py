"""The revenue disclosure pack over stored revenue runs.

Everything but loading is here: ``revenue_pack(rt, actor, entity=..., period=..., scope=..., fmt=...,
load_contracts=...)`` resolves the entity and the window, asks ``load_contracts(s, entity, window)``
for the contracts, builds the pack with ``engine.disclosures.build_revenue_pack`` (ledger tie-out
from the approved ``revenue_contract`` journal lines), stores it for locked periods, applies the
narrative overrides and emits ``disclosure.generated`` — exactly as the lease pack does.

``load_contracts`` must return one ``RevenueContractFacts(contract_id, contract, results, attributes)``
per contract of the entity: ``contract = parse_contract(stored input)``, ``results =
recognise_books(contract, policy, standards, ssp_rows, as_of=window.end_date, events=[parse_event(e,
contract.currency) ...])`` (the current version's replay at the window end, so the RPO is measured
at the reporting date) and ``attributes`` the optional ``geography`` / ``customer_class`` /
``product_line`` recorded on the contract.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from backend.db.models import Entity
from backend.engine.disclosures import RevenueContractFacts, RevenueLedger, Window, build_revenue_pack
from backend.services.disclosures.lease import ledger_figures
from backend.services.disclosures.packs import PackOut, serve_pack
from backend.services.platform.context import Actor, Runtime

LoadContracts = Callable[[object, Entity, Window], Sequence[RevenueContractFacts]]
REVENUE_SOURCE_TYPE = "revenue_contract"


def revenue_pack(rt: Runtime, actor: Actor, *, entity: str, period: str, scope: str, fmt: str = "pack",
                 load_contracts: LoadContracts) -> PackOut:
    stds = ("IFRS15", "ASC606") if scope == "COMBINED" else (scope,)

    def build(s, ent: Entity, w: Window) -> dict:
        ccy = ent.functional_currency
        ledger = {}
        for std in stds:
            lf = ledger_figures(s, actor.tenant_id, ent, std, w, ccy, source_type=REVENUE_SOURCE_TYPE)
            ledger[std] = RevenueLedger(lf.balances, lf.movements)
        return build_revenue_pack(load_contracts(s, ent, w), scope=scope, window=w, currency=ccy,
                                  entity=ent.code, ledger=ledger)

    return serve_pack(rt, actor, source="revenue", entity=entity, period=period, key=scope, books=stds,
                      build=build, fmt=fmt)
