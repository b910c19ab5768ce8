"""What every pack does after it is built: store it (locked periods), apply the narrative
overrides, emit ``disclosure.generated``, render the bytes."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.db.models import StoredPack
from backend.engine.disclosures import Window, apply_overrides, failing, to_json
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.webhooks.outbox import emit


def sha(base: dict) -> str:
    return hashlib.sha256(to_json(base).encode()).hexdigest()


def finish(rt: Runtime, actor: Actor, *, source: str, entity_id: str, entity_code: str, standard: str,
           window: Window, base: dict, overrides: dict, locked: bool, already_stored: bool, fmt: str,
           replace_id: str | None = None):
    """``already_stored``: ``base`` is the stored pack; ``replace_id``: a stored pack built under
    earlier locks, replaced by ``base`` (the period was unlocked and locked again since)."""
    from backend.services.disclosures.lease import PackOut

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
