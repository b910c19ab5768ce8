from __future__ import annotations

from datetime import date

import pytest

from backend.engine.calendar import add_months
from tests.engine.disclosures.portfolio import EVENTS, LEASES, fx_rate

ENTITY = "DEMO-US"
MONTHS_2026_2027 = [f"{y}-{m:02d}" for y in (2026, 2027) for m in range(1, 13)]


def fx_rows():
    d, rows = date(2025, 12, 31), []
    while d <= date(2033, 12, 31):
        rows.append({"from_currency": "EUR", "to_currency": "USD", "date": d.isoformat(),
                     "rate": str(fx_rate("EUR", "USD", d))})
        d = add_months(d, 1)
    return rows


def build_portfolio(client, demo, run_jobs, *, close_through: str | None = "2027-12", approve: bool = True,
                    approver_token: str | None = None) -> dict[str, dict]:
    """Every lease kind through the API: confirm, events, monthly closes, approvals."""
    h = demo.headers()
    r = client.put("/v1/fx-rates", headers=h, json={"entity": ENTITY, "rates": fx_rows()})
    assert r.status_code == 200, r.text
    leases = {}
    for ext, data in LEASES.items():
        r = client.post("/v1/leases", headers=h, json={"entity": ENTITY, **data})
        assert r.status_code == 201, r.text
        leases[ext] = r.json()
    r = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [x["id"] for x in leases.values()]})
    assert r.json()["confirmed"] == len(leases), r.text
    run_jobs()
    for ext, events in EVENTS.items():
        for run_type, eff, changes in events:
            r = client.post("/v1/engine/run", headers=h, json={"lease_id": leases[ext]["id"], "run_type": run_type,
                                                               "effective_date": eff, "changes": changes})
            assert r.status_code == 202, r.text
            run_jobs()
    if close_through:
        for p in MONTHS_2026_2027:
            if p > close_through:
                break
            r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": ENTITY, "period": p})
            assert r.status_code == 202, r.text
            run_jobs()
    if approve:
        approve_all(client, demo, approver_token)
    return leases


def approve_all(client, demo, token):
    h = demo.headers(token)
    while True:
        r = client.get("/v1/journal-entries", headers=demo.headers(), params={"status": "draft", "limit": 200})
        ids = [e["id"] for e in r.json()["data"]]
        if not ids:
            return
        r = client.post("/v1/journal-entries/batch-approve", headers=h, json={"ids": ids})
        assert r.status_code == 200, r.text
        assert r.json()["approved"] == len(ids), r.json()


@pytest.fixture
def approver(make_user):
    return make_user("APPROVER")
