"""Add-in route plumbing: licence gate, payload checks and caps, auth, idempotency, session."""
from __future__ import annotations

import json

import pytest

from backend.addin import payload as payload_mod
from tests.addin.helpers import template_book


@pytest.fixture
def no_licence(rt, monkeypatch):
    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    monkeypatch.setattr(rt.settings, "xlwings_license_key", None)


ROUTES = ["leases/extract", "leases/validate", "leases/confirm", "leases/schedule", "journals/pull",
          "journals/approve", "journals/export", "mapping/pull", "mapping/push"]


@pytest.mark.parametrize("route", ROUTES)
def test_without_a_licence_key_every_addin_route_says_what_to_set(client, demo, no_licence, route):
    r = client.post(f"/v1/addin/{route}", headers=demo.headers(), json=template_book().payload())
    assert r.status_code == 503
    err = r.json()["error"]
    assert err["code"] == "addin_not_configured" and "XLWINGS_LICENSE_KEY" in err["message"]
    assert client.get("/v1/leases", headers=demo.headers()).status_code == 200  # REST unaffected
    assert client.get("/v1/addin/session", headers=demo.headers()).json()["addin_enabled"] is False


def test_without_a_token_it_is_401_before_anything_else(client, no_licence):
    assert client.post("/v1/addin/leases/extract", json={}).status_code == 401


def test_malformed_payloads_are_400_with_the_missing_keys(client, demo):
    data = template_book().payload()
    del data["sheets"][1]["tables"]
    r = client.post("/v1/addin/leases/extract", headers=demo.headers(), json=data)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_book_json"
    assert any(d["field"] == "sheets.1.tables" for d in r.json()["error"]["details"])
    r = client.post("/v1/addin/leases/extract", headers={**demo.headers(), "Content-Type": "application/json"},
                    content=b"{not json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_book_json"
    data = template_book().payload()
    data["client"] = "Google Apps Script"
    assert client.post("/v1/addin/leases/extract", headers=demo.headers(), json=data).status_code == 400


def test_oversized_payloads_are_refused(client, demo, monkeypatch):
    monkeypatch.setattr(payload_mod, "MAX_BODY_BYTES", 50_000)
    data = template_book().payload()
    data["sheets"][1]["values"] += [["x" * 100] * 30] * 40
    r = client.post("/v1/addin/leases/extract", headers=demo.headers(), json=data)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert client.get("/v1/leases", headers=demo.headers()).json()["total_count"] == 0


def test_too_many_rows_are_refused_before_parsing(client, demo):
    data = template_book().payload()
    data["sheets"][1]["values"] += [["L"]] * 200_000
    r = client.post("/v1/addin/leases/extract", headers=demo.headers(), content=json.dumps(data))
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_many_rows"


def test_an_idempotency_key_replays_the_same_actions_without_storing_twice(client, demo):
    data = template_book().payload()
    h = {**demo.headers(), "Idempotency-Key": "extract-1"}
    first = client.post("/v1/addin/leases/extract", headers=h, json=data)
    again = client.post("/v1/addin/leases/extract", headers=h, json=data)
    assert first.status_code == 200 and again.status_code == 200
    assert again.headers["X-Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert client.get("/v1/leases", headers=demo.headers()).json()["total_count"] == 3


def test_session_shows_tenant_entities_and_role(client, demo, make_user):
    _, token = make_user("APPROVER")
    s = client.get("/v1/addin/session", headers=demo.headers(token)).json()
    assert s["role"] == "APPROVER" and s["tenant_kind"] == "sandbox" and "DEMO-US" in s["entities"]
    assert s["addin_enabled"] is True and s["actor_kind"] == "human"


def test_reviewer_may_pull_but_not_extract(client, demo, make_user):
    _, token = make_user("REVIEWER")
    wb = template_book()
    r = client.post("/v1/addin/leases/extract", headers=demo.headers(token), json=wb.payload())
    assert r.status_code == 403 and r.json()["error"]["details"]["action"] == "leases.write"
    r = client.post("/v1/addin/journals/pull", headers=demo.headers(token), json=wb.payload(set()))
    assert r.status_code == 200 and r.json()["ok"]


def test_large_result_sheets_are_written_in_chunks(rt):
    from backend.addin import bridge
    from backend.addin.payload import BookPayload
    from backend.addin.sheets import CHUNK_ROWS, Column, ResultSheet, write_result_sheet

    data = template_book().payload()
    book = bridge.open_book(rt.settings, data)
    rows = [[f"E{i}", i * 1.5] for i in range(2 * CHUNK_ROWS + 7)]
    write_result_sheet(book, BookPayload.model_validate(data), ResultSheet("Journals", [
        Column("Entry ID"), Column("Debit", "money", total=True)], rows))
    writes = [a for a in bridge.actions(book) if a["func"] == "setValues" and a["start_row"] > 0]
    assert [len(a["values"]) for a in writes] == [CHUNK_ROWS, CHUNK_ROWS, 7]
    assert [a["start_row"] for a in writes] == [1, 1 + CHUNK_ROWS, 1 + 2 * CHUNK_ROWS]
    assert writes[-1]["values"][-1] == [f"E{len(rows) - 1}", (len(rows) - 1) * 1.5]
