"""Sandbox reset keeps people, tokens, entities and their configuration; the account-code catalogue
covers every engine code; the demo account ships with a mapping that covers them all."""
from __future__ import annotations

from backend.engine.leases import postings as lease_postings
from backend.engine.revenue import postings as revenue_postings
from tests.leases.conftest import office_lease


def _engine_codes() -> set[str]:
    return {v for mod in (lease_postings, revenue_postings) for k, v in vars(mod).items()
            if k.isupper() and isinstance(v, str) and v == k}


def test_account_codes_list_every_engine_code_and_the_demo_mapping_covers_them(client, demo):
    body = client.get("/v1/account-codes", headers=demo.headers()).json()
    codes = {c["code"] for c in body["data"]}
    assert _engine_codes() <= codes, _engine_codes() - codes
    assert all(c["meaning"] and c["standards"] and c["normal_balance"] in ("debit", "credit") for c in body["data"])
    for entity in ("DEMO-US", "UK01", "US01", "DE01"):
        m = client.get(f"/v1/entities/{entity}/account-mapping", headers=demo.headers()).json()
        assert set(m["accounts"]) == codes and m["version"] == 1


def test_sandbox_reset_keeps_configuration_and_removes_transactions(client, demo, make_user):
    h = demo.headers()
    approver, approver_token = make_user("APPROVER")
    assert client.put("/v1/lease/ibr-matrix", headers=h, json={"entity": "DEMO-US", "effective_date": "2026-01-01",
                      "rates": [{"currency": "USD", "term_from_months": 0, "term_to_months": 60, "rate": "0.055"}]}
                      ).status_code == 200
    assert client.put("/v1/fx-rates", headers=h, json={"entity": "DEMO-US", "rates": [
        {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-31", "rate": "1.08"}]}).status_code == 200
    assert client.put("/v1/entities/DEMO-US/lease-policy", headers=h,
                      json={"effective_date": "2026-01-01", "low_value_threshold": "4000"}).status_code == 200
    assert client.post("/v1/webhook-endpoints", headers=h, json={
        "url": "https://erp.example.com/hook", "event_types": ["close.completed"]}).status_code == 201
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    assert client.put("/v1/lease/period-locks", headers=h, json={"entity": "DEMO-US", "period": "2025-12",
                                                                 "status": "LOCKED"}).status_code == 200
    r = client.post("/v1/sandbox/reset", headers={**h, "Idempotency-Key": "reset-1"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["removed"]["leases"] == 1 and out["removed"]["period_locks"] == 1
    for kept in ("users", "api_tokens", "entities", "lease_policy_versions", "ibr_rates", "fx_rates",
                 "account_mappings", "webhook_endpoints", "audit_events"):
        assert kept in out["kept"] and kept not in out["removed"]
    # The replay of the reset itself still answers (its idempotency record is kept).
    again = client.post("/v1/sandbox/reset", headers={**h, "Idempotency-Key": "reset-1"})
    assert again.status_code == 200 and again.headers.get("X-Idempotent-Replayed") == "true"
    assert client.get(f"/v1/leases/{lease['id']}", headers=h).status_code == 404
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {approver_token}"}).status_code == 200
    assert client.get("/v1/lease/ibr-matrix", headers=h, params={"entity": "DEMO-US"}).json()["rates"]
    assert client.get("/v1/fx-rates", headers=h, params={"entity": "DEMO-US"}).json()["rates"]
    assert client.get("/v1/entities/DEMO-US/lease-policy", headers=h).json()["low_value_threshold"] == "4000"
    assert client.get("/v1/webhook-endpoints", headers=h).json()["total_count"] == 1
    assert client.get("/v1/entities/DEMO-US/account-mapping", headers=h).json()["version"] == 1
    lock = client.get("/v1/lease/period-locks", headers=h, params={"entity": "DEMO-US", "period": "2025-12"}).json()
    assert lock["data"][0]["status"] == "OPEN"
