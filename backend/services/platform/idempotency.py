"""Idempotency-Key handling: claim, replay, and storing the response with the domain writes.

Phase 1 (own short transaction): INSERT … ON CONFLICT DO NOTHING of an ``in_progress`` row for
(tenant, user, endpoint, key) — the UNIQUE constraint decides who owns the key, never a read-then-write.
Phase 2: the domain work runs in a unit of work that also marks the row ``completed`` with the
response status and body, so both commit or neither does. Errors release the key (nothing stored),
so a corrected retry with the same key works (shared/reference/api-platform.md "Idempotency").

An owner that dies between the phases (the API process is killed, or the database restarts and
the release cannot run) leaves an ``in_progress`` row. It may be taken over after STALE_AFTER;
on PostgreSQL sooner: the owner holds the row locked (FOR UPDATE) for the whole of phase 2, so an
``in_progress`` row older than ORPHAN_AFTER that nobody has locked belongs to no running request.
Phase 2 ends with a compare-and-set on ``locked_at``, so an owner whose key was taken over rolls
its work back instead of adding a second effect.

The key belongs to the token's user: another user sending the same key gets a request of their own,
never the first user's response. Responses that carry a secret (a new API token, a webhook signing
secret) are stored redacted: the secret is shown once, and a replay says so instead of repeating it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, cast

from sqlalchemy import CursorResult, and_, delete, select, update

from backend.db.dialect import insert_ignore
from backend.db.ids import new_id
from backend.db.models import IdempotencyRecord
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput, Unprocessable

RETENTION = timedelta(hours=24)
# An in-progress claim older than this belongs to a request that died; it may be taken over.
STALE_AFTER = timedelta(minutes=10)
# PostgreSQL: an in-progress claim this old whose row is not locked by a phase-2 transaction is orphaned.
ORPHAN_AFTER = timedelta(seconds=2)
MAX_KEY_LENGTH = 255


@dataclass
class Outcome:
    status: int
    body: str  # JSON text, exactly as first sent
    replayed: bool


def parse_key(raw: str | None) -> str | None:
    """Accept `abc` and the structured-field form `"abc"`; refuse empty or over-long keys."""
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
                           code="invalid_idempotency_key",
                           details=[{"field": "Idempotency-Key", "code": "invalid", "message": "bad header value"}])
    return key


def fingerprint(endpoint: str, body: Any) -> str:
    canonical = body if isinstance(body, bytes) else json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                                 default=str).encode()
    return hashlib.sha256(endpoint.encode() + b"\n" + canonical).hexdigest()


def _claim(rt: Runtime, actor: Actor, endpoint: str, key: str, fp: str) -> tuple[str, datetime] | Outcome:
    """Own the key (returns the record id and the claim's ``locked_at``) or return the stored outcome."""
    now = rt.clock()
    table = IdempotencyRecord.__table__
    record_id = new_id()
    new = {"id": record_id, "tenant_id": actor.tenant_id, "user_id": actor.user_id, "created_at": now,
           "endpoint": endpoint, "key": key,
           "fingerprint": fp, "status": "in_progress", "locked_at": now, "expires_at": now + RETENTION}
    with rt.db.session(actor.tenant_id, write=True) as s:
        if insert_ignore(s, table, new, ["tenant_id", "user_id", "endpoint", "key"]):
            return record_id, now
        row = s.execute(select(table).where(table.c.tenant_id == actor.tenant_id, table.c.user_id == actor.user_id,
                                            table.c.endpoint == endpoint, table.c.key == key)).mappings().one()
        expired = row["expires_at"] <= now
        stale = row["status"] == "in_progress" and (row["locked_at"] <= now - STALE_AFTER or _orphaned(s, row, now))
        if expired or stale:
            # Take over with a compare-and-set on the row we saw, so two takers cannot both win.
            take = (update(table).where(and_(table.c.id == row["id"], table.c.locked_at == row["locked_at"]))
                    .values(fingerprint=fp, status="in_progress", locked_at=now, created_at=now,
                            expires_at=now + RETENTION, response_status=None, response_body=None))
            took = cast(CursorResult[Any], s.execute(take))  # an UPDATE: a cursor result, with rowcount
            if took.rowcount == 1:
                return row["id"], now
            raise _in_use()
        if row["fingerprint"] != fp:
            raise Unprocessable(
                "This Idempotency-Key was already used with a different request body. Use a new key for a new request.",
                code="idempotency_key_reused", details={"idempotency_key": key})
        if row["status"] == "in_progress":
            raise _in_use()
        return Outcome(row["response_status"], row["response_body"], replayed=True)


def _orphaned(s, row, now) -> bool:
    """PostgreSQL: no phase-2 transaction holds this in-progress row (its owner died)."""
    if s.get_bind().dialect.name != "postgresql" or row["locked_at"] > now - ORPHAN_AFTER:
        return False
    table = IdempotencyRecord.__table__
    return s.execute(select(table.c.id).where(table.c.id == row["id"], table.c.status == "in_progress")
                     .with_for_update(skip_locked=True)).first() is not None


def _in_use() -> Conflict:
    return Conflict("A request with this Idempotency-Key is still being processed. Retry in a moment.",
                    code="idempotency_key_in_use")


def _release(rt: Runtime, actor: Actor, record_id: str, locked_at: datetime) -> None:
    table = IdempotencyRecord.__table__
    with rt.db.session(actor.tenant_id, write=True) as s:
        s.execute(delete(table).where(table.c.id == record_id, table.c.status == "in_progress",
                                      table.c.locked_at == locked_at))


def execute(rt: Runtime, actor: Actor, *, endpoint: str, key: str, fp: str,
            run: Callable[[], tuple[int, str, str]]) -> Outcome:
    """Run ``run`` at most once per key, or replay it.

    ``run`` returns the status, the body to send now and the body to store for replays (the same
    text, or a redacted one when the response carries a secret).
    """
    claimed = _claim(rt, actor, endpoint, key, fp)
    if isinstance(claimed, Outcome):
        return claimed
    record_id, locked_at = claimed
    table = IdempotencyRecord.__table__
    mine = and_(table.c.id == record_id, table.c.status == "in_progress", table.c.locked_at == locked_at)
    try:
        with rt.db.unit_of_work(actor.tenant_id) as s:
            if rt.db.dialect == "postgresql":  # held until commit: the claim is visibly alive (see _orphaned)
                if s.execute(select(table.c.id).where(mine).with_for_update()).first() is None:
                    raise _in_use()  # taken over meanwhile: the other request does the work
            status, body, stored = run()
            done = cast(CursorResult[Any], s.execute(update(table).where(mine).values(
                status="completed", response_status=status, response_body=stored)))
            if done.rowcount != 1:
                raise _in_use()  # taken over while we ran: roll our effect back
    except BaseException:
        _release(rt, actor, record_id, locked_at)
        raise
    return Outcome(status, body, replayed=False)


def purge_expired(rt: Runtime, now) -> int:
    """Housekeeping: drop records past their 24 h retention (all tenants)."""
    table = IdempotencyRecord.__table__
    with rt.db.session(system=True, write=True) as s:
        gone = cast(CursorResult[Any], s.execute(delete(table).where(table.c.expires_at <= now)))
        return gone.rowcount
