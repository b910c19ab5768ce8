"""Accounts, tenants, entities; the demo bootstrap and the sandbox reset."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from backend.auth.roles import Role
from backend.db.base import Base
from backend.db.models import Account, ApiToken, Entity, IdempotencyRecord, Tenant, User
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.services.platform.identity import issue_token
from backend.workbooks.entity_resolution import EntityRecord, EntityResolver
from backend.services.platform.persist import flush_unique
from backend.services.platform.pagination import Page, SortSpec, paginate

STANDARDS = ("IFRS16", "ASC842", "IFRS15", "ASC606")
# What survives a sandbox reset: people and their tokens (users belong to the account, not the tenant),
# the entities and their configuration. Everything else a tenant owns is transactional and is removed:
# leases, runs, journals, closes, jobs, period locks, webhook events and deliveries, idempotency records
# (but the reset's own, which stores this response), and whatever tables later sources add.
KEPT_ON_RESET = {ApiToken.__tablename__, Entity.__tablename__, "lease_policy_versions", "ibr_rates", "fx_rates",
                 "account_mappings", "webhook_endpoints", "revenue_policy_snapshots", "revenue_ssp_rows"}
RESET_ENDPOINT = "POST /v1/sandbox/reset"
# The audit trail is append-only in every tenant, sandbox included.
NEVER_RESET = {"audit_events", "audit_chain_heads"}


@dataclass
class Bootstrap:
    account_id: str
    sandbox_tenant_id: str
    production_tenant_id: str
    owner_email: str
    token: str


def create_account(rt: Runtime, *, name: str, owner_name: str, owner_email: str, entity: dict | None = None) -> Bootstrap:
    """A new account with its sandbox and production tenants, an OWNER, and a sandbox token."""
    with rt.db.session(system=True, write=True) as s:
        acct = Account(name=name)
        s.add(acct)
        s.flush()
        sandbox = Tenant(account_id=acct.id, kind="sandbox", name=f"{name} (sandbox)", plan=rt.settings.default_plan)
        prod = Tenant(account_id=acct.id, kind="production", name=name, plan=rt.settings.default_plan)
        owner = User(account_id=acct.id, name=owner_name, email=owner_email.lower(), role=Role.OWNER.value,
                     actor_kind="human", active=True)
        s.add_all([sandbox, prod, owner])
        s.flush()
        if entity:
            for tenant in (sandbox, prod):
                s.add(Entity(tenant_id=tenant.id, **entity))
        _tok, secret = issue_token(rt, s, tenant=sandbox, user=owner, name="bootstrap", created_by=None)
        for tenant in (sandbox, prod):
            audit.append(s, now=rt.clock(), tenant_id=tenant.id, kind="change", outcome="success",
                         action="account.create", resource_type="tenant", resource_id=tenant.id,
                         actor_user_id=owner.id, actor_kind="human", details={"channel": "cli"})
        return Bootstrap(acct.id, sandbox.id, prod.id, owner.email, secret)


def is_empty(rt: Runtime) -> bool:
    with rt.db.session(system=True) as s:
        return not s.scalar(select(func.count()).select_from(Account))


DEMO_ENTITY = {"code": "DEMO-US", "name": "Demo Holdings Inc.", "functional_currency": "USD",
               "enabled_standards": ["IFRS16", "ASC842", "IFRS15", "ASC606"], "fiscal_year_end": "12-31"}


# The entities the lease template's example rows name, so the template uploads as-is in the demo sandbox.
TEMPLATE_ENTITIES = (("UK01", "Demo UK Ltd", "GBP"), ("US01", "Demo US LLC", "USD"), ("DE01", "Demo GmbH", "EUR"))


def bootstrap_demo(rt: Runtime) -> Bootstrap | None:
    """On an empty database: the demo account, its two tenants, entity DEMO-US (plus, in the sandbox,
    the entities of the template's examples), and a sandbox OWNER token."""
    if not is_empty(rt):
        return None
    boot = create_account(rt, name="Demo Account", owner_name="Demo Owner", owner_email="owner@demo.example",
                          entity=DEMO_ENTITY)
    with rt.db.session(boot.sandbox_tenant_id, write=True) as s:
        for code, name, ccy in TEMPLATE_ENTITIES:
            s.add(Entity(code=code, name=name, functional_currency=ccy, enabled_standards=["IFRS16", "ASC842"],
                         fiscal_year_end="12-31"))
    for tenant_id in (boot.sandbox_tenant_id, boot.production_tenant_id):
        _demo_mappings(rt, tenant_id)
    return boot


def _demo_mappings(rt: Runtime, tenant_id: str) -> None:
    """Every demo entity ships with a mapping of every engine code to the demo chart of accounts, so the
    first export works; replace it with your chart (PUT /v1/entities/{code}/account-mapping)."""
    from backend.db.models import AccountMapping
    from backend.services.ledger.account_codes import DEMO_DIMENSIONS, demo_chart

    with rt.db.session(tenant_id, write=True) as s:
        for entity in s.scalars(select(Entity)):
            s.add(AccountMapping(entity_id=entity.id, accounts=demo_chart(), dimensions=dict(DEMO_DIMENSIONS),
                                 version=1, updated_by=None, updated_at=rt.clock()))


# ---------------------------------------------------------------- entities

def entity_view(e: Entity) -> dict:
    return {"id": e.id, "code": e.code, "name": e.name, "functional_currency": e.functional_currency,
            "enabled_standards": list(e.enabled_standards), "fiscal_year_end": e.fiscal_year_end,
            "aliases": list(e.aliases or []), "created_at": e.created_at}


MAX_ALIASES, MAX_ALIAS_LENGTH = 50, 200  # the API schema's limits, enforced here for every door


def check_entity_fields(data: dict) -> None:
    errors = []
    bad = [x for x in data.get("enabled_standards") or [] if x not in STANDARDS]
    if bad:
        errors.append({"field": "enabled_standards", "code": "unknown_standard",
                       "message": f"unknown standard(s) {', '.join(bad)}; use {', '.join(STANDARDS)}"})
    aliases = data.get("aliases") or []
    if len(aliases) > MAX_ALIASES:
        errors.append({"field": "aliases", "code": "too_many", "message": f"at most {MAX_ALIASES} aliases"})
    if any(not isinstance(a, str) or not a.strip() or len(a) > MAX_ALIAS_LENGTH for a in aliases):
        errors.append({"field": "aliases", "code": "invalid_alias",
                       "message": f"each alias is a name of 1 to {MAX_ALIAS_LENGTH} characters"})
    elif len({" ".join(a.casefold().split()) for a in aliases}) != len(aliases):
        errors.append({"field": "aliases", "code": "duplicate", "message": "the same alias is listed twice"})
    if errors:
        raise InvalidInput("The entity has invalid fields.", details=errors)


def _check_aliases_unclaimed(s, code: str, aliases: list[str]) -> None:
    """An alias that already names another entity (its code, name or alias, compared the way a
    register's Entity cell is) would make rows ambiguous: refuse it, naming the other entity."""
    others = EntityResolver(EntityRecord(e.code, e.name, tuple(e.aliases or ()))
                            for e in s.scalars(select(Entity).where(Entity.code != code)))
    taken = [{"field": "aliases", "code": "alias_in_use", "message": f"{a!r} already names {', '.join(hit)}"}
             for a in aliases if (hit := others.resolve(a))]
    if taken:
        raise Conflict("An alias already names another entity; register rows would be ambiguous.",
                       code="alias_in_use", details=taken)


def create_entity(rt: Runtime, actor: Actor, data: dict) -> dict:
    check_entity_fields(data)
    with rt.db.session(actor.tenant_id, write=True) as s:
        _check_aliases_unclaimed(s, data["code"], data.get("aliases") or [])
        ent = Entity(**data)
        flush_unique(s, ent, Conflict(f"Entity {data['code']} already exists.", code="entity_exists",
                                      details=[{"field": "code", "code": "duplicate", "message": "already used"}]))
        audit.record_change(s, actor, now=rt.clock(), action="entities.create", resource_type="entity",
                            resource_id=ent.id, after=entity_view(ent))
        return entity_view(ent)


def get_entity_by_code(s, code: str) -> Entity:
    ent = s.scalar(select(Entity).where(Entity.code == code))
    if ent is None:
        raise NotFound(f"No entity with code {code}.", code="entity_not_found")
    return ent


def get_entity(rt: Runtime, actor: Actor, code: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        return entity_view(get_entity_by_code(s, code))


def update_entity(rt: Runtime, actor: Actor, code: str, changes: dict) -> dict:
    check_entity_fields(changes)
    with rt.db.session(actor.tenant_id, write=True) as s:
        ent = get_entity_by_code(s, code)
        if changes.get("aliases") is not None:
            _check_aliases_unclaimed(s, code, changes["aliases"])
        before = entity_view(ent)
        for k, v in changes.items():
            if v is not None:
                setattr(ent, k, v)
        s.flush()
        audit.record_change(s, actor, now=rt.clock(), action="entities.update", resource_type="entity",
                            resource_id=ent.id, before=before, after=entity_view(ent))
        return entity_view(ent)


def list_entities(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "code"])
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, select(Entity), Entity, secret_key=rt.secret_key, sort=spec, limit=limit,
                        cursor=cursor, filters={}, view=entity_view)


# ---------------------------------------------------------------- sandbox

def reset_sandbox(rt: Runtime, actor: Actor) -> dict:
    """Delete the sandbox tenant's transactional data; keep users, tokens, entities and their configuration
    (never another tenant's data, never the audit trail)."""
    if actor.tenant_kind != "sandbox":
        raise Forbidden("Reset is only possible in a sandbox tenant; this token belongs to production.",
                        code="not_sandbox")
    removed: dict[str, int] = {}
    with rt.db.session(actor.tenant_id, write=True) as s:
        for table in reversed(Base.metadata.sorted_tables):  # children before parents
            if table.name in KEPT_ON_RESET or table.name in NEVER_RESET or "tenant_id" not in table.c:
                continue
            stmt = delete(table).where(table.c.tenant_id == actor.tenant_id)
            if table.name == IdempotencyRecord.__tablename__:
                stmt = stmt.where(table.c.endpoint != RESET_ENDPOINT)
            result = cast(CursorResult[Any], s.execute(stmt))  # a DELETE: a cursor result
            removed[table.name] = result.rowcount
        audit.record_change(s, actor, now=rt.clock(), action="sandbox.reset", resource_type="tenant",
                            resource_id=actor.tenant_id, after={"removed": removed})
    kept = ["users", *sorted(KEPT_ON_RESET), *sorted(NEVER_RESET)]
    return {"tenant_id": actor.tenant_id, "removed": removed, "kept": kept}


