"""Pull journals, Approve selected and Export through the add-in: the same refusals as REST
(role, agent token, four eyes) and the same database effects."""
from __future__ import annotations

from decimal import Decimal

import pytest

from backend.addin.result_actions import ENTRY_ID, JOURNALS_SHEET, OUTCOME
from tests.addin.helpers import template_book


@pytest.fixture
def journals_book(client, demo, post_book, drain):
    """Two leases extracted and confirmed by the owner through the add-in: draft journals prepared by the owner."""
    wb = template_book()
    post_book("leases/extract", wb)
    wb.select("Leases", "A2:A3")
    post_book("leases/confirm", wb)
    drain()
    return wb


def _entries(client, demo, **params) -> list[dict]:
    r = client.get("/v1/journal-entries", headers=demo.headers(), params={"limit": 200, **params})
    return r.json()["data"]


def _pull(post_book, wb, token=None, **args):
    body = post_book("journals/pull", wb, token, only=set(), args=args)
    sheet = wb.sheet(JOURNALS_SHEET)
    rows = sheet.values()
    return body, sheet, rows[0], rows[1:]


def test_pull_journals_writes_every_line_of_the_filter(client, demo, post_book, journals_book, make_user):
    _, reviewer = make_user("REVIEWER")
    body, sheet, head, rows = _pull(post_book, journals_book, reviewer, status=["draft"], entity="DEMO-US")
    drafts = _entries(client, demo, status="draft")
    assert body["ok"] and body["summary"]["entries"] == len(drafts) > 0
    assert {r[head.index(ENTRY_ID)] for r in rows} == {e["id"] for e in drafts}
    assert len(rows) == sum(len(e["lines"]) for e in drafts)
    debit = sum(Decimal(str(r[head.index("Debit")] or 0)) for r in rows)
    credit = sum(Decimal(str(r[head.index("Credit")] or 0)) for r in rows)
    api_total = sum(Decimal(e["total_debit"]) for e in drafts)
    assert debit == credit == api_total
    assert sheet.frozen_rows == 1 and sheet.tables["LL_Journals"]["totals"]["columns"] == ["Debit", "Credit"]
    # Re-pulling replaces, never duplicates.
    _pull(post_book, journals_book, reviewer, status=["draft"])
    assert [s.name for s in journals_book.sheets].count(JOURNALS_SHEET) == 1
    assert len(journals_book.sheet(JOURNALS_SHEET).values()) == len(rows) + 1


def _select_entry_rows(wb, rows, head, entry_ids):
    wanted = [i + 2 for i, r in enumerate(rows) if r[head.index(ENTRY_ID)] in entry_ids]
    wb.select(JOURNALS_SHEET, ",".join(f"A{n}" for n in wanted))


def test_approve_selected_obeys_role_agent_and_four_eyes(client, demo, post_book, journals_book, make_user):
    _, preparer = make_user("PREPARER")
    _, agent = make_user("APPROVER", "agent")
    _, approver = make_user("APPROVER")
    _, _, head, rows = _pull(post_book, journals_book, status=["draft"])
    target = sorted({r[head.index(ENTRY_ID)] for r in rows})[:2]
    _select_entry_rows(journals_book, rows, head, set(target))

    r = post_book("journals/approve", journals_book, preparer, expect=403, apply=False)
    assert r["error"]["code"] == "forbidden"
    r = post_book("journals/approve", journals_book, agent, expect=403, apply=False)
    assert r["error"]["code"] == "approval_requires_human"
    owner = post_book("journals/approve", journals_book)  # the owner prepared them: four eyes
    assert not owner["ok"] and {x["error"]["code"] for x in owner["results"]} == {"four_eyes"}
    sheet = journals_book.sheet(JOURNALS_SHEET)
    outcome_col, status_col = head.index(OUTCOME), head.index("Status")
    refused_rows = [k for k, v in sheet.cells.items() if k[1] == outcome_col and str(v).startswith("Refused")]
    assert refused_rows and all("another approver" in sheet.cells[k] for k in refused_rows)
    assert {e["id"]: e["status"] for e in _entries(client, demo) if e["id"] in target} == dict.fromkeys(target, "draft")

    ok = post_book("journals/approve", journals_book, approver)
    assert ok["ok"] and {x["outcome"] for x in ok["results"]} == {"approved"} and len(ok["results"]) == 2
    after = {e["id"]: e for e in _entries(client, demo)}
    assert all(after[i]["status"] == "approved" for i in target)
    others = [e for e in after.values() if e["id"] not in target]
    assert others and all(e["status"] == "draft" for e in others)  # only the selection
    for (r, c), v in sheet.cells.items():
        if c == head.index(ENTRY_ID) and r > 0 and v in target:
            assert sheet.cells[(r, status_col)] == "approved" and sheet.cells[(r, outcome_col)].startswith("Approved")
    events = client.get("/v1/audit-events", headers=demo.headers(), params={"kind": "change", "limit": 200}).json()
    approvals = [e for e in events["data"] if e["action"] == "journal.approved"]
    assert len(approvals) == 2 and {e["details"]["channel"] for e in approvals} == {"addin"}


def test_approve_needs_rows_of_the_journals_sheet(client, demo, post_book, journals_book, make_user):
    _, approver = make_user("APPROVER")
    journals_book.select("Leases", "A2")
    body = post_book("journals/approve", journals_book, approver, apply=False)
    assert not body["ok"] and "Pull journals first" in body["message"]


def test_export_writes_mapped_lines_or_names_the_missing_mapping(client, demo, post_book, journals_book, make_user):
    _, approver = make_user("APPROVER")
    _, _, head, rows = _pull(post_book, journals_book, status=["draft"])
    _select_entry_rows(journals_book, rows, head, {r[head.index(ENTRY_ID)] for r in rows})
    post_book("journals/approve", journals_book, approver)
    # An empty mapping (the demo account ships with a full one): the export names what is missing.
    current = client.get("/v1/entities/DEMO-US/account-mapping", headers=demo.headers()).json()
    assert client.put("/v1/entities/DEMO-US/account-mapping", headers=demo.headers(),
                      json={"accounts": {}, "version": current["version"]}).status_code == 200
    r = post_book("journals/export", journals_book, only=set(), expect=422, apply=False)
    assert r["error"]["code"] == "unmapped_accounts"
    accounts = {d["account"] for d in r["error"]["details"]["missing"]}
    mapping = client.put("/v1/entities/DEMO-US/account-mapping", headers=demo.headers(),
                         json={"accounts": {a: f"GL-{n:04d}" for n, a in enumerate(sorted(accounts))}})
    assert mapping.status_code == 200, mapping.text
    body = post_book("journals/export", journals_book, only=set())
    sheet = journals_book.sheet("Journal export")
    values = sheet.values()
    gl = values[0].index("GL account")
    assert body["ok"] and len(values) - 1 == body["summary"]["lines"] == len(rows)
    assert {v[gl] for v in values[1:]} <= {f"GL-{n:04d}" for n in range(len(accounts))}


def test_approve_in_a_locked_period_is_refused_per_row(client, demo, post_book, journals_book, make_user):
    _, approver = make_user("APPROVER")
    _, _, head, rows = _pull(post_book, journals_book, status=["draft"])
    for period in {r[head.index("Period")] for r in rows}:
        r = client.put("/v1/lease/period-locks", headers=demo.headers(),
                       json={"entity": "DEMO-US", "period": period, "status": "LOCKED", "reason": "closed"})
        assert r.status_code == 200, r.text
    _select_entry_rows(journals_book, rows, head, {rows[0][head.index(ENTRY_ID)]})
    body = post_book("journals/approve", journals_book, approver)
    assert not body["ok"] and len(body["results"]) == 1 and "lock" in body["results"][0]["error"]["code"]
    assert "Refused" in str(journals_book.sheet(JOURNALS_SHEET).cells[(1, head.index(OUTCOME))])
    assert {e["status"] for e in _entries(client, demo)} == {"draft"}
