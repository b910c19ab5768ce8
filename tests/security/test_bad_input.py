"""#12 findings 4, 5, 10 and 11: hostile or malformed input gets a 400/413/429 naming the field,
never a 500, and nothing is stored."""
from __future__ import annotations

import time

import pytest

from tests.leases.conftest import office_lease


def _fields(r) -> list[str]:
    return [d["field"] for d in r.json()["error"]["details"]]


def _lease_count(client, demo) -> int:
    return client.get("/v1/leases", headers=demo.headers()).json()["total_count"]


# ---------------------------------------------------------------- 4. quadratic validation, caps

def test_ten_thousand_streams_are_refused_fast(client, demo):
    stream = {"from": "2026-01-01", "to": "2026-12-01", "amount": "1.00", "frequency": "monthly"}
    body = office_lease("MANY", payments=[stream] * 10_000)
    started = time.perf_counter()
    r = client.post("/v1/leases", headers=demo.headers(), json=body)
    elapsed = time.perf_counter() - started
    assert r.status_code == 400 and "payments" in _fields(r)
    # A guard against the quadratic check (50 M pair comparisons, tens of seconds), loose enough for a loaded CI box.
    assert elapsed < 5.0, f"{elapsed:.2f} s"
    assert _lease_count(client, demo) == 0


def test_many_overlapping_streams_under_the_cap_validate_in_linear_warnings(client, demo):
    stream = {"from": "2026-01-01", "to": "2028-12-01", "amount": "1.00", "frequency": "monthly"}
    lease = client.post("/v1/leases", headers=demo.headers(), json=office_lease("OVL", payments=[stream] * 600))
    assert lease.status_code == 201, lease.text
    started = time.perf_counter()
    r = client.post(f"/v1/leases/{lease.json()['id']}/validate", headers=demo.headers())
    assert r.status_code == 200 and time.perf_counter() - started < 5
    overlaps = [i for i in r.json()["warnings"] if i["code"] == "overlapping_streams"]
    assert len(overlaps) == 599  # one per overlapping stream, not one per pair (179,700)


def test_engine_caps_streams_from_workbooks_too():
    from backend.engine.errors import InvalidLeaseInput
    from backend.engine.leases.terms import MAX_PAYMENT_STREAMS, parse_lease

    stream = {"from": "2026-01-01", "to": "2026-12-01", "amount": "1", "frequency": "monthly"}
    with pytest.raises(InvalidLeaseInput) as exc:
        parse_lease(office_lease(payments=[stream] * (MAX_PAYMENT_STREAMS + 1)))
    assert exc.value.details["errors"][0]["code"] == "too_many_items"


def test_json_bodies_over_ten_megabytes_are_413(client, demo):
    r = client.post("/v1/leases", headers={**demo.headers(), "Content-Type": "application/json"},
                    content=b'{"description": "' + b"x" * (10 * 1024 * 1024) + b'"}')
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert r.json()["error"]["request_id"] == r.headers["X-Request-Id"]


# ---------------------------------------------------------------- 5. bounds (each once 500)

@pytest.mark.parametrize("override, field", [
    ({"initial_direct_costs": "1" + "0" * 29}, "initial_direct_costs"),
    ({"payments": [{"from": "2026-01-01", "to": "2028-12-01", "amount": "10000.00", "frequency": "monthly",
                    "escalation": {"percent": "999999999", "every_months": 12}}]}, "payments[0].escalation.percent"),
    ({"end_date": "9999-12-31"}, "end_date"),
    ({"commencement_date": "0001-01-01"}, "commencement_date"),
    ({"fair_value": "１２３４"}, "fair_value"),
    ({"currency": "XYZ"}, "currency"),
    ({"description": "Office\u202eevil"}, "description"),
    ({"external_id": "ID\x00x"}, "external_id"),
])
def test_out_of_range_lease_fields_are_400_naming_the_field(client, demo, override, field):
    r = client.post("/v1/leases", headers=demo.headers(), json=office_lease(**override))
    assert r.status_code == 400, r.text
    assert field in _fields(r)
    assert _lease_count(client, demo) == 0


def test_termination_payment_of_fifty_digits_is_refused(client, demo):
    lease = client.post("/v1/leases", headers=demo.headers(), json=office_lease("T50")).json()
    client.post("/v1/leases/confirm", headers=demo.headers(), json={"lease_ids": [lease["id"]]})
    r = client.post("/v1/engine/run", headers=demo.headers(), json={
        "lease_id": lease["id"], "run_type": "TERMINATION", "effective_date": "2027-01-01",
        "changes": {"termination_payment": "9" * 50}})
    assert r.status_code in (400, 422), r.text
    assert "termination_payment" in r.text


def test_naive_datetimes_in_filters_are_400(client, demo):
    r = client.get("/v1/audit-events", headers=demo.headers(), params={"created_from": "2026-01-01T00:00:00"})
    assert r.status_code == 400 and _fields(r) == ["created_from"]
    ok = client.get("/v1/audit-events", headers=demo.headers(), params={"created_from": "2026-01-01T00:00:00Z"})
    assert ok.status_code == 200


# ---------------------------------------------------------------- 11. values that must be refused

@pytest.mark.parametrize("path, method, body, field", [
    ("/v1/fx-rates", "put", {"entity": "DEMO-US", "rates": [
        {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-31", "rate": "0"}]}, "rates[0]"),
    ("/v1/fx-rates", "put", {"entity": "DEMO-US", "rates": [
        {"from_currency": "USD", "to_currency": "USD", "date": "2026-01-31", "rate": "1"}]}, "rates[0]"),
    ("/v1/fx-rates", "put", {"entity": "DEMO-US", "rates": [
        {"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-31", "rate": "-1.1"}]}, "rates[0].rate"),
    ("/v1/lease/ibr-matrix", "put", {"entity": "DEMO-US", "effective_date": "2026-01-01", "rates": [
        {"currency": "USD", "term_from_months": 0, "term_to_months": 60, "rate": "-0.05"}]}, "rates[0].rate"),
    ("/v1/entities/DEMO-US/lease-policy", "put", {"effective_date": "2026-01-01",
                                                  "asc_major_part_threshold": "-1"}, "asc_major_part_threshold"),
    ("/v1/entities/DEMO-US/lease-policy", "put", {"effective_date": "2026-01-01",
                                                  "low_value_threshold": "-5000"}, "low_value_threshold"),
    ("/v1/lease/period-locks", "put", {"entity": "DEMO-US", "period": "0000-01", "status": "LOCKED"}, "period"),
    ("/v1/entities", "post", {"code": "X1", "name": "X", "functional_currency": "USD",
                              "fiscal_year_end": "02-30"}, "fiscal_year_end"),
    ("/v1/entities", "post", {"code": "..", "name": "X", "functional_currency": "USD"}, "code"),
    ("/v1/entities", "post", {"code": "X2", "name": "X", "functional_currency": "ABC"}, "functional_currency"),
    ("/v1/entities", "post", {"code": "X3", "name": "Bad\u200bname", "functional_currency": "USD"}, "name"),
    ("/v1/users", "post", {"name": "Eve\u202e", "email": "eve@example.com", "role": "REVIEWER"}, "name"),
    ("/v1/webhook-endpoints", "post", {"url": "https://hooks.example.com/a b", "event_types": ["journal.posted"]},
     "url"),
])
def test_values_that_must_be_refused(client, demo, path, method, body, field):
    r = getattr(client, method)(path, headers=demo.headers(), json=body)
    assert r.status_code == 400, r.text
    assert field in _fields(r)


def test_unknown_list_filters_are_400(client, demo):
    r = client.get("/v1/leases", headers=demo.headers(), params={"entitty": "DEMO-US"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_query_parameter"
    assert _fields(r) == ["entitty"]
    assert client.get("/v1/leases", headers=demo.headers(), params={"entity": "DEMO-US"}).status_code == 200


def test_fiscal_year_end_of_a_leap_day_is_a_real_day(client, demo):
    r = client.post("/v1/entities", headers=demo.headers(),
                    json={"code": "LEAP", "name": "Leap", "functional_currency": "USD", "fiscal_year_end": "02-29"})
    assert r.status_code == 201


# ---------------------------------------------------------------- 10. budgets cannot be multiplied

def test_minting_tokens_does_not_multiply_the_budget(client, demo):
    tokens = [client.post("/v1/tokens", headers=demo.headers(), json={"name": f"t{i}"}).json()["token"]
              for i in range(3)]
    client.app.state.rate_limiter.reset()
    statuses = [client.get("/v1/me", headers={"Authorization": f"Bearer {tokens[i % 3]}"}).status_code
                for i in range(101)]
    assert statuses[:100] == [200] * 100 and statuses[100] == 429
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert r.status_code == 429 and r.json()["error"]["details"]["scope"] == "user"


def test_the_tenant_has_a_budget_of_its_own(client, demo, make_user, monkeypatch):
    from backend.api import ratelimit

    monkeypatch.setattr(ratelimit, "TENANT_MULTIPLE", 2)
    users = [make_user("REVIEWER")[1] for _ in range(3)]
    client.app.state.rate_limiter.reset()
    codes = [client.get("/v1/me", headers={"Authorization": f"Bearer {users[i % 3]}"}).status_code
             for i in range(201)]
    assert codes[:200] == [200] * 200 and codes[200] == 429


def test_invalid_token_attempts_are_throttled_per_address(client):
    from backend.api.ratelimit import FAILED_AUTH_PER_MINUTE

    codes = [client.get("/v1/me", headers={"Authorization": "Bearer ll_test_guess"}).status_code
             for _ in range(FAILED_AUTH_PER_MINUTE + 1)]
    assert codes[:FAILED_AUTH_PER_MINUTE] == [401] * FAILED_AUTH_PER_MINUTE
    assert codes[-1] == 429
