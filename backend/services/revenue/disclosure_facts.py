"""The revenue contracts of an entity as the disclosure pack reads them: each confirmed contract replayed
with the inputs of its current run (policy snapshot, SSP matrix version, events), RPO measured at the
window's end. Used by ``services/disclosures/revenue.revenue_pack`` through its ``load_contracts`` hook."""
from __future__ import annotations

from sqlalchemy import select

from backend.db.models import Entity, RevenueContract
from backend.engine.disclosures import RevenueContractFacts
from backend.engine.revenue import parse_contract
from backend.services.revenue.config import load_ssp, policy_version
from backend.services.revenue.config import BOOKS
from backend.services.revenue.runs import Inputs, compute, current_runs, engine_input

ATTRIBUTES = ("geography", "customer_class", "product_line")


def load_contracts(s, entity: Entity, window) -> list[RevenueContractFacts]:
    contracts = s.scalars(select(RevenueContract).where(RevenueContract.entity_id == entity.id,
                                                       RevenueContract.status == "confirmed")
                          .order_by(RevenueContract.id)).all()
    if not contracts:
        return []
    base = Inputs.load(s, entity)
    runs = current_runs(s, [c.id for c in contracts])
    out = []
    for c in contracts:
        stds = sorted({std for (cid, std) in runs if cid == c.id}) or list(c.standards or BOOKS)
        run = next((runs[(c.id, std)] for std in stds if (c.id, std) in runs), None)
        inputs = base
        if run is not None:
            ver, rows = load_ssp(s, entity.id, run.ssp_version)
            inputs = Inputs(policy_version(s, entity, run.policy_version) if run.policy_version else base.policy,
                            ver, rows)
        results = compute(c, entity, inputs, stds, c.events or [], as_of=window.end_date)
        attrs = {k: str(c.data[k]) for k in ATTRIBUTES if isinstance(c.data, dict) and c.data.get(k)}
        out.append(RevenueContractFacts(contract_id=c.id, contract=parse_contract(engine_input(c, entity)),
                                        results=results, attributes=attrs))
    return out
