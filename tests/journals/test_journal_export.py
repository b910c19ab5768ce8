"""Account mapping, summary and exports: every format parses back and ties to the summary."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from backend.services.ledger import export as journal_export
from tests.journals.conftest import MAPPING, auth

EXPORTED = ["approved", "posted", "reversed"]
EVIL_MEMO = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def book(client, demo, ledger, people):
    """Entries in every state, three currencies (JPY has no minor unit), hostile text in memo and dimensions."""
    owner = people["owner"][0]["id"]
    appr = auth(people["approver"][1])
    dims = {"lease_id": "L-9", "asset_class": "@SUM(A1)", "note": "+cmd|' /C calc'!A0"}
    approved = ledger.drafts(["100.00", "0.01", "12345678.90"], prepared_by=owner, memo=EVIL_MEMO, dims=dims)
    approved += ledger.drafts(["99.99"], prepared_by=owner, period="2026-02", currency="EUR", lease_id="L-2")
    approved += ledger.drafts(["1500"], prepared_by=owner, period="2026-02", currency="JPY", standard="ASC842")
    for e in approved:
        assert client.post(f"/v1/journal-entries/{e}/approve", headers=appr).status_code == 200
    posted, reversed_ = approved[0], approved[1]
    assert client.put(f"/v1/journal-entries/{posted}/posting-reference", headers=appr,
                      json={"posting_reference": "-SAP 1"}).status_code == 200
    rev = client.post(f"/v1/journal-entries/{reversed_}/reverse", headers=appr).json()["reversal"]["id"]
    (draft,) = ledger.drafts(["777.00"], prepared_by=owner)
    (void,) = ledger.drafts(["888.00"], prepared_by=owner)
    assert client.post(f"/v1/journal-entries/{void}/void", headers=appr).status_code == 200
    return {"approved": approved, "reversal": rev, "draft": draft, "void": void}


def _map(client, demo, accounts=None, dimensions=None, version=None, token=None):
    body = {"accounts": accounts if accounts is not None else MAPPING, "dimensions": dimensions or {}}
    if version is not None:
        body["version"] = version
    return client.put("/v1/entities/DEMO-US/account-mapping", headers=auth(token or demo.owner_token), json=body)


def _summary_totals(client, demo, standard: str = "IFRS16") -> tuple[dict, int]:
    r = client.get("/v1/journal-entries/summary", headers=demo.headers(),
                   params={"status": EXPORTED, "standard": standard})
    assert r.status_code == 200, r.text
    out: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in r.json()["rows"]:
        out[(row["account"], row["currency"])][0] += Decimal(row["debit"])
        out[(row["account"], row["currency"])][1] += Decimal(row["credit"])
    return dict(out), sum(row["line_count"] for row in r.json()["rows"])


def test_unmapped_accounts_block_the_export_and_are_listed(client, demo, book, people):
    r = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "csv", "standard": "IFRS16"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unmapped_accounts"
    assert r.json()["error"]["details"]["missing"] == [
        {"entity": "DEMO-US", "account": "INTEREST_EXPENSE"},
        {"entity": "DEMO-US", "account": "LEASE_LIABILITY_CURRENT"}]
    got = client.get("/v1/entities/DEMO-US/account-mapping", headers=auth(people["reviewer"][1])).json()
    assert got["version"] == 0 and got["unmapped"] == ["INTEREST_EXPENSE", "LEASE_LIABILITY_CURRENT"]
    # Only ADMIN/OWNER configure the mapping; a stale version is a conflict.
    assert _map(client, demo, token=people["approver"][1]).status_code == 403
    r = _map(client, demo, accounts={"INTEREST_EXPENSE": "7100"}, token=people["admin"][1])
    assert r.status_code == 200 and r.json()["version"] == 1 and r.json()["unmapped"] == ["LEASE_LIABILITY_CURRENT"]
    r = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "xlsx", "standard": "IFRS16"})
    assert r.json()["error"]["details"]["missing"] == [{"entity": "DEMO-US", "account": "LEASE_LIABILITY_CURRENT"}]
    r = _map(client, demo, version=0)
    assert r.status_code == 409 and r.json()["error"]["code"] == "version_conflict"
    bad = _map(client, demo, accounts={"rou asset": "", "CASH": "1010"})
    assert bad.status_code == 400
    assert {d["code"] for d in bad.json()["error"]["details"]} == {"invalid_account_code", "invalid_gl_account"}
    assert _map(client, demo, version=1).json()["unmapped"] == []
    assert client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "csv", "standard": "IFRS16"}).status_code == 200


def test_summary_counts_and_totals(client, demo, book):
    r = client.get("/v1/journal-entries/summary", headers=demo.headers()).json()
    assert r["status_counts"] == {"draft": 1, "approved": 4, "posted": 1, "void": 1, "reversed": 1}
    assert r["entry_count"] == 8 and r["reversal_entry_count"] == 1
    usd = next(t for t in r["totals_by_currency"] if t["currency"] == "USD")
    # 100.00 + 0.01 + 12345678.90 + its reversal 0.01 + draft 777.00 + void 888.00, both sides
    assert usd["debit"] == usd["credit"] == "12347443.92"
    jpy = [row for row in r["rows"] if row["currency"] == "JPY"]
    assert {(x["account"], x["period"], x["standard"], x["debit"], x["credit"]) for x in jpy} == {
        ("INTEREST_EXPENSE", "2026-02", "ASC842", "1500", "0"),
        ("LEASE_LIABILITY_CURRENT", "2026-02", "ASC842", "0", "1500")}
    only = client.get("/v1/journal-entries/summary", headers=demo.headers(), params={"status": "draft"}).json()
    assert only["entry_count"] == 1 and only["totals_by_currency"] == [
        {"currency": "USD", "debit": "777.00", "credit": "777.00"}]


def _check_text_neutralised(rows: list[dict]) -> None:
    memos = {r["memo"] for r in rows if r["memo"]}
    assert "'" + EVIL_MEMO in memos and EVIL_MEMO not in memos
    evil = [r for r in rows if r["memo"] == "'" + EVIL_MEMO]
    assert evil and all(r["dimensions"].startswith("{") for r in evil)
    assert all(not str(v).startswith(tuple("=+-@")) for r in rows for v in r.values() if isinstance(v, str))
    assert {r["posting_reference"] for r in rows} >= {"'-SAP 1"}


def test_csv_export_parses_back_and_ties_to_the_summary(client, demo, book):
    assert _map(client, demo, dimensions={"lease_id": "PROJECT", "asset_class": "COST_CENTER"}).status_code == 200
    r = client.get("/v1/journal-entries/export", headers=auth(demo.owner_token), params={"format": "csv", "standard": "IFRS16"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="journal-lines-IFRS16-')
    assert r.headers["x-export-entries"] == "5" and r.headers["x-draft-entries-excluded"] == "1"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == journal_export.FIXED + ["COST_CENTER", "PROJECT", "dimensions"]
    totals, n_lines = _summary_totals(client, demo)
    # IFRS16: 4 approved originals (one posted, one reversed) + the reversal, 2 lines each (JPY is ASC842)
    assert len(rows) == n_lines == 10
    got: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        got[(row["account"], row["currency"])][0] += Decimal(row["debit"])
        got[(row["account"], row["currency"])][1] += Decimal(row["credit"])
        assert row["gl_account"] == MAPPING[row["account"]]
        assert row["status"] in EXPORTED
    assert dict(got) == totals
    ids = {row["entry_id"] for row in rows}
    assert book["draft"] not in ids and book["void"] not in ids and book["reversal"] in ids
    jpy = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "csv", "standard": "ASC842"})
    assert {row["debit"] for row in csv.DictReader(io.StringIO(jpy.text))} == {"1500", "0"}
    evil = [row for row in rows if row["PROJECT"] == "L-9"]
    assert evil and {row["COST_CENTER"] for row in evil} == {"'@SUM(A1)"}
    _check_text_neutralised(rows)
    # The unmapped dimension stays in the JSON column (neutralised as text when needed).
    assert json.loads(evil[0]["dimensions"]) == {"note": "+cmd|' /C calc'!A0"}


def test_xlsx_export_has_typed_cells_and_ties_to_the_summary(client, demo, book, people):
    assert _map(client, demo).status_code == 200
    r = client.get("/v1/journal-entries/export", headers=auth(people["reviewer"][1]), params={"format": "xlsx", "standard": "IFRS16"})
    assert r.status_code == 200, r.text
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    ws = wb["Journal lines"]
    values = list(ws.iter_rows(values_only=True))
    header, data = list(values[0]), values[1:]
    assert header == journal_export.FIXED + ["dimensions"]
    rows = [dict(zip(header, v)) for v in data]
    totals, n_lines = _summary_totals(client, demo)
    assert len(rows) == n_lines
    got: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        assert isinstance(row["debit"], (int, float)) and isinstance(row["credit"], (int, float))
        assert isinstance(row["line_no"], int)
        exp = 0 if row["currency"] == "JPY" else 2
        got[(row["account"], row["currency"])][0] += round(Decimal(row["debit"]), exp)
        got[(row["account"], row["currency"])][1] += round(Decimal(row["credit"]), exp)
    assert dict(got) == totals
    _check_text_neutralised([{k: ("" if v is None else v) for k, v in row.items()} for row in rows])
    assert all(isinstance(row["entry_date"], datetime) for row in rows)  # a real date cell
    # A second, independent reader (calamine, in Rust) sees the same cells.
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_name("Journal lines").to_python()
    assert sheet[0] == header and len(sheet) == len(values)
    assert [row[header.index("debit")] for row in sheet[1:]] == [row["debit"] for row in rows]


def test_json_export_parses_back_and_ties_to_the_summary(client, demo, book):
    assert _map(client, demo, dimensions={"lease_id": "PROJECT"}).status_code == 200
    r = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "json", "period": "2026-01",
                                                                                 "standard": "IFRS16"})
    assert r.status_code == 200
    doc = json.loads(r.content)
    r2 = client.get("/v1/journal-entries/summary", headers=demo.headers(),
                    params={"status": EXPORTED, "period": "2026-01", "standard": "IFRS16"}).json()
    assert doc["line_count"] == len(doc["lines"]) == sum(x["line_count"] for x in r2["rows"])
    assert doc["totals_by_currency"] == {t["currency"]: {"debit": t["debit"], "credit": t["credit"]}
                                         for t in r2["totals_by_currency"]}
    assert all(isinstance(ln["debit"], str) and ln["period"] == "2026-01" for ln in doc["lines"])
    assert {ln["PROJECT"] for ln in doc["lines"]} == {"L-9"}


def test_export_refuses_drafts_and_bad_formats(client, demo, book):
    assert _map(client, demo).status_code == 200
    r = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "csv", "status": "draft",
                                                                                "standard": "IFRS16"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "status_not_exportable"
    assert client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "pdf", "standard": "IFRS16"}).status_code == 400
    r = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "csv", "status": "posted",
                                                                                "standard": "IFRS16"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["entry_id"] for row in rows} == {book["approved"][0]}


def test_xlsx_continues_on_a_new_sheet_at_the_row_limit(client, demo, book, monkeypatch):
    assert _map(client, demo).status_code == 200
    monkeypatch.setattr(journal_export, "XLSX_MAX_ROWS", 5)  # header + 4 lines per sheet
    r = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "xlsx", "standard": "IFRS16"})
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb.sheetnames == ["Journal lines", "Journal lines 2", "Journal lines 3"]
    sizes = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == "entry_id"
        sizes.append(len(rows) - 1)
    assert sizes == [4, 4, 2]  # the 10 IFRS16 lines


def test_export_is_as_of_its_start(client, demo, rt, book, ledger, people):
    """Entries approved while an export streams are left for the next one (the mapping check
    covered exactly what is exported)."""
    from backend.services.ledger import export as je
    from backend.services.platform.context import Actor
    from backend.services.ledger.queries import Filters

    assert _map(client, demo).status_code == 200
    actor = Actor(tenant_id=demo.sandbox_tenant_id, tenant_kind="sandbox", account_id=demo.account_id,
                  user_id=people["reviewer"][0]["id"], role="REVIEWER", actor_kind="human", token_id=None)
    plan = je.prepare(rt, actor, Filters(), "csv")
    (late,) = ledger.drafts(["42.00"], prepared_by=people["owner"][0]["id"])
    assert client.post(f"/v1/journal-entries/{late}/approve", headers=auth(people["approver"][1])).status_code == 200
    ids = {row["entry_id"] for row in csv.DictReader(io.StringIO(b"".join(plan.body).decode()))}
    assert late not in ids and book["approved"][2] in ids
    again = client.get("/v1/journal-entries/export", headers=demo.headers(), params={"format": "csv", "standard": "IFRS16"})
    assert late in {row["entry_id"] for row in csv.DictReader(io.StringIO(again.text))}
