"""Per-entity mapping of engine account codes (and dimensions) to the ERP's chart of accounts."""
from __future__ import annotations

import re

from sqlalchemy import select

from backend.db.models import AccountMapping, Entity, JournalEntry, JournalLine
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput
from backend.services.platform.persist import flush_unique
from backend.services.platform.tenancy import get_entity_by_code

CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,59}$")  # engine codes: ROU_ASSET, LEASE_LIABILITY_CURRENT, …
DIM = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}$")


def _check(accounts: dict[str, str], dimensions: dict[str, str]) -> None:
    errors = []
    for code, gl in accounts.items():
        if not CODE.match(code):
            errors.append({"field": f"accounts.{code}", "code": "invalid_account_code",
                           "message": "engine codes are UPPER_SNAKE_CASE"})
        if not isinstance(gl, str) or not gl.strip() or len(gl) > 60:
            errors.append({"field": f"accounts.{code}", "code": "invalid_gl_account",
                           "message": "a GL account is a non-empty string of at most 60 characters"})
    for dim, name in dimensions.items():
        if not DIM.match(dim) or not isinstance(name, str) or not DIM.match(name):
            errors.append({"field": f"dimensions.{dim}", "code": "invalid_dimension",
                           "message": "dimension names are letters, digits and _ (at most 60)"})
    if errors:
        raise InvalidInput("The account mapping has invalid entries.", details=errors)


def used_accounts(s, tenant_id: str, entity_id: str) -> list[str]:
    L, E = JournalLine, JournalEntry
    return sorted(s.scalars(select(L.account).distinct().join(E, E.id == L.entry_id)
                            .where(E.tenant_id == tenant_id, E.entity_id == entity_id)))


def _view(s, actor: Actor, entity: Entity, row: AccountMapping | None) -> dict:
    accounts = dict(row.accounts) if row else {}
    return {"entity": entity.code, "accounts": accounts, "dimensions": dict(row.dimensions) if row else {},
            "version": row.version if row else 0, "updated_by": row.updated_by if row else None,
            "updated_at": row.updated_at if row else None,
            "unmapped": [a for a in used_accounts(s, actor.tenant_id, entity.id) if a not in accounts]}


def mapping_for(s, entity_id: str) -> AccountMapping | None:
    return s.scalar(select(AccountMapping).where(AccountMapping.entity_id == entity_id))


def get_mapping(rt: Runtime, actor: Actor, entity_code: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        return _view(s, actor, entity, mapping_for(s, entity.id))


def put_mapping(rt: Runtime, actor: Actor, entity_code: str, accounts: dict[str, str], dimensions: dict[str, str],
                version: int | None) -> dict:
    """Replace the entity's mapping. ``version`` (the one read) makes a stale editor get 409."""
    _check(accounts, dimensions)
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        # FOR UPDATE on PostgreSQL so two editors of one version cannot both win (SQLite: BEGIN IMMEDIATE).
        row = s.scalar(select(AccountMapping).where(AccountMapping.entity_id == entity.id).with_for_update())
        current = row.version if row else 0
        if version is not None and version != current:
            raise Conflict(f"The mapping is at version {current}, you sent {version}; reload it.",
                           code="version_conflict", details={"current_version": current})
        before = _view(s, actor, entity, row) if row else None
        if row is None:
            row = AccountMapping(entity_id=entity.id, version=0)
            s.add(row)
        row.accounts, row.dimensions = {k: v.strip() for k, v in accounts.items()}, dict(dimensions)
        row.version, row.updated_by, row.updated_at = current + 1, actor.user_id, now
        flush_unique(s, None, Conflict("The mapping was created concurrently; reload it.", code="version_conflict"))
        after = _view(s, actor, entity, row)
        audit.record_change(s, actor, now=now, action="account_mapping.update", resource_type="account_mapping",
                            resource_id=entity.code, before=before, after=after)
        return after
