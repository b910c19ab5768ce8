"""Financing components and costs to obtain a contract, end to end through the API and the monthly
close (the parts of the revenue workflow the template contracts do not exercise): every closed
month's entry balances, the ledger rebuilt from the journals ties to the schedule (revenue,
receivable, contract liability, interest, capitalised costs) month by month, and the totals are the
published figures:

- ASC 606-10-55-240..243 (Example 29): $4,000 paid at signing, the asset transferred two years later,
  a 6 % rate: interest expense $494.40 (4,000 × (1.06² − 1)) and revenue $4,494.40 on transfer.
- ASC 340-40-55-2..4 (Example 1): a $10,000 commission on a 24-month service contract is capitalised
  and amortised over the 24 months ($416.67 a month; the last month takes the residual cents)."""
from __future__ import annotations

from decimal import Decimal

from tests.revenue.conftest import cumulative, entries_of, ledger

BOOKS = ("IFRS15", "ASC606")
EX29 = {"entity": "DEMO-US", "external_id": "EX29", "customer": "Customer", "currency": "USD",
        "start_date": "2020-01-01",
        "transaction_price": {"fixed": "4000.00", "financing": {"discount_rate": "0.06", "compounding": "annual"}},
        "billing": [{"date": "2020-01-01", "amount": "4000.00"}],
        "performance_obligations": [{"id": "ASSET", "pattern": "point_in_time", "ssp_method": "observable",
                                     "ssp": "4000.00", "delivered_date": "2022-01-01"}]}
COMMISSION = {"entity": "DEMO-US", "external_id": "SVC-COMM", "customer": "Customer", "currency": "USD",
              "start_date": "2020-01-01", "transaction_price": {"fixed": "24000.00"},
              "billing": [{"date": f"{2020 + m // 12}-{m % 12 + 1:02d}-01", "amount": "1000.00"} for m in range(24)],
              "costs_to_obtain": [{"date": "2020-01-01", "amount": "10000.00", "description": "Sales commission"}],
              "performance_obligations": [{"id": "SVC", "pattern": "ratable", "ssp_method": "observable",
                                           "ssp": "24000.00", "start_date": "2020-01-01",
                                           "end_date": "2021-12-31"}]}
PERIODS = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(25)]  # 2020-01 … 2022-01


def _money(v) -> Decimal:
    return Decimal(v or "0")


def test_financing_and_contract_costs_post_and_tie_through_the_close(client, demo, drain):
    h = demo.headers()
    ids = {}
    for body in (EX29, COMMISSION):
        r = client.post("/v1/revenue/contracts", headers=h, json=body)
        assert r.status_code == 201 and r.json()["issues"] == [], r.text
        ids[body["external_id"]] = r.json()["id"]
    confirmed = client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": list(ids.values())})
    assert confirmed.json()["confirmed"] == 2, confirmed.text
    drain()
    for period in PERIODS:
        r = client.post("/v1/revenue/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": period})
        assert r.status_code == 202, r.text
        drain()

    for std in BOOKS:
        entries = {x: entries_of(client, h, source_id=cid, standard=std) for x, cid in ids.items()}
        for e in entries["EX29"] + entries["SVC-COMM"]:
            assert sum(_money(ln["debit"]) for ln in e["lines"]) == sum(_money(ln["credit"]) for ln in e["lines"])

        # Example 29: interest accretes on the advance; revenue of 4,494.40 on transfer; nothing left after.
        led = ledger(entries["EX29"])
        sched = client.get(f"/v1/revenue/contracts/{ids['EX29']}/schedule", headers=h, params={"standard": std}).json()
        assert sched["transaction_price"]["financing_adjustment"] == "494.40"
        interest = Decimal(0)
        for row in sched["periods"]:
            p = row["period"]
            interest += _money(row["interest"])
            assert -cumulative(led, "CONTRACT_LIABILITY", p) == _money(row["contract_liability"]), (std, p)
            assert cumulative(led, "FINANCING_INTEREST_EXPENSE", p) == -interest, (std, p)
        assert cumulative(led, "FINANCING_INTEREST_EXPENSE", "2022-01") == Decimal("494.40")
        assert -cumulative(led, "REVENUE", "2022-01") == Decimal("4494.40")
        assert -led[("REVENUE", "2022-01")] == Decimal("4494.40")  # all of it on transfer
        assert cumulative(led, "RECEIVABLE", "2022-01") == Decimal("4000.00")
        assert cumulative(led, "CONTRACT_LIABILITY", "2022-01") == 0

        # 340-40 Example 1: capitalised, amortised over the 24 months, the asset runs off to zero.
        led = ledger(entries["SVC-COMM"])
        sched = client.get(f"/v1/revenue/contracts/{ids['SVC-COMM']}/schedule", headers=h,
                           params={"standard": std}).json()
        amortised = Decimal(0)
        for row in sched["periods"]:
            p = row["period"]
            costs = row["contract_costs"]
            amortised += _money(costs["amortisation"])
            assert cumulative(led, "CAPITALISED_CONTRACT_COSTS", p) == _money(costs["closing"]), (std, p)
            assert cumulative(led, "CONTRACT_COST_AMORTISATION", p) == amortised, (std, p)
        assert led[("CONTRACT_COST_AMORTISATION", "2020-01")] == Decimal("416.67")
        assert cumulative(led, "CONTRACT_COST_AMORTISATION", "2021-12") == Decimal("10000.00")
        assert cumulative(led, "CAPITALISED_CONTRACT_COSTS", "2021-12") == 0
        assert cumulative(led, "CONTRACT_COSTS_PAYABLE", "2021-12") == Decimal("-10000.00")
        assert -cumulative(led, "REVENUE", "2021-12") == Decimal("24000.00")
