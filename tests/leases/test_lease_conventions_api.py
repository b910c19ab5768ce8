"""Issue #14 through the API: conventions as entity policy, the implicit rate requested by input,
exempt leases confirmed without a rate, complete cash flows, failed recognition retried.

Sources: PwC "Leases" guide Examples 4-3/4-12 (implicit rate ≈ 9.04 %, liability 4,500,000, ROU
5,000,000, interest 406,840 in year 1); IFRS 16.5-8 / ASC 842-20-25-2 (short-term exemption:
straight-line expense, no liability, so no discount rate is needed)."""
from __future__ import annotations

from decimal import Decimal

from tests.engine.lease_helpers import PWC_PURCHASE_OPTION
from tests.leases.conftest import office_lease


def _confirm(client, h, lease_id):
    r = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease_id]})
    assert r.status_code in (200, 202), r.text
    return r.json()["results"][0]


def test_policy_records_the_conventions_and_refuses_unknown_ones(client, demo):
    h = demo.headers()
    r = client.get("/v1/entities/DEMO-US/lease-policy", headers=h).json()
    assert (r["interest_convention"], r["depreciation_convention"]) == ("periodic", "calendar_month")
    put = client.put("/v1/entities/DEMO-US/lease-policy", headers=h, json={
        "effective_date": "2026-01-01", "interest_convention": "actual_days", "depreciation_convention": "daily"})
    assert put.status_code == 200, put.text
    assert put.json()["interest_convention"] == "actual_days" and put.json()["version"] == r["version"] + 1
    bad = client.put("/v1/entities/DEMO-US/lease-policy", headers=h,
                     json={"effective_date": "2026-01-01", "interest_convention": "365/360"})
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "interest_convention"


def test_implicit_rate_end_to_end(client, demo, drain):
    h = demo.headers()
    body = {**PWC_PURCHASE_OPTION, "entity": "DEMO-US", "external_id": "PWC-4-3", "discount_rate": "implicit"}
    lease = client.post("/v1/leases", headers=h, json=body)
    assert lease.status_code == 201, lease.text
    v = client.post(f"/v1/leases/{lease.json()['id']}/validate", headers=h).json()
    assert v["valid"], v
    assert _confirm(client, h, lease.json()["id"])["status"] == "confirmed"
    drain()
    sched = client.get(f"/v1/leases/{lease.json()['id']}/schedule", headers=h, params={"standard": "ASC842"}).json()
    src = sched["discount_rate_source"]
    assert src["source"] == "implicit" and Decimal(src["solved_rate"]).quantize(Decimal("0.0001")) == Decimal("0.0904")
    assert Decimal(sched["initial_liability"]).quantize(Decimal(1)) == 4500000
    year1 = sum(Decimal(p["interest"]) for p in sched["periods"][:12])
    assert year1.quantize(Decimal(1)) == 406840  # PwC Example 4-12, year 1


def test_unsolvable_implicit_rate_names_the_rule(client, demo):
    h = demo.headers()
    body = {**PWC_PURCHASE_OPTION, "entity": "DEMO-US", "external_id": "PWC-BAD", "discount_rate": "implicit",
            "fair_value": "10"}
    lease = client.post("/v1/leases", headers=h, json=body).json()
    v = client.post(f"/v1/leases/{lease['id']}/validate", headers=h).json()
    assert not v["valid"] and [(e["field"], e["code"]) for e in v["errors"]] == [
        ("fair_value", "implicit_rate_unsolvable")]


def test_short_term_lease_confirms_without_a_rate(client, demo, drain):
    h = demo.headers()
    body = office_lease("SHORT-1", asset_class="office", commencement_date="2026-01-01", end_date="2026-12-31",
                        discount_rate=None,
                        payments=[{"from": "2026-01-01", "to": "2026-12-01", "amount": "1200.00",
                                   "frequency": "monthly"}])
    lease = client.post("/v1/leases", headers=h, json=body).json()
    v = client.post(f"/v1/leases/{lease['id']}/validate", headers=h).json()
    assert v["valid"], v["errors"]
    assert _confirm(client, h, lease["id"])["status"] == "confirmed"
    drain()
    sched = client.get(f"/v1/leases/{lease['id']}/schedule", headers=h, params={"standard": "IFRS16"}).json()
    assert sched["exemption"] == "short_term" and sched["discount_rate"] is None
    assert sum(Decimal(p["cash_paid"]) for p in sched["periods"]) == Decimal("14400.00")


def test_cash_paid_sums_to_the_lease_payments(client, demo, drain):
    h = demo.headers()
    lease = client.post("/v1/leases", headers=h, json=office_lease("CASH-1")).json()
    _confirm(client, h, lease["id"])
    drain()
    sched = client.get(f"/v1/leases/{lease['id']}/schedule", headers=h, params={"standard": "IFRS16"}).json()
    # 10,000 a month for 2026, then +3 % each year, paid in advance from the commencement date.
    expected = Decimal("10000.00") * 12 + Decimal("10300.00") * 12 + Decimal("10609.00") * 12
    assert sum(Decimal(p["cash_paid"]) for p in sched["periods"]) == expected
