"""The database itself refuses changes to approved, posted, reversed and void entries (triggers of
migration 0004), and allows one reversal per entry (partial unique index) — on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from backend.db.ids import new_id
from tests.journals.conftest import Ledger, auth


@pytest.fixture
def raw(db_url):
    """A bare connection with none of the application's code in the way."""
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def _run(raw, sql: str, **params) -> int:
    with raw.begin() as c:
        return c.execute(text(sql), params).rowcount


def _refused(raw, sql: str, **params) -> str:
    with pytest.raises(IntegrityError) as info:
        _run(raw, sql, **params)
    return str(info.value.orig)


def _status(raw, entry_id):
    with raw.connect() as c:
        return c.execute(text("SELECT status FROM journal_entries WHERE id = :i"), {"i": entry_id}).scalar()


def test_updates_of_an_approved_entry_and_its_lines_are_refused(client, ledger, people, raw):
    (entry,) = ledger.drafts(["100.00"], prepared_by=people["owner"][0]["id"])
    # A draft is still a working document.
    assert _run(raw, "UPDATE journal_entries SET memo = 'edited' WHERE id = :i", i=entry) == 1
    assert _run(raw, "UPDATE journal_lines SET debit_minor = debit_minor WHERE entry_id = :i", i=entry) == 2
    assert client.post(f"/v1/journal-entries/{entry}/approve", headers=auth(people["approver"][1])).status_code == 200
    for sql in ("UPDATE journal_entries SET memo = 'tampered' WHERE id = :i",
                "UPDATE journal_entries SET total_debit_minor = 1 WHERE id = :i",
                "UPDATE journal_entries SET period = '2026-02' WHERE id = :i",
                "UPDATE journal_entries SET approved_by = NULL WHERE id = :i",
                "UPDATE journal_entries SET status = 'draft' WHERE id = :i",
                "UPDATE journal_entries SET status = 'void' WHERE id = :i",
                "UPDATE journal_entries SET status = status WHERE id = :i",
                "UPDATE journal_lines SET debit_minor = debit_minor + 1 WHERE entry_id = :i",
                "UPDATE journal_lines SET account = 'CASH' WHERE entry_id = :i"):
        assert "journal_immutable" in _refused(raw, sql, i=entry), sql
    msg = _refused(raw, "INSERT INTO journal_lines (entry_id, line_no, tenant_id, account, debit_minor, credit_minor, "
                        "currency, dimensions) SELECT id, 9, tenant_id, 'CASH', 5, 0, 'USD', '{}' "
                        "FROM journal_entries WHERE id = :i", i=entry)
    assert "journal_immutable" in msg
    # Posting changes exactly the posting columns; anything more is refused.
    assert "journal_immutable" in _refused(
        raw, "UPDATE journal_entries SET status = 'posted', posting_reference = 'R', posted_at = created_at, "
             "memo = 'x' WHERE id = :i", i=entry)
    assert _run(raw, "UPDATE journal_entries SET status = 'posted', posting_reference = 'R', posted_at = created_at "
                     "WHERE id = :i", i=entry) == 1
    for sql in ("UPDATE journal_entries SET posting_reference = 'R2' WHERE id = :i",
                "UPDATE journal_entries SET status = 'approved' WHERE id = :i"):
        assert "journal_immutable" in _refused(raw, sql, i=entry), sql
    # Reversal marks it once; afterwards nothing changes, not even the link.
    assert _run(raw, "UPDATE journal_entries SET status = 'reversed', reversed_by_id = :r WHERE id = :i",
                i=entry, r=new_id()) == 1
    for sql in ("UPDATE journal_entries SET reversed_by_id = 'other' WHERE id = :i",
                "UPDATE journal_entries SET status = 'posted' WHERE id = :i"):
        assert "journal_immutable" in _refused(raw, sql, i=entry), sql
    assert _status(raw, entry) == "reversed"


def test_draft_transitions_checked_by_the_database(ledger, people, raw):
    owner_id = people["owner"][0]["id"]
    a, b, c = ledger.drafts(["1.00", "2.00", "3.00"], prepared_by=owner_id)
    # A draft cannot skip approval.
    assert "journal_transition" in _refused(raw, "UPDATE journal_entries SET status = 'posted', "
                                                 "posting_reference = 'R', posted_at = created_at WHERE id = :i", i=a)
    # Four eyes, in the database too.
    assert "journal_four_eyes" in _refused(raw, "UPDATE journal_entries SET status = 'approved', approved_by = :u, "
                                                "approved_at = created_at WHERE id = :i", i=a, u=owner_id)
    assert "journal_four_eyes" in _refused(raw, "UPDATE journal_entries SET status = 'approved' WHERE id = :i", i=a)
    # Exact balance per currency: a one-cent difference cannot be approved.
    assert _run(raw, "UPDATE journal_lines SET debit_minor = debit_minor + 1 WHERE entry_id = :i AND line_no = 1",
                i=b) == 1
    assert "journal_unbalanced" in _refused(raw, "UPDATE journal_entries SET status = 'approved', approved_by = 'x', "
                                                 "approved_at = created_at WHERE id = :i", i=b)
    # A voided entry is final.
    assert _run(raw, "UPDATE journal_entries SET status = 'void' WHERE id = :i", i=c) == 1
    assert "journal_immutable" in _refused(raw, "UPDATE journal_entries SET status = 'draft' WHERE id = :i", i=c)
    assert "journal_immutable" in _refused(raw, "UPDATE journal_entries SET memo = 'm' WHERE id = :i", i=c)


def test_deletes_refused_in_production_allowed_for_sandbox_reset(rt, demo, people, raw):
    prod = Ledger(rt, demo.production_tenant_id)
    approve = ("UPDATE journal_entries SET status = 'approved', approved_by = 'someone-else', "
               "approved_at = created_at WHERE id = :i")
    (p,) = prod.drafts(["7.00"], prepared_by=people["owner"][0]["id"])
    (d,) = prod.drafts(["8.00"], prepared_by=people["owner"][0]["id"])
    assert _run(raw, approve, i=p) == 1
    assert "journal_immutable" in _refused(raw, "DELETE FROM journal_lines WHERE entry_id = :i", i=p)
    assert "journal_immutable" in _refused(raw, "DELETE FROM journal_entries WHERE id = :i", i=p)
    # Drafts can be deleted (lines first, for the foreign key).
    assert _run(raw, "DELETE FROM journal_lines WHERE entry_id = :i", i=d) == 2
    assert _run(raw, "DELETE FROM journal_entries WHERE id = :i", i=d) == 1
    # A sandbox's data is disposable (the sandbox reset), but UPDATE stays refused there too.
    sand = Ledger(rt, demo.sandbox_tenant_id)
    (s,) = sand.drafts(["9.00"], prepared_by=people["owner"][0]["id"])
    assert _run(raw, approve, i=s) == 1
    assert "journal_immutable" in _refused(raw, "UPDATE journal_lines SET credit_minor = 0 WHERE entry_id = :i", i=s)
    assert _run(raw, "DELETE FROM journal_lines WHERE entry_id = :i", i=s) == 2
    assert _run(raw, "DELETE FROM journal_entries WHERE id = :i", i=s) == 1


def test_an_entry_can_be_reversed_once_by_the_unique_index(ledger, people, raw):
    a, b, c = ledger.drafts(["1.00", "2.00", "3.00"], prepared_by=people["owner"][0]["id"])
    assert _run(raw, "UPDATE journal_entries SET reversal_of_id = :o WHERE id = :i", o=a, i=b) == 1
    msg = _refused(raw, "UPDATE journal_entries SET reversal_of_id = :o WHERE id = :i", o=a, i=c)
    assert "reversal_of_id" in msg or "uq_journal_entries_reversal_of_id" in msg
    # Entries that reverse nothing (NULL) are not constrained.
    with raw.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM journal_entries WHERE reversal_of_id IS NULL")).scalar() == 2
