from __future__ import annotations

from collections import defaultdict
from decimal import Decimal


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def saas(external_id: str = "SAAS-T1", **over) -> dict:
    base = {"entity": "DEMO-US", "external_id": external_id, "customer": "Acme", "currency": "USD",
            "start_date": "2026-01-01", "transaction_price": {"fixed": "36000.00"},
            "billing": [{"date": "2026-01-01", "amount": "12000.00"}, {"date": "2027-01-01", "amount": "12000.00"},
                        {"date": "2028-01-01", "amount": "12000.00"}],
            "performance_obligations": [
                {"id": "SUB", "pattern": "ratable", "ssp_method": "observable", "ssp": "30000.00",
                 "start_date": "2026-01-01", "end_date": "2028-12-31"},
                {"id": "ONB", "pattern": "point_in_time", "ssp_method": "observable", "ssp": "8000.00",
                 "delivered_date": "2026-01-31"}]}
    base.update(over)
    return base


def entries_of(client, headers, **params) -> list[dict]:
    out, cursor = [], None
    while True:
        q = {"limit": 200, "source_type": "revenue_contract", **params}
        if cursor:
            q["cursor"] = cursor
        r = client.get("/v1/journal-entries", headers=headers, params=q)
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["data"]
        if not body["has_more"]:
            return out
        cursor = body["next_cursor"]


def ledger(entries: list[dict]) -> dict[tuple[str, str], Decimal]:
    """Net debit per (account, period) over non-void entries."""
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for e in entries:
        if e["status"] == "void":
            continue
        for ln in e["lines"]:
            out[(ln["account"], e["period"])] += Decimal(ln["debit"]) - Decimal(ln["credit"])
    return out


def cumulative(led: dict, account: str, through: str) -> Decimal:
    return sum((v for (a, p), v in led.items() if a == account and p <= through), Decimal(0))
