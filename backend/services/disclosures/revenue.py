"""The revenue disclosure pack over stored revenue runs (to be wired when revenue runs are stored).

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

from sqlalchemy import select

from backend.db.models import Entity, StoredPack
from backend.engine.disclosures import RevenueContractFacts, RevenueLedger, Window, build_revenue_pack
from backend.services.disclosures import overrides as ov
from backend.services.disclosures.lease import ledger_figures, lock_fingerprint, window_locked
from backend.services.disclosures.packs import finish, sha
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.tenancy import get_entity_by_code

LoadContracts = Callable[[object, Entity, Window], Sequence[RevenueContractFacts]]
REVENUE_SOURCE_TYPE = "revenue_contract"


def revenue_pack(rt: Runtime, actor: Actor, *, entity: str, period: str, scope: str, fmt: str = "pack",
                 load_contracts: LoadContracts):
    ov.check_standard("revenue", scope)
    stds = ("IFRS15", "ASC606") if scope == "COMBINED" else (scope,)
    import json

    with rt.db.session(actor.tenant_id) as s:
        ent = get_entity_by_code(s, entity)
        w = ov.window_for(ent, period)
        locked = all(window_locked(s, ent, std, w) for std in stds)
        fingerprint = lock_fingerprint(s, ent, stds, w) if locked else None
        stored = s.scalar(select(StoredPack).where(StoredPack.source == "revenue", StoredPack.entity_id == ent.id,
                                                   StoredPack.standard == scope, StoredPack.period == w.label)) \
            if locked else None
        base = json.loads(stored.content) if stored is not None else None
        if base is not None and base.get("locks_as_of") != fingerprint:
            base = None
        if base is None:
            ccy = ent.functional_currency
            ledger = {}
            for std in stds:
                lf = ledger_figures(s, actor.tenant_id, ent, std, w, ccy, source_type=REVENUE_SOURCE_TYPE)
                ledger[std] = RevenueLedger(lf.balances, lf.movements)
            base = build_revenue_pack(load_contracts(s, ent, w), scope=scope, window=w, currency=ccy,
                                      entity=ent.code, ledger=ledger)
            if locked:
                base["locks_as_of"] = fingerprint
        overrides = ov.current(s, "revenue", ent.id, scope, w.label, ent.code)
        entity_id, entity_code = ent.id, ent.code
    return finish(rt, actor, source="revenue", entity_id=entity_id, entity_code=entity_code, standard=scope,
                  window=w, base=base, overrides=overrides, locked=locked,
                  already_stored=stored is not None and stored.content_sha256 == sha(base), fmt=fmt,
                  replace_id=stored.id if stored is not None else None)
