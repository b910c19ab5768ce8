"""The append-only, hash-chained audit trail.

One chain per tenant (plus a ``system`` chain for callers we could not identify). Appending
bumps the chain head with an UPDATE, which row-locks it on PostgreSQL and takes the write lock
on SQLite, so two appends can never read the same head (cf. rentemester#62 in the API notes).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from backend.db.dialect import insert_ignore
from backend.db.ids import new_id
from backend.db.models import AuditChainHead, AuditEvent

SYSTEM_CHAIN = "system"
GENESIS = "0" * 64
HASHED_FIELDS = (
    "id", "chain_key", "seq", "tenant_id", "kind", "action", "outcome", "actor_user_id", "actor_kind",
    "token_id", "request_id", "method", "route", "status", "resource_type", "resource_id", "details",
)


def _digest(prev_hash: str, row: dict[str, Any], created_at: datetime) -> str:
    payload = {k: row.get(k) for k in HASHED_FIELDS}
    payload["created_at"] = created_at.isoformat()
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + "\n" + body).encode()).hexdigest()


def append(session: Session, *, now: datetime, tenant_id: str | None, kind: str, outcome: str, **fields: Any) -> dict:
    """Append one row to the tenant's chain inside the caller's transaction."""
    return append_many(session, [dict(fields, now=now, tenant_id=tenant_id, kind=kind, outcome=outcome)])[0]


def append_many(session: Session | Connection, rows: list[dict[str, Any]]) -> list[dict]:
    """Append rows (each with now, tenant_id, kind, outcome and optional fields) in order.

    Each chain's head is bumped once for all its rows; the rows are then hashed in sequence and
    inserted with one executemany, which keeps the group-committed request rows cheap.
    """
    head_t, event_t = AuditChainHead.__table__, AuditEvent.__table__
    by_chain: dict[str, list[dict]] = {}
    for r in rows:
        by_chain.setdefault(r.get("tenant_id") or SYSTEM_CHAIN, []).append(r)
    out: list[dict] = []
    for chain, items in by_chain.items():
        bump = (update(head_t).where(head_t.c.chain_key == chain)
                .values(last_seq=head_t.c.last_seq + len(items)).returning(head_t.c.last_seq, head_t.c.last_hash))
        head = session.execute(bump).first()
        if head is None:
            insert_ignore(session, head_t, {"chain_key": chain, "last_seq": 0, "last_hash": GENESIS}, ["chain_key"])
            head = session.execute(bump).first()
            assert head is not None  # the chain's head row exists now (inserted, or by a concurrent writer)
        last_seq, prev_hash = head
        seq = last_seq - len(items)
        for item in items:
            seq += 1
            now = item.pop("now")
            row = dict(item, id=new_id(), chain_key=chain, seq=seq)
            # Normalise to plain JSON (datetimes, Decimals → strings) so what is hashed is what is stored.
            row["details"] = json.loads(json.dumps(row.get("details") or {}, default=str))
            row["hash"] = _digest(prev_hash, row, now)
            row.update(prev_hash=prev_hash, created_at=now)
            prev_hash = row["hash"]
            out.append(row)
        session.execute(update(head_t).where(head_t.c.chain_key == chain).values(last_hash=prev_hash))
    columns = set(event_t.c.keys())
    session.execute(event_t.insert(), [{c: r.get(c) for c in columns} for r in out])
    return out


def record_change(session: Session, actor, *, now: datetime, action: str, resource_type: str,
                  resource_id: str, before: Any = None, after: Any = None) -> dict:
    """Audit a domain change in the same transaction as the change itself."""
    return append(
        session, now=now, tenant_id=actor.tenant_id, kind="change", outcome="success", action=action,
        actor_user_id=actor.user_id, actor_kind=actor.actor_kind, token_id=actor.token_id,
        request_id=actor.request_id, resource_type=resource_type, resource_id=resource_id,
        details={"before": before, "after": after, "channel": actor.channel},
    )


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken: dict | None


def verify_chain(session: Session, chain_key: str, batch: int = 2000) -> ChainReport:
    """Recompute every link; report the first row whose hash, predecessor or sequence is wrong."""
    prev_hash, expected_seq, checked, last_seq = GENESIS, 1, 0, 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.chain_key == chain_key, AuditEvent.seq >= expected_seq)
            .order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            problem = None
            if ev.seq != expected_seq:
                problem = f"row {expected_seq} is missing"
            elif ev.prev_hash != prev_hash:
                problem = "does not link to the previous row"
            elif _digest(prev_hash, {k: getattr(ev, k) for k in HASHED_FIELDS}, ev.created_at) != ev.hash:
                problem = "content does not match its hash"
            if problem:
                return ChainReport(False, checked, {"seq": expected_seq, "id": ev.id, "reason": problem})
            prev_hash, expected_seq, checked, last_seq = ev.hash, ev.seq + 1, checked + 1, ev.seq
    head = session.get(AuditChainHead, chain_key)
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        return ChainReport(False, checked, {"seq": last_seq + 1, "id": None, "reason": "rows after this one were removed"})
    return ChainReport(True, checked, None)
