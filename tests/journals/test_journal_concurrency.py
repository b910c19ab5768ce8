"""Concurrent approvals and reversals of one entry over real HTTP: exactly one wins, the rest get 409.

Runs on SQLite and, with LEDGER_TEST_DATABASE_URL, on PostgreSQL (row locks + conditional UPDATE).
"""
from __future__ import annotations

import threading
from collections import Counter

import httpx
from sqlalchemy import func, select

from backend.db.models import JournalEntry
from tests.journals.conftest import auth

N = 6


def _race(live_server, path: str, tokens: list[str]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(tokens))
    out: list[httpx.Response | Exception] = [None] * len(tokens)  # type: ignore[list-item]

    def worker(i: int, token: str) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as c:
            barrier.wait()
            try:
                out[i] = c.post(path, headers=auth(token))
            except Exception as exc:  # noqa: BLE001 - reported below
                out[i] = exc

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert all(isinstance(r, httpx.Response) for r in out), out
    return out  # type: ignore[return-value]


def test_concurrent_approvals_one_wins(live_server, rt, demo, ledger, people, make_user):
    tokens = [make_user("APPROVER")[1] for _ in range(N)]
    entries = ledger.drafts(["10.00", "20.00", "30.00"], prepared_by=people["owner"][0]["id"])
    for entry in entries:  # a few rounds, so a lucky interleaving does not pass by chance
        rs = _race(live_server, f"/v1/journal-entries/{entry}/approve", tokens)
        assert Counter(r.status_code for r in rs) == {200: 1, 409: N - 1}, [r.text for r in rs]
        assert {r.json()["error"]["code"] for r in rs if r.status_code == 409} <= {"not_draft", "concurrent_change"}
        winner = next(r.json() for r in rs if r.status_code == 200)
        with rt.db.session(demo.sandbox_tenant_id) as s:
            row = s.get(JournalEntry, entry)
            assert (row.status, row.approved_by) == ("approved", winner["approved_by"])


def test_concurrent_reversals_one_wins(live_server, rt, demo, client, ledger, people, make_user):
    tokens = [make_user("APPROVER")[1] for _ in range(N)]
    entries = ledger.drafts(["11.00", "22.00"], prepared_by=people["owner"][0]["id"])
    for entry in entries:
        ok = client.post(f"/v1/journal-entries/{entry}/approve", headers=auth(people["approver"][1]))
        assert ok.status_code == 200
        rs = _race(live_server, f"/v1/journal-entries/{entry}/reverse", tokens)
        assert Counter(r.status_code for r in rs) == {201: 1, 409: N - 1}, [r.text for r in rs]
        assert {r.json()["error"]["code"] for r in rs if r.status_code == 409} == {"already_reversed"}
        with rt.db.session(demo.sandbox_tenant_id) as s:
            n = s.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.reversal_of_id == entry))
            assert n == 1
            assert s.get(JournalEntry, entry).status == "reversed"


def test_approve_racing_reverse_and_post(live_server, client, ledger, people, make_user):
    """Reverse and posting-reference racing on one approved entry: posting either happens before the
    reversal (then the reversal still wins, the entry was posted) or is refused — never after it."""
    approvers = [make_user("APPROVER")[1] for _ in range(3)]
    (entry,) = ledger.drafts(["5.00"], prepared_by=people["owner"][0]["id"])
    assert client.post(f"/v1/journal-entries/{entry}/approve", headers=auth(people["approver"][1])).status_code == 200
    barrier = threading.Barrier(4)
    results: dict[str, int] = {}

    def run(name: str, method: str, path: str, token: str, body: dict | None) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as c:
            barrier.wait()
            results[name] = c.request(method, path, headers=auth(token), json=body).status_code

    jobs = [(f"rev{i}", "POST", f"/v1/journal-entries/{entry}/reverse", t, None) for i, t in enumerate(approvers)]
    jobs.append(("post", "PUT", f"/v1/journal-entries/{entry}/posting-reference", approvers[0],
                 {"posting_reference": "ERP-1"}))
    threads = [threading.Thread(target=run, args=j) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(v for k, v in results.items() if k.startswith("rev")) == [201, 409, 409]
    final = client.get(f"/v1/journal-entries/{entry}", headers=auth(people["approver"][1])).json()
    assert final["status"] == "reversed"
    assert (results["post"] == 200) == (final["posting_reference"] == "ERP-1")
