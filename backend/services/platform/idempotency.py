"""Idempotency-Key handling: claim, replay, and storing the response with the domain writes.

Phase 1 (own short transaction): INSERT … ON CONFLICT DO NOTHING of an ``in_progress`` row for
(tenant, user, endpoint, key) — the UNIQUE constraint decides who owns the key, never a read-then-write.
Phase 2: the domain work runs in a unit of work that also marks the row ``completed`` with the
response status and body, so both commit or neither does. Errors release the key (nothing stored),
so a corrected retry with the same key works (shared/reference/api-platform.md "Idempotency").

The key belongs to the token's user: another user sending the same key gets a request of their own,
never the first user's response. Responses that carry a secret (a new API token, a webhook signing
secret) are stored redacted: the secret is shown once, and a replay says so instead of repeating it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
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


def _claim(rt: Runtime, actor: Actor, endpoint: str, key: str, fp: str) -> str | Outcome:
    """Own the key (returns the record id) or return the stored outcome to replay."""
    now = rt.clock()
    table = IdempotencyRecord.__table__
    record_id = new_id()
    new = {"id": record_id, "tenant_id": actor.tenant_id, "user_id": actor.user_id, "created_at": now,
           "endpoint": endpoint, "key": key,
           "fingerprint": fp, "status": "in_progress", "locked_at": now, "expires_at": now + RETENTION}
    with rt.db.session(actor.tenant_id, write=True) as s:
        if insert_ignore(s, table, new, ["tenant_id", "user_id", "endpoint", "key"]):
            return record_id
        row = s.execute(select(table).where(table.c.tenant_id == actor.tenant_id, table.c.user_id == actor.user_id,
                                            table.c.endpoint == endpoint, table.c.key == key)).mappings().one()
        expired = row["expires_at"] <= now
        stale = row["status"] == "in_progress" and row["locked_at"] <= now - STALE_AFTER
        if expired or stale:
            # Take over with a compare-and-set on the row we saw, so two takers cannot both win.
            take = (update(table).where(and_(table.c.id == row["id"], table.c.locked_at == row["locked_at"]))
                    .values(fingerprint=fp, status="in_progress", locked_at=now, created_at=now,
                            expires_at=now + RETENTION, response_status=None, response_body=None))
            took = cast(CursorResult[Any], s.execute(take))  # an UPDATE: a cursor result, with rowcount
            if took.rowcount == 1:
                return row["id"]
            raise _in_use()
        if row["fingerprint"] != fp:
            raise Unprocessable(
                "This Idempotency-Key was already used with a different request body. Use a new key for a new request.",
                code="idempotency_key_reused", details={"idempotency_key": key})
        if row["status"] == "in_progress":
            raise _in_use()
        return Outcome(row["response_status"], row["response_body"], replayed=True)


def _in_use() -> Conflict:
    return Conflict("A request with this Idempotency-Key is still being processed. Retry in a moment.",
                    code="idempotency_key_in_use")


def _release(rt: Runtime, actor: Actor, record_id: str) -> None:
    table = IdempotencyRecord.__table__
    with rt.db.session(actor.tenant_id, write=True) as s:
        s.execute(delete(table).where(table.c.id == record_id, table.c.status == "in_progress"))


def execute(rt: Runtime, actor: Actor, *, endpoint: str, key: str, fp: str,
            run: Callable[[], tuple[int, str, str]]) -> Outcome:
    """Run ``run`` at most once per key, or replay it.

    ``run`` returns the status, the body to send now and the body to store for replays (the same
    text, or a redacted one when the response carries a secret).
    """
    claimed = _claim(rt, actor, endpoint, key, fp)
    if isinstance(claimed, Outcome):
        return claimed
    table = IdempotencyRecord.__table__
    try:
        with rt.db.unit_of_work(actor.tenant_id) as s:
            status, body, stored = run()
            s.execute(update(table).where(table.c.id == claimed)
                      .values(status="completed", response_status=status, response_body=stored))
    except BaseException:
        _release(rt, actor, claimed)
        raise
    return Outcome(status, body, replayed=False)


def purge_expired(rt: Runtime, now) -> int:
    """Housekeeping: drop records past their 24 h retention (all tenants)."""
    table = IdempotencyRecord.__table__
    with rt.db.session(system=True, write=True) as s:
        gone = cast(CursorResult[Any], s.execute(delete(table).where(table.c.expires_at <= now)))
        return gone.rowcount
