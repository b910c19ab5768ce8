from __future__ import annotations


def office_lease(external_id: str = "NYC-01", **over) -> dict:
    base = {
        "entity": "DEMO-US", "external_id": external_id, "description": "Office", "asset_class": "property",
        "currency": "USD", "commencement_date": "2026-01-01", "end_date": "2028-12-31",
        "payments": [{"from": "2026-01-01", "to": "2028-12-01", "amount": "10000.00", "frequency": "monthly",
                      "timing": "advance", "escalation": {"percent": "3", "every_months": 12}}],
        "discount_rate": "0.06", "initial_direct_costs": "3000.00", "useful_life_months": 120,
        "fair_value": "900000.00",
    }
    base.update(over)
    return base
