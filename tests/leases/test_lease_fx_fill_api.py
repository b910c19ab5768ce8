"""Issue #14 "Foreign-currency leases without future rates", through the API.

An EUR lease in a USD entity is recognised with only the commencement rate (IFRS 16 / ASC 842 need
the rate at commencement to measure the ROU asset, a non-monetary item kept at the historical rate:
IFRS 16.BC196-197, ASC 842-20-55-10). Functional-currency figures stay empty where the closing rate
is unknown; a close of such a month is refused naming the pair and date; entering later rates fills
them (a recorded CATCH_UP run), and the close then succeeds. The lease-currency figures never move."""
from __future__ import annotations

from tests.leases.conftest import office_lease


def _rates(*pairs):
    return [{"from_currency": "EUR", "to_currency": "USD", "date": d, "rate": r} for d, r in pairs]


def test_eur_lease_in_a_usd_entity_filled_month_by_month(client, demo, drain):
    h = demo.headers()
    assert client.put("/v1/fx-rates", headers=h,
                      json={"entity": "DEMO-US", "rates": _rates(("2026-01-01", "1.1000"))}).status_code == 200
    lease = client.post("/v1/leases", headers=h, json=office_lease("EUR-FX", currency="EUR")).json()
    assert client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]}).json()[
        "results"][0]["status"] == "confirmed"
    drain()
    first = client.get(f"/v1/leases/{lease['id']}/schedule", headers=h, params={"standard": "IFRS16"}).json()
    assert first["periods"][0]["closing_liability_functional"] is None  # 31 January's rate is not known yet
    assert first["initial_liability"]

    r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01",
                                                                  "standards": ["IFRS16"]})
    assert r.status_code == 202
    drain()
    job = client.get(f"/v1/engine/jobs/{r.json()['job_ids'][0]}", headers=h).json()
    assert job["status"] == "failed" and job["error"]["code"] == "fx_rate_missing", job
    assert "EUR" in job["error"]["message"] and "USD" in job["error"]["message"]
    assert "2026-01-31" in job["error"]["message"]

    put = client.put("/v1/fx-rates", headers=h, json={"entity": "DEMO-US", "rates": _rates(
        ("2026-01-31", "1.0950"), ("2026-02-28", "1.0800"))})
    assert put.status_code == 200 and [x["lease_id"] for x in put.json()["refreshed"]] == [lease["id"]]
    drain()
    filled = client.get(f"/v1/leases/{lease['id']}/schedule", headers=h, params={"standard": "IFRS16"}).json()
    assert filled["run_type"] == "CATCH_UP" and filled["run_id"] != first["run_id"]
    jan, feb, mar = filled["periods"][:3]
    assert jan["closing_liability_functional"] and feb["closing_liability_functional"]
    assert mar["closing_liability_functional"] is None
    for before, after in zip(first["periods"], filled["periods"]):  # the lease-currency figures never move
        assert (before["closing_liability"], before["interest"], before["payment"]) == (
            after["closing_liability"], after["interest"], after["payment"])

    again = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01",
                                                                      "standards": ["IFRS16"]})
    assert again.json()["closes"][0]["reopened_for_runs"] == 1
    drain()
    job = client.get(f"/v1/engine/jobs/{again.json()['job_ids'][0]}", headers=h).json()
    assert job["status"] == "succeeded" and job["result"]["entries_written"] > 0, job
