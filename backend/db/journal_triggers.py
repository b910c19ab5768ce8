"""SQL of the SQLite journal immutability trigger, by the frozen columns of each schema version.

Migrations import it (0007 on); 0004 wrote the first version inline. The PostgreSQL trigger compares
whole rows, so it never needs the column list.
"""
from __future__ import annotations

IMMUTABLE = "journal_immutable: approved, posted, reversed and void journal entries cannot be changed"
_COMMON = ("id", "created_at", "tenant_id", "entity_id", "standard", "period", "entry_date", "currency", "event",
           "source_operation")
_TAIL = ("run_id", "close_id", "memo", "total_debit_minor", "dedupe_key", "prepared_by", "prepared_actor_kind",
         "request_id", "approved_by", "approved_at", "reversal_of_id")
FROZEN_0004 = _COMMON + ("lease_id",) + _TAIL
FROZEN_0007 = _COMMON + ("source_type", "source_id") + _TAIL


def sqlite_immutable_trigger(frozen: tuple[str, ...]) -> str:
    """Frozen rows change only by approved → posted or approved|posted → reversed (once)."""
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in frozen)
    return f"""CREATE TRIGGER trg_journal_entries_immutable BEFORE UPDATE ON journal_entries
    WHEN OLD.status <> 'draft' AND NOT (
      {same}
      AND (
        (OLD.status = 'approved' AND NEW.status = 'posted' AND NEW.posting_reference IS NOT NULL
          AND NEW.posted_at IS NOT NULL AND NEW.reversed_by_id IS OLD.reversed_by_id)
        OR (OLD.status IN ('approved', 'posted') AND NEW.status = 'reversed' AND OLD.reversed_by_id IS NULL
          AND NEW.reversed_by_id IS NOT NULL AND NEW.posting_reference IS OLD.posting_reference
          AND NEW.posted_at IS OLD.posted_at)))
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"""
