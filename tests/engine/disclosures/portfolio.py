"""A lease portfolio with every kind (operating, finance, exempt, FX, modified, terminated), built
with the engine directly, and the revenue contracts of every pattern."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.engine.disclosures import LeaseFacts
from backend.engine.leases import LeasePolicy, apply_events, compute_schedules, parse_event, parse_lease

POLICY = {"functional_currency": "USD"}


def fx_rate(frm, to, d):
    """EUR→USD: 1.10 in 2026, rising 0.01 a month from 2027 (a plain deterministic curve)."""
    if frm == to:
        return Decimal(1)
    months = max((d.year - 2027) * 12 + d.month, 0) if d.year >= 2027 else 0
    return Decimal("1.10") + Decimal("0.01") * months


def base(external_id, **over):
    d = {"external_id": external_id, "description": "Office", "asset_class": "property", "currency": "USD",
         "commencement_date": "2026-01-01", "end_date": "2030-12-31",
         "payments": [{"from": "2026-01-01", "to": "2030-12-01", "amount": "10000.00", "frequency": "monthly",
                       "timing": "advance", "escalation": {"percent": "3", "every_months": 12}}],
         "discount_rate": "0.06", "useful_life_months": 240, "fair_value": "2000000.00"}
    d.update(over)
    return d


LEASES = {
    "OP-1": base("OP-1"),  # ASC operating (small share of fair value)
    "FIN-1": base("FIN-1", asset_class="vehicles", fair_value="60000.00", useful_life_months=60,
                  commencement_date="2026-03-01", end_date="2029-02-28",
                  payments=[{"from": "2026-03-01", "to": "2029-02-01", "amount": "1500.00", "frequency": "monthly",
                             "timing": "arrears"}]),
    "NEW-27": base("NEW-27", commencement_date="2027-04-01", end_date="2032-03-31",
                   payments=[{"from": "2027-04-01", "to": "2032-03-01", "amount": "3000.00",
                              "frequency": "monthly", "timing": "advance"}]),
    "ST-1": base("ST-1", asset_class="equipment", commencement_date="2027-02-01", end_date="2027-11-30",
                 payments=[{"from": "2027-02-01", "to": "2027-11-01", "amount": "800.00", "frequency": "monthly",
                            "timing": "advance"}]),
    "LV-1": base("LV-1", asset_class="it", fair_value="3000.00", underlying_asset_value_new="3000.00", commencement_date="2026-06-01",
                 end_date="2029-05-31",
                 payments=[{"from": "2026-06-01", "to": "2029-05-01", "amount": "90.00", "frequency": "monthly",
                            "timing": "advance"}]),
    "FX-1": base("FX-1", currency="EUR", commencement_date="2026-01-01", end_date="2031-12-31",
                 payments=[{"from": "2026-01-01", "to": "2031-10-01", "amount": "6000.00", "frequency": "quarterly",
                            "timing": "advance"}]),
    "MOD-1": base("MOD-1"),
    "TERM-1": base("TERM-1", asset_class="vehicles"),
}
EVENTS = {
    "MOD-1": [("MODIFICATION", "2027-07-01", {"modification_type": "extend_term", "end_date": "2032-12-31",
                                             "discount_rate": "0.065"})],
    "TERM-1": [("TERMINATION", "2027-09-01", {"termination_payment": "5000.00"})],
}


def portfolio(standards=("IFRS16", "ASC842")) -> list[LeaseFacts]:
    """Every lease's current book under each standard, as the pack reads it."""
    policy = LeasePolicy.from_dict(POLICY)
    out = []
    for ext, data in LEASES.items():
        terms = parse_lease(data)
        for std in standards:
            events = [parse_event(t, d, c) for t, d, c in EVENTS.get(ext, [])]
            if events:
                sched = apply_events(terms, policy, std, events, fx_rates=fx_rate, lease_id=ext)[-1].schedule
            else:
                sched = compute_schedules(terms, policy, (std,), fx_rates=fx_rate, lease_id=ext)[std]
            term = next((date.fromisoformat(d) for t, d, _ in EVENTS.get(ext, []) if t == "TERMINATION"), None)
            out.append(LeaseFacts.from_schedule(sched, terminated_on=term, external_id=ext))
    return out
