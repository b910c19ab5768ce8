"""What every pack does around its builder, lease or revenue: resolve the entity and the window,
serve the stored pack of a locked window (or build it, and store it), apply the narrative
overrides, emit ``disclosure.generated``, render the bytes."""
from __future__ import annotations

import hashlib
import json

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend.db.models import Entity, PeriodLock, StoredPack
from backend.engine.disclosures import Window, apply_overrides, failing, to_json
from backend.engine.disclosures.common import period_of_index
from backend.engine.routing import ALL
from backend.services.disclosures import overrides as ov
from backend.services.ledger.locks import load_locks
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.tenancy import get_entity_by_code
from backend.webhooks.outbox import emit


@dataclass
class PackOut:
    pack: dict  # overrides applied
    body: bytes  # byte-stable JSON of ``pack``
    stored: bool
    content_sha256: str


def window_locked(s, entity: Entity, standard: str, w: Window) -> bool:
    locks = load_locks(s, entity.id)
    return all(locks.is_locked(standard, period_of_index(k)) for k in range(w.start_index, w.end_index + 1))


def lock_fingerprint(s, entity: Entity, standards: tuple[str, ...], w: Window) -> str:
    """When the window's locks were last set: a stored pack is served only under the locks it was
    built under (unlocking, changing and locking again builds and stores a new one)."""
    last = s.scalar(select(func.max(PeriodLock.changed_at)).where(
        PeriodLock.entity_id == entity.id, PeriodLock.standard.in_((*standards, ALL)),
        PeriodLock.period >= w.first, PeriodLock.period <= w.last))
    return last.isoformat() if last else ""


def serve_pack(rt: Runtime, actor: Actor, *, source: str, entity: str, period: str, key: str,
               books: tuple[str, ...], build: Callable[[Any, Entity, Window], dict], fmt: str) -> PackOut:
    """The pack of ``source`` (lease | revenue) keyed ``key`` (a standard, or COMBINED) over ``books``:
    when every month of the window is locked in every book, the stored pack built under the current
    locks is served as stored; otherwise ``build(session, entity, window)`` makes it (and a locked
    window's pack is stored)."""
    ov.check_standard(source, key)
    with rt.db.session(actor.tenant_id) as s:
        ent = get_entity_by_code(s, entity)
        w = ov.window_for(ent, period)
        locked = all(window_locked(s, ent, std, w) for std in books)
        fingerprint = lock_fingerprint(s, ent, books, w) if locked else None
        stored = s.scalar(select(StoredPack).where(StoredPack.source == source, StoredPack.entity_id == ent.id,
                                                   StoredPack.standard == key, StoredPack.period == w.label)) \
            if locked else None
        base = json.loads(stored.content) if stored is not None else None
        if base is not None and base.get("locks_as_of") != fingerprint:
            base = None  # locked again since it was stored: build it anew and store that
        if base is None:
            base = build(s, ent, w)
            if locked:
                base["locks_as_of"] = fingerprint
        overrides = ov.current(s, source, ent.id, key, w.label, ent.code)
        entity_id, entity_code = ent.id, ent.code
    return finish(rt, actor, source=source, entity_id=entity_id, entity_code=entity_code, standard=key,
                  window=w, base=base, overrides=overrides, locked=locked,
                  already_stored=stored is not None and stored.content_sha256 == sha(base), fmt=fmt,
                  replace_id=stored.id if stored is not None else None)


def sha(base: dict) -> str:
    return hashlib.sha256(to_json(base).encode()).hexdigest()


def finish(rt: Runtime, actor: Actor, *, source: str, entity_id: str, entity_code: str, standard: str,
           window: Window, base: dict, overrides: dict, locked: bool, already_stored: bool, fmt: str,
           replace_id: str | None = None):
    """``already_stored``: ``base`` is the stored pack; ``replace_id``: a stored pack built under
    earlier locks, replaced by ``base`` (the period was unlocked and locked again since)."""
    content = to_json(base)
    digest = hashlib.sha256(content.encode()).hexdigest()
    now = rt.clock()
    stored = already_stored
    with rt.db.session(actor.tenant_id, write=True) as s:
        if locked and not already_stored:
            old = s.get(StoredPack, replace_id) if replace_id else None
            if old is not None:
                before = {"content_sha256": old.content_sha256}
                old.content, old.content_sha256, old.created_by, old.created_at = content, digest, actor.user_id, now
                audit.record_change(s, actor, now=now, action="disclosures.pack_stored",
                                    resource_type="disclosure_pack", resource_id=old.id, before=before,
                                    after={"source": source, "entity": entity_code, "standard": standard,
                                           "period": window.label, "content_sha256": digest})
                stored = True
            else:
                try:
                    with s.begin_nested():
                        row = StoredPack(source=source, entity_id=entity_id, standard=standard,
                                         period=window.label, content=content, content_sha256=digest,
                                         created_by=actor.user_id, created_at=now)
                        s.add(row)
                        s.flush()
                    audit.record_change(s, actor, now=now, action="disclosures.pack_stored",
                                        resource_type="disclosure_pack", resource_id=row.id,
                                        after={"source": source, "entity": entity_code, "standard": standard,
                                               "period": window.label, "content_sha256": digest})
                    stored = True
                except IntegrityError:  # stored by a concurrent request: serve what was stored first
                    found = s.scalar(select(StoredPack).where(
                        StoredPack.source == source, StoredPack.entity_id == entity_id,
                        StoredPack.standard == standard, StoredPack.period == window.label))
                    assert found is not None  # the concurrent request's row: the unique key that refused ours
                    row = found
                    content, digest, stored = row.content, row.content_sha256, True
                    base = json.loads(content)
        pack = apply_overrides(base, overrides)
        pack.update(locked=locked, stored=stored, content_sha256=digest)
        bad = failing(pack["checks"])
        emit(s, actor, tenant_id=actor.tenant_id, event_type="disclosure.generated", now=now, data={
            "source": source, "entity": entity_code, "standard": standard, "period": window.label, "format": fmt,
            "locked": locked, "stored": stored, "content_sha256": digest, "checks_ok": not bad,
            "failing_checks": [c["name"] for c in bad], "narratives_overridden": pack["narratives_overridden"]})
    return PackOut(pack, to_json(pack).encode(), stored, digest)
