"""Authentication, users and API tokens."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import bindparam, select

from backend.auth import tokens as token_format
from backend.auth.roles import RANK, ActorKind, Role
from backend.db.models import ApiToken, Tenant, User
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from backend.services.platform.persist import flush_unique
from backend.services.platform.pagination import Page, SortSpec, paginate

BEARER_HELP = "Send your API token in the header 'Authorization: Bearer ll_…'."


def authenticate(rt: Runtime, authorization: str | None, *, request_id: str | None = None, channel: str = "rest") -> Actor:
    """Resolve a bearer token to an Actor, or raise Unauthenticated with a plain reason."""
    if not authorization:
        raise Unauthenticated(f"No API token was sent. {BEARER_HELP}", code="missing_token")
    scheme, _, raw = authorization.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise Unauthenticated(f"The Authorization header is not a bearer token. {BEARER_HELP}", code="invalid_token")
    claimed_kind = token_format.tenant_kind_of(raw)
    if claimed_kind is None:
        raise Unauthenticated("The API token is not valid (mistyped or incomplete).", code="invalid_token")
    digest = token_format.hash_token(raw, rt.secret_key)
    row = _TOKEN_LOOKUP.lookup(rt, digest)
    if row is None:
        raise Unauthenticated("The API token is not valid.", code="invalid_token")
    if row.revoked_at is not None:
        raise _known(row, Unauthenticated("This API token was revoked. Ask an administrator for a new one.",
                                          code="token_revoked"))
    if not row.active:
        raise _known(row, Unauthenticated("The user of this API token is deactivated.", code="user_deactivated"))
    if row.kind != claimed_kind:
        raise Unauthenticated("The API token does not match its tenant.", code="invalid_token")
    # A token's kind is fixed when minted; a user later made an agent also makes its tokens agents.
    kind = ActorKind.AGENT.value if ActorKind.AGENT.value in (row.token_actor_kind, row.actor_kind) \
        else ActorKind.HUMAN.value
    return Actor(
        tenant_id=row.tenant_id, tenant_kind=row.kind, account_id=row.account_id, user_id=row.user_id,
        role=row.role, actor_kind=kind, token_id=row.token_id, plan=row.plan,
        rate_limit_per_minute=row.rate_limit_per_minute, request_id=request_id, channel=channel,
    )


def _known(row, exc: Unauthenticated) -> Unauthenticated:
    # The token names its tenant and user: the refusal belongs in that tenant's audit chain.
    exc.tenant_id, exc.user_id, exc.token_id = row.tenant_id, row.user_id, row.token_id
    return exc


class _TokenLookup:
    """The per-request token lookup as one Core statement on a bare connection.

    It runs on every authenticated request, so it skips ORM entity loading and runs outside a
    transaction (one statement needs none; on PostgreSQL that saves the BEGIN and ROLLBACK round
    trips); it is never cached, so a revocation takes effect on the very next request in every
    process.
    """

    def __init__(self):
        t, u, ten = ApiToken.__table__, User.__table__, Tenant.__table__
        self.stmt = (
            select(t.c.id.label("token_id"), t.c.revoked_at, t.c.tenant_id, t.c.actor_kind.label("token_actor_kind"),
                   u.c.id.label("user_id"), u.c.role,
                   u.c.actor_kind, u.c.active, ten.c.kind, ten.c.account_id, ten.c.plan, ten.c.rate_limit_per_minute)
            .select_from(t.join(u, u.c.id == t.c.user_id).join(ten, ten.c.id == t.c.tenant_id))
            .where(t.c.token_hash == bindparam("digest"))
        )

    def lookup(self, rt: Runtime, digest: str):
        with rt.db.autocommit_engine.connect() as conn:
            return conn.execute(self.stmt, {"digest": digest}).first()


_TOKEN_LOOKUP = _TokenLookup()


# ---------------------------------------------------------------- users

def user_view(u: User) -> dict:
    return {"id": u.id, "name": u.name, "email": u.email, "role": u.role, "actor_kind": u.actor_kind,
            "active": u.active, "created_at": u.created_at, "deactivated_at": u.deactivated_at}


def _check_role_grant(actor: Actor, role: str) -> None:
    # Nobody hands out more power than they hold.
    if RANK[Role(role)] > RANK[Role(actor.role)]:
        raise Forbidden(f"A {actor.role} cannot grant the {role} role.", code="role_escalation")


def create_user(rt: Runtime, actor: Actor, *, name: str, email: str, role: str, actor_kind: str = "human") -> dict:
    _check_role_grant(actor, role)
    with rt.db.session(actor.tenant_id, write=True) as s:
        user = User(account_id=actor.account_id, name=name, email=email.lower(), role=role,
                    actor_kind=ActorKind(actor_kind).value, active=True)
        flush_unique(s, user, Conflict(f"A user with email {email} already exists.", code="user_exists",
                                       details=[{"field": "email", "code": "duplicate", "message": "already used"}]))
        _audit_everywhere(s, actor, rt.clock(), action="users.create", resource_type="user",
                          resource_id=user.id, after=user_view(user))
        return user_view(user)


def _get_user(s, actor: Actor, user_id: str) -> User:
    user = s.get(User, user_id)
    if user is None or user.account_id != actor.account_id:
        raise NotFound(f"No user {user_id}.", code="user_not_found")
    return user


def get_user(rt: Runtime, actor: Actor, user_id: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        return user_view(_get_user(s, actor, user_id))


def list_users(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
               role: str | None = None, active: bool | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "email", "name"])
    stmt = select(User).where(User.account_id == actor.account_id)
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active == active)
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, stmt, User, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"role": role, "active": active}, view=user_view)


def _audit_everywhere(s, actor: Actor, now, **change) -> None:
    """Users are account-wide: a change to one is written to the chain of every tenant of the account."""
    audit.record_change(s, actor, now=now, **change)
    others = s.connection().execute(select(Tenant.__table__.c.id).where(
        Tenant.__table__.c.account_id == actor.account_id, Tenant.__table__.c.id != actor.tenant_id)).scalars()
    for tenant_id in others:
        audit.record_change(s, replace(actor, tenant_id=tenant_id), now=now, **change)


def update_user(rt: Runtime, actor: Actor, user_id: str, changes: dict) -> dict:
    now = rt.clock()
    if actor.tenant_kind != "production":
        # A user (role, activation, actor kind) is the same in both tenants: changing one changes
        # production, so a sandbox token may not do it.
        raise Forbidden("Users are shared by the sandbox and production tenants, so changing one needs a "
                        "production token (ll_live_…).", code="production_token_required")
    with rt.db.session(actor.tenant_id, write=True) as s:
        user = _get_user(s, actor, user_id)
        if user.role == Role.OWNER and actor.role != Role.OWNER:
            raise Forbidden("Only an OWNER can change an OWNER.", code="owner_protected")
        if RANK[Role(user.role)] > RANK[Role(actor.role)]:
            raise Forbidden(f"A {actor.role} cannot change a {user.role}.", code="role_escalation")
        before = user_view(user)
        own = user.id == actor.user_id
        if changes.get("role") is not None and changes["role"] != user.role:
            if own:
                raise Forbidden("You cannot change your own role.", code="self_role_change")
            _check_role_grant(actor, changes["role"])
            user.role = changes["role"]
        if changes.get("actor_kind") is not None and changes["actor_kind"] != user.actor_kind:
            if own:
                raise Forbidden("You cannot change your own actor kind.", code="self_actor_kind_change")
            if actor.role != Role.OWNER or actor.actor_kind != ActorKind.HUMAN:
                raise Forbidden("Only a human OWNER can change whether a user is a person or an agent.",
                                code="actor_kind_change_forbidden")
            user.actor_kind = ActorKind(changes["actor_kind"]).value
        for field in ("name", "email"):
            if changes.get(field) is not None:
                setattr(user, field, changes[field].lower() if field == "email" else changes[field])
        if changes.get("active") is False and user.active:
            if own:
                raise Forbidden("You cannot deactivate yourself.", code="self_deactivation")
            user.active = False
            user.deactivated_at = now
            _revoke_all_tenants(s, user.id, now)
        elif changes.get("active") is True and not user.active:
            user.active, user.deactivated_at = True, None
        flush_unique(s, None, Conflict("Another user already has that email.", code="user_exists"))
        _audit_everywhere(s, actor, now, action="users.update", resource_type="user", resource_id=user.id,
                          before=before, after=user_view(user))
        return user_view(user)


def _revoke_all_tenants(s, user_id: str, now) -> None:
    # Deactivation revokes the user's tokens in every tenant of the account, so this bypasses
    # the per-tenant ORM scoping on purpose (Core statement on the connection).
    table = ApiToken.__table__
    s.connection().execute(
        table.update().where(table.c.user_id == user_id, table.c.revoked_at.is_(None)).values(revoked_at=now)
    )


# ---------------------------------------------------------------- tokens

def token_view(t: ApiToken) -> dict:
    return {"id": t.id, "name": t.name, "user_id": t.user_id, "prefix": t.display_prefix, "actor_kind": t.actor_kind,
            "created_at": t.created_at, "revoked_at": t.revoked_at, "active": t.revoked_at is None}


def issue_token(rt: Runtime, s, *, tenant: Tenant, user: User, name: str, created_by: str | None) -> tuple[ApiToken, str]:
    """Mint a token inside the caller's unit of work; the secret is returned once, never stored."""
    secret = token_format.generate(tenant.kind)
    tok = ApiToken(tenant_id=tenant.id, user_id=user.id, name=name, display_prefix=token_format.display_prefix(secret),
                   token_hash=token_format.hash_token(secret, rt.secret_key), created_by_user_id=created_by,
                   actor_kind=user.actor_kind)
    s.add(tok)
    s.flush()
    return tok, secret


def check_mint(actor: Actor, target: User) -> None:
    """Who may mint a token for whom: anyone for themselves; for another user only a human OWNER,
    and never for a user whose role is above the caller's (a token must not lend more power)."""
    if target.id == actor.user_id:
        return
    if actor.role != Role.OWNER or actor.actor_kind != ActorKind.HUMAN:
        raise Forbidden("Only a human OWNER can create tokens for another user; everyone else creates their own.",
                        code="token_for_other_user_forbidden")
    if RANK[Role(target.role)] > RANK[Role(actor.role)]:
        raise Forbidden(f"A {actor.role} cannot create a token for a {target.role}.", code="role_escalation")


def create_token(rt: Runtime, actor: Actor, *, name: str, user_id: str | None = None) -> dict:
    target_id = user_id or actor.user_id
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        user = _get_user(s, actor, target_id)
        check_mint(actor, user)
        if not user.active:
            raise Conflict("That user is deactivated.", code="user_deactivated")
        tenant = s.get_one(Tenant, actor.tenant_id)  # the caller's own tenant
        tok, secret = issue_token(rt, s, tenant=tenant, user=user, name=name, created_by=actor.user_id)
        audit.record_change(s, actor, now=now, action="tokens.create", resource_type="api_token",
                            resource_id=tok.id, after=token_view(tok))
        if user.id != actor.user_id:
            # Audited on both sides: the minting (above) and, on the target user, who got a token from whom.
            audit.record_change(s, actor, now=now, action="tokens.minted_for_user", resource_type="user",
                                resource_id=user.id, after={"token_id": tok.id, "minted_by": actor.user_id})
        return {**token_view(tok), "token": secret}


def list_tokens(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
                user_id: str | None = None, active: bool | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at", "name"])
    stmt = select(ApiToken)
    if RANK[Role(actor.role)] < RANK[Role.ADMIN]:
        user_id = actor.user_id  # non-admins see their own tokens only
    if user_id:
        stmt = stmt.where(ApiToken.user_id == user_id)
    if active is not None:
        stmt = stmt.where(ApiToken.revoked_at.is_(None) if active else ApiToken.revoked_at.is_not(None))
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, stmt, ApiToken, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"user_id": user_id, "active": active}, view=token_view)


def revoke_token(rt: Runtime, actor: Actor, token_id: str) -> dict:
    with rt.db.session(actor.tenant_id, write=True) as s:
        tok = s.get(ApiToken, token_id)
        # s.get bypasses loader criteria for identity-map hits, so check the tenant explicitly too.
        if tok is None or tok.tenant_id != actor.tenant_id:
            raise NotFound(f"No token {token_id}.", code="token_not_found")
        if tok.user_id != actor.user_id and RANK[Role(actor.role)] < RANK[Role.ADMIN]:
            raise Forbidden("Only an OWNER or ADMIN can revoke another user's token.", code="forbidden")
        if tok.revoked_at is None:
            tok.revoked_at = rt.clock()
            audit.record_change(s, actor, now=rt.clock(), action="tokens.revoke", resource_type="api_token",
                                resource_id=tok.id, after=token_view(tok))
        return token_view(tok)


def validate_role(role: str) -> str:
    try:
        return Role(role).value
    except ValueError:
        raise InvalidInput("role must be OWNER, ADMIN, APPROVER, PREPARER or REVIEWER", code="invalid_role") from None
