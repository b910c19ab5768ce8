"""What every pack does after it is built: store it (locked periods), apply the narrative
overrides, emit ``disclosure.generated``, render the bytes."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.db.models import StoredPack
from backend.engine.disclosures import Window, apply_overrides, failing, to_json
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.webhooks.outbox import emit


def finish(rt: Runtime, actor: Actor, *, source: str, entity_id: str, entity_code: str, standard: str,
           window: Window, base: dict, overrides: dict, locked: bool, already_stored: bool, fmt: str):
    from backend.services.disclosures.lease import PackOut

    content = to_json(base)
    sha = hashlib.sha256(content.encode()).hexdigest()
    now = rt.clock()
    stored = already_stored
    with rt.db.session(actor.tenant_id, write=True) as s:
        if locked and not already_stored:
            try:
                with s.begin_nested():
                    row = StoredPack(source=source, entity_id=entity_id, standard=standard, period=window.label,
                                     content=content, content_sha256=sha, created_by=actor.user_id, created_at=now)
                    s.add(row)
                    s.flush()
                audit.record_change(s, actor, now=now, action="disclosures.pack_stored", resource_type="disclosure_pack",
                                    resource_id=row.id, after={"source": source, "entity": entity_code,
                                                               "standard": standard, "period": window.label,
                                                               "content_sha256": sha})
                stored = True
            except IntegrityError:  # stored by a concurrent request: serve what was stored first
                row = s.scalar(select(StoredPack).where(StoredPack.source == source, StoredPack.entity_id == entity_id,
                                                        StoredPack.standard == standard,
                                                        StoredPack.period == window.label))
                content, sha, stored = row.content, row.content_sha256, True
                import json
                base = json.loads(content)
        pack = apply_overrides(base, overrides)
        pack.update(locked=locked, stored=stored, content_sha256=sha)
        bad = failing(pack["checks"])
        emit(s, actor, tenant_id=actor.tenant_id, event_type="disclosure.generated", now=now, data={
            "source": source, "entity": entity_code, "standard": standard, "period": window.label, "format": fmt,
            "locked": locked, "stored": stored, "content_sha256": sha, "checks_ok": not bad,
            "failing_checks": [c["name"] for c in bad], "narratives_overridden": pack["narratives_overridden"]})
    return PackOut(pack, to_json(pack).encode(), stored, sha)
