"""Writing engine journal entries as draft journals (header + lines), idempotently.

Each entry carries a ``dedupe_key`` unique per tenant (run × period × event), so re-running a
close or a recognition job finds what it wrote before instead of writing it twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from backend.db.ids import new_id
from backend.db.models import JournalEntry, JournalLine
from backend.engine.journal import JournalEntry as EngineEntry
from backend.engine.journal import assert_balanced
from backend.engine.money import to_minor
from backend.services.ledger import queries as journal_queries
from backend.webhooks.outbox import emit_many, wants


@dataclass
class Provenance:
    tenant_id: str
    entity_id: str
    standard: str
    source_operation: str  # initial_recognition | monthly_close | modification | …
    source_id: str | None  # the lease, contract, … the entries come from
    run_id: str | None
    close_id: str | None
    prepared_by: str | None
    prepared_actor_kind: str | None
    request_id: str | None
    source_type: str = "lease"  # lease | revenue_contract | manual


def entry_key(run_id: str | None, entry: EngineEntry) -> str:
    return f"{run_id}:{entry.period}:{entry.event}"


def write_entries(s, batches: list[tuple[Provenance, list[EngineEntry]]], now: datetime) -> tuple[int, int]:
    """Insert the entries not written before (one lookup for the whole batch);
    returns (inserted, already_present)."""
    items = [(prov, entry_key(prov.run_id, e), e) for prov, entries in batches for e in entries]
    if not items:
        return 0, 0
    existing: set[str] = set()
    keys = [k for _, k, _ in items]
    for i in range(0, len(keys), 900):  # stay far below SQLite's bound-parameter limit
        existing.update(s.scalars(select(JournalEntry.dedupe_key).where(JournalEntry.dedupe_key.in_(keys[i:i + 900]))))
    inserted = _insert(s, [it for it in items if it[1] not in existing], now)
    return inserted, len(items) - inserted


def write_entries_many(s, batches: list[tuple[Provenance, list[EngineEntry]]], now: datetime) -> int:
    """Entries of freshly created runs (their run ids are new, so none can exist yet)."""
    return _insert(s, [(prov, entry_key(prov.run_id, e), e) for prov, entries in batches for e in entries], now)


def _insert(s, items: list[tuple[Provenance, str, EngineEntry]], now: datetime) -> int:
    headers: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for prov, key, e in items:
        assert_balanced(e)  # the engine balanced it; never store one that does not
        entry_id = new_id()
        ccy = e.lines[0].currency
        total = 0
        for n, ln in enumerate(e.lines, start=1):
            debit, credit = to_minor(ln.debit, ln.currency), to_minor(ln.credit, ln.currency)
            total += debit
            lines.append({"entry_id": entry_id, "line_no": n, "tenant_id": prov.tenant_id, "account": ln.account,
                          "debit_minor": debit, "credit_minor": credit, "currency": ln.currency,
                          "dimensions": dict(ln.dimensions)})
        headers.append({"id": entry_id, "created_at": now, "tenant_id": prov.tenant_id, "entity_id": prov.entity_id,
                        "standard": prov.standard, "period": e.period, "entry_date": e.entry_date, "currency": ccy,
                        "event": e.event, "source_operation": prov.source_operation, "source_type": prov.source_type,
                        "source_id": prov.source_id,
                        "run_id": prov.run_id, "close_id": prov.close_id, "status": "draft", "memo": e.memo[:500],
                        "total_debit_minor": total, "dedupe_key": key, "prepared_by": prov.prepared_by,
                        "prepared_actor_kind": prov.prepared_actor_kind, "request_id": prov.request_id})
    if headers:
        s.execute(JournalEntry.__table__.insert(), headers)
        s.execute(JournalLine.__table__.insert(), lines)
        _emit_created(s, items[0][0], [h["id"] for h in headers], now)
    return len(headers)


def _emit_created(s, prov: Provenance, ids: list[str], now: datetime) -> None:
    """``journal.created`` for each new draft, as the API shows it — only when someone listens:
    a portfolio close writes tens of thousands of entries."""
    if not wants(s, prov.tenant_id, "journal.created"):
        return
    entries = []
    for i in range(0, len(ids), 900):
        entries += s.scalars(select(JournalEntry).where(JournalEntry.id.in_(ids[i:i + 900]))).all()
    who = {"user_id": prov.prepared_by, "actor_kind": prov.prepared_actor_kind, "channel": "engine"}
    emit_many(s, who, tenant_id=prov.tenant_id, now=now, request_id=prov.request_id,
              events=[("journal.created", v) for v in journal_queries.views(s, prov.tenant_id, entries)])
