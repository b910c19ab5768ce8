"""Every state transition and every refusal of the journal lifecycle, over the REST API."""
from __future__ import annotations

from decimal import Decimal

from backend.db.models import JournalEntry
from tests.journals.conftest import auth
from tests.leases.conftest import office_lease

LOCK = {"entity": "DEMO-US", "standard": "ALL", "status": "LOCKED", "reason": "closed"}


def _lock(client, demo, period, **over):
    return client.put("/v1/lease/period-locks", headers=demo.headers(), json={**LOCK, "period": period, **over})


def _entry(client, token, entry_id):
    r = client.get(f"/v1/journal-entries/{entry_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()


def _err(r, status, code):
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code, r.text


def test_close_drafts_approve_post_reverse_end_to_end(client, demo, drain, people):
    """Real drafts from a lease close: approve, post, reverse; links both ways; the audit trail has the events."""
    h = demo.headers()
    lease = client.post("/v1/leases", headers=h, json=office_lease()).json()
    assert client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]}).status_code == 202
    drain()
    assert client.post("/v1/engine/monthly-close", headers=h,
                       json={"entity": "DEMO-US", "period": "2026-01"}).status_code == 202
    drain()
    r = client.get("/v1/journal-entries", headers=h, params={
        "entity": "DEMO-US", "period": "2026-01", "standard": "IFRS16", "status": "draft",
        "source": "monthly_close", "lease_id": lease["id"]})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total_count"] >= 2 and all(e["status"] == "draft" for e in page["data"])
    entry = page["data"][0]
    assert entry["prepared_by"] == people["owner"][0]["id"] and entry["run_id"] and entry["request_id"]
    for e in page["data"]:  # balanced per currency, money as strings
        assert sum(Decimal(ln["debit"]) for ln in e["lines"]) == sum(Decimal(ln["credit"]) for ln in e["lines"])
        assert Decimal(e["total_debit"]) == sum(Decimal(ln["debit"]) for ln in e["lines"])

    _u, approver = people["approver"]
    r = client.post(f"/v1/journal-entries/{entry['id']}/approve", headers=auth(approver))
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["status"] == "approved" and approved["approved_by"] == people["approver"][0]["id"]
    assert approved["approved_at"]

    r = client.put(f"/v1/journal-entries/{entry['id']}/posting-reference", headers=h,
                   json={"posting_reference": "SAP-4711"})
    assert r.status_code == 200 and r.json()["status"] == "posted" and r.json()["posted_at"]

    _u2, approver2 = people["approver2"]
    r = client.post(f"/v1/journal-entries/{entry['id']}/reverse", headers=auth(approver2),
                    json={"memo": "wrong rate"})
    assert r.status_code == 201, r.text
    original, reversal = r.json()["original"], r.json()["reversal"]
    assert original["status"] == "reversed" and original["reversed_by_id"] == reversal["id"]
    assert original["posting_reference"] == "SAP-4711"  # untouched apart from status and the link
    assert reversal["reversal_of_id"] == entry["id"] and reversal["status"] == "approved"
    assert reversal["period"] == "2026-01" and reversal["source_operation"] == "reversal"
    assert reversal["memo"] == "wrong rate"
    assert [(ln["account"], ln["debit"], ln["credit"]) for ln in reversal["lines"]] == \
        [(ln["account"], ln["credit"], ln["debit"]) for ln in entry["lines"]]

    audit = client.get("/v1/audit-events", headers=h, params={"kind": "change", "resource_id": entry["id"]}).json()
    assert [e["action"] for e in audit["data"]] == ["journal.reversed", "journal.posted", "journal.approved"]
    created = client.get("/v1/audit-events", headers=h, params={"kind": "change", "resource_id": reversal["id"]})
    assert [e["action"] for e in created.json()["data"]] == ["journal.created"]


def test_approval_refusals(client, demo, ledger, people, rt):
    owner_id = people["owner"][0]["id"]
    (draft,) = ledger.drafts(["100.00"], prepared_by=owner_id)
    url = f"/v1/journal-entries/{draft}/approve"
    _err(client.post(url, headers=auth(people["preparer"][1])), 403, "forbidden")
    _err(client.post(url, headers=auth(people["reviewer"][1])), 403, "forbidden")
    _err(client.post(url, headers=auth(people["agent"][1])), 403, "approval_requires_human")
    _err(client.post(url, headers=auth(people["agent_owner"][1])), 403, "approval_requires_human")
    _err(client.post(url, headers=demo.headers()), 403, "four_eyes")  # the owner prepared it
    assert _entry(client, demo.owner_token, draft)["status"] == "draft"
    # An approver may not approve what they prepared either.
    (own,) = ledger.drafts(["5.00"], prepared_by=people["approver"][0]["id"])
    _err(client.post(f"/v1/journal-entries/{own}/approve", headers=auth(people["approver"][1])), 403, "four_eyes")
    # Locked period.
    assert _lock(client, demo, "2026-01").status_code == 200
    _err(client.post(url, headers=auth(people["approver"][1])), 409, "period_locked")
    assert client.put("/v1/lease/period-locks", headers=demo.headers(),
                      json={**LOCK, "period": "2026-01", "status": "OPEN"}).status_code == 200
    # ADMIN may approve; the second approval of the same entry is a conflict.
    assert client.post(url, headers=auth(people["admin"][1])).json()["status"] == "approved"
    _err(client.post(url, headers=auth(people["approver"][1])), 409, "not_draft")
    _err(client.post("/v1/journal-entries/01ZZZZZZZZZZZZZZZZZZZZZZZZ/approve", headers=auth(people["approver"][1])),
         404, "journal_entry_not_found")


def test_void_post_and_reverse_refusals(client, demo, ledger, people):
    owner_id = people["owner"][0]["id"]
    a, b, c = ledger.drafts(["10.00", "20.00", "30.00"], prepared_by=owner_id)
    appr = auth(people["approver"][1])
    # Void: drafts only, and a voided entry is final.
    r = client.post(f"/v1/journal-entries/{a}/void", headers=auth(people["preparer"][1]), json={"reason": "dup"})
    assert r.status_code == 200 and r.json()["status"] == "void"
    _err(client.post(f"/v1/journal-entries/{a}/approve", headers=appr), 409, "not_draft")
    _err(client.post(f"/v1/journal-entries/{a}/void", headers=appr), 409, "not_draft")
    _err(client.post(f"/v1/journal-entries/{a}/void", headers=auth(people["reviewer"][1])), 403, "forbidden")
    # Posting reference: approved only; same reference again is a no-op, another one a conflict.
    _err(client.put(f"/v1/journal-entries/{b}/posting-reference", headers=appr, json={"posting_reference": "X-1"}),
         409, "not_approved")
    _err(client.post(f"/v1/journal-entries/{b}/reverse", headers=appr), 409, "not_approved_or_posted")
    assert client.post(f"/v1/journal-entries/{b}/approve", headers=appr).status_code == 200
    _err(client.post(f"/v1/journal-entries/{b}/void", headers=appr), 409, "not_draft")  # void after approval
    ref = {"posting_reference": "X-1"}
    assert client.put(f"/v1/journal-entries/{b}/posting-reference", headers=appr, json=ref).json()["status"] == "posted"
    again = client.put(f"/v1/journal-entries/{b}/posting-reference", headers=appr, json=ref)
    assert again.status_code == 200 and again.json()["posting_reference"] == "X-1"
    _err(client.put(f"/v1/journal-entries/{b}/posting-reference", headers=appr, json={"posting_reference": "X-2"}),
         409, "already_posted")
    # Reverse: APPROVER+, human, not the preparer; once.
    _err(client.post(f"/v1/journal-entries/{b}/reverse", headers=auth(people["preparer"][1])), 403, "forbidden")
    _err(client.post(f"/v1/journal-entries/{b}/reverse", headers=auth(people["agent"][1])), 403,
         "approval_requires_human")
    _err(client.post(f"/v1/journal-entries/{b}/reverse", headers=demo.headers()), 403, "four_eyes")
    r = client.post(f"/v1/journal-entries/{b}/reverse", headers=appr)
    assert r.status_code == 201, r.text
    _err(client.post(f"/v1/journal-entries/{b}/reverse", headers=auth(people["approver2"][1])), 409, "already_reversed")
    # A reversed entry cannot be posted again, and the reversal cannot be voided.
    _err(client.put(f"/v1/journal-entries/{b}/posting-reference", headers=appr, json={"posting_reference": "X-3"}),
         409, "not_approved")
    _err(client.post(f"/v1/journal-entries/{r.json()['reversal']['id']}/void", headers=appr), 409, "not_draft")
    assert _entry(client, demo.owner_token, c)["status"] == "draft"


def test_reversal_lands_in_the_first_open_period(client, demo, ledger, people, rt):
    (entry,) = ledger.drafts(["250.00"], prepared_by=people["owner"][0]["id"], period="2026-01")
    appr = auth(people["approver"][1])
    assert client.post(f"/v1/journal-entries/{entry}/approve", headers=appr).status_code == 200
    for period, std in (("2026-01", "ALL"), ("2026-02", "IFRS16")):
        assert client.put("/v1/lease/period-locks", headers=demo.headers(),
                          json={**LOCK, "period": period, "standard": std}).status_code == 200
    r = client.post(f"/v1/journal-entries/{entry}/reverse", headers=appr)
    assert r.status_code == 201, r.text
    rev = r.json()["reversal"]
    assert rev["period"] == "2026-03" and rev["entry_date"] == "2026-03-31"
    with rt.db.session(demo.sandbox_tenant_id) as s:  # the original keeps its period and date
        orig = s.get(JournalEntry, entry)
        assert (orig.period, orig.entry_date.isoformat(), orig.status) == ("2026-01", "2026-01-28", "reversed")


def test_batch_approve_reports_each_item(client, demo, ledger, people):
    owner_id = people["owner"][0]["id"]
    ok1, ok2 = ledger.drafts(["1.00", "2.00"], prepared_by=owner_id)
    (mine,) = ledger.drafts(["3.00"], prepared_by=people["approver"][0]["id"])
    (locked,) = ledger.drafts(["4.00"], prepared_by=owner_id, period="2026-05")
    (gone,) = ledger.drafts(["5.00"], prepared_by=owner_id)
    assert client.post(f"/v1/journal-entries/{gone}/void", headers=demo.headers()).status_code == 200
    assert _lock(client, demo, "2026-05").status_code == 200
    missing = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
    appr = auth(people["approver"][1])
    ids = [ok1, mine, locked, gone, missing, ok2]
    r = client.post("/v1/journal-entries/batch-approve", headers=appr, json={"ids": ids})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["approved"], body["refused"]) == (2, 4)
    assert [(x["id"], x["outcome"], x["error"] and x["error"]["code"]) for x in body["results"]] == [
        (ok1, "approved", None), (mine, "refused", "four_eyes"), (locked, "refused", "period_locked"),
        (gone, "refused", "not_draft"), (missing, "refused", "journal_entry_not_found"), (ok2, "approved", None)]
    assert {_entry(client, demo.owner_token, i)["status"] for i in (ok1, ok2)} == {"approved"}
    assert _entry(client, demo.owner_token, mine)["status"] == "draft"
    # The whole request is refused for agents and for duplicate or empty id lists.
    _err(client.post("/v1/journal-entries/batch-approve", headers=auth(people["agent"][1]), json={"ids": [mine]}),
         403, "approval_requires_human")
    _err(client.post("/v1/journal-entries/batch-approve", headers=appr, json={"ids": [mine, mine]}), 400, "invalid_ids")
    assert client.post("/v1/journal-entries/batch-approve", headers=appr, json={"ids": []}).status_code == 400
    _err(client.post("/v1/journal-entries/batch-approve", headers=auth(people["preparer"][1]), json={"ids": [mine]}),
         403, "forbidden")


def test_approve_is_idempotent_with_a_key(client, ledger, people):
    (entry,) = ledger.drafts(["9.99"], prepared_by=people["owner"][0]["id"])
    h = {**auth(people["approver"][1]), "Idempotency-Key": "approve-once-1"}
    first = client.post(f"/v1/journal-entries/{entry}/approve", headers=h)
    again = client.post(f"/v1/journal-entries/{entry}/approve", headers=h)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("X-Idempotent-Replayed") == "true" and again.content == first.content


def test_list_filters_and_cursor_walk(client, demo, ledger, people):
    owner_id = people["owner"][0]["id"]
    jan = ledger.drafts(["1.00", "2.00", "3.00"], prepared_by=owner_id, period="2026-01")
    feb = ledger.drafts(["4.00", "5.00"], prepared_by=owner_id, period="2026-02", standard="ASC842", lease_id="L-2")
    h = demo.headers()
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "sort": "created_at:asc", **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/journal-entries", headers=h, params=params).json()
        assert page["total_count"] == 5
        seen += [e["id"] for e in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == jan + feb
    q = lambda **p: [e["id"] for e in client.get("/v1/journal-entries", headers=h,  # noqa: E731
                                                 params={"sort": "created_at:asc", **p}).json()["data"]]
    assert q(standard="ASC842") == feb and q(period="2026-01") == jan and q(lease_id="L-2") == feb
    assert q(date_from="2026-02-01") == feb and q(date_to="2026-01-31") == jan
    assert q(period_from="2026-02", period_to="2026-02") == feb
    assert client.post(f"/v1/journal-entries/{jan[0]}/approve", headers=auth(people["approver"][1])).status_code == 200
    assert q(status="approved") == [jan[0]] and q(status=["draft", "approved"]) == jan + feb
    assert q(entity="DEMO-US") == jan + feb and q(source="reversal") == []
    bad = client.get("/v1/journal-entries", headers=h, params={"entity": "NOPE"})
    _err(bad, 404, "entity_not_found")
    assert client.get("/v1/journal-entries", headers=h, params={"status": "bogus"}).status_code == 400
