"""Small things a new user trips over: ignored generated files, serve on an existing database, IFRS 16's
single lessee model, exempt leases under ASC 842, restoration costs in the template, close totals as money."""
from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.leases.conftest import office_lease

ROOT = Path(__file__).resolve().parents[2]


def test_gitignore_covers_the_generated_secret_and_sqlite_side_files():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    assert ".ledger-layer/" in lines and "*.db-wal" in lines and "*.db-shm" in lines


def test_serve_on_an_existing_database_says_how_to_get_a_token(tmp_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from backend.cli import app

    monkeypatch.chdir(tmp_path)
    for k in [k for k in __import__("os").environ if k.startswith("LEDGER_")]:
        monkeypatch.delenv(k)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    first = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert first.exit_code == 0 and "ll_test_" in first.output, first.output
    again = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert again.exit_code == 0 and "ll_test_" not in again.output
    assert "ledger-layer tokens create --email owner@demo.example" in again.output
    assert "http://127.0.0.1:8123/v1/docs" in again.output


def test_ifrs16_schedules_and_runs_present_no_classification(client, demo, drain):
    h = demo.headers()
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    assert client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]}).status_code == 202
    drain()
    ifrs = client.get(f"/v1/leases/{lease['id']}/schedule", headers=h, params={"standard": "IFRS16"}).json()
    asc = client.get(f"/v1/leases/{lease['id']}/schedule", headers=h, params={"standard": "ASC842"}).json()
    assert ifrs["classification"] is None and asc["classification"] in ("finance", "operating")
    runs = client.get("/v1/engine/runs", headers=h, params={"lease_id": lease["id"]}).json()["data"]
    assert {r["standard"]: r["classification"] for r in runs}["IFRS16"] is None


def test_exempt_leases_raise_no_asc842_classification_warnings(client, demo):
    h = demo.headers()
    # The demo policy elects the short-term exemption for every class: a 12-month lease is exempt in both books.
    short = client.post("/v1/leases", headers=h, json=office_lease(
        "SHORT-1", end_date="2026-12-31", fair_value=None, useful_life_months=None,
        payments=[{"from": "2026-01-01", "to": "2026-12-01", "amount": "1000.00", "frequency": "monthly",
                   "timing": "advance"}])).json()
    assert not [i for i in short["issues"] if i["code"] == "classification_input_missing"], short["issues"]
    long = client.post("/v1/leases", headers=h, json=office_lease("LONG-1", fair_value=None)).json()
    assert [i for i in long["issues"] if i["code"] == "classification_input_missing"]


def test_the_template_says_restoration_costs_are_entered_at_present_value():
    wb = openpyxl.load_workbook(ROOT / "workbook_templates" / "leases.xlsx")
    text = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row if c.value)
    assert "restoration costs at their present value at commencement" in text.lower()


def test_close_totals_are_decimal_strings_in_the_currency_unit(client, demo, drain):
    h = demo.headers()
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]})
    drain()
    r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01"})
    assert r.status_code == 202
    drain()
    again = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01"})
    assert again.status_code == 200 and again.json()["job_ids"] == []
    for close in again.json()["closes"]:
        totals = close["totals"]
        assert "debits_minor_by_currency" not in totals
        (amount,) = totals["debits_by_currency"].values()
        assert isinstance(amount, str) and "." in amount and amount.split(".")[1].__len__() == 2


def test_extract_summary_counts_every_issue_in_the_response(client, demo):
    data = (ROOT / "workbook_templates" / "leases.xlsx").read_bytes()
    r = client.post("/v1/leases/extract-file", headers=demo.headers(), files={"file": ("leases.xlsx", data)},
                    data={"entity": "DEMO-US"})
    assert r.status_code == 201, r.text
    body = r.json()
    issues = [i for d in body["drafts"] for i in d["issues"]] + [
        i for i in body["issues"] if i.get("draft_index") not in body["draft_indexes"]]
    s = body["summary"]
    assert s["warnings"] == sum(i["severity"] == "warning" for i in issues) > 0
    assert s["errors"] == sum(i["severity"] == "error" for i in issues)
    assert s["infos"] == sum(i["severity"] == "info" for i in issues)


def test_an_empty_export_says_why(client, demo, drain):
    h = demo.headers()
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]})
    drain()  # one draft commencement entry per book, none approved yet
    r = client.get("/v1/journal-entries/export", headers=h, params={"format": "csv", "standard": "IFRS16"})
    assert r.status_code == 200 and r.text.count("\r\n") == 1  # the header row only
    assert r.headers["x-export-entries"] == "0" and r.headers["x-draft-entries-excluded"] == "1"
    assert 'filename="journal-lines-IFRS16-' in r.headers["content-disposition"]
    doc = client.get("/v1/journal-entries/export", headers=h, params={"format": "json", "standard": "ASC842"}).json()
    assert doc["line_count"] == 0 and doc["excluded_draft_entries"] == 1
    missing = client.get("/v1/journal-entries/export", headers=h, params={"format": "csv"})
    assert missing.status_code == 400 and missing.json()["error"]["details"][0]["field"] == "standard"
