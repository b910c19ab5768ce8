"""Dashboard sessions: sign in (throttled, audited), the signed-in person as an Actor, tenant
switch, sign out, and one-time password links (reset from the CLI, invitations from the dashboard).

A session is a random secret the browser holds (in a signed cookie, see ``backend.dashboard``);
only its HMAC is stored, so a database dump signs nobody in. It is created server-side at
sign-in and never taken from the client, which rules out session fixation. Every request
re-reads the session, the user and the tenant: sign-out, deactivation and a role change take
effect on the next page. Only human users with a password can sign in: an agent session cannot exist.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from backend.auth.permissions import allowed
from backend.db.models import Account, PasswordLink, SignInAttempt, Tenant, User, WebSession
from backend.services.platform import audit_chain as audit
from backend.services.platform import passwords
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Forbidden, InvalidInput, NotFound, RateLimited, Unauthenticated

CHANNEL = "dashboard"
SESSION_TTL = timedelta(hours=12)
LINK_TTL = {"reset": timedelta(hours=2), "invite": timedelta(days=7)}
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 50
WRONG = "The email or the password is wrong."


@dataclass(frozen=True)
class WebUser:
    """The signed-in person, acting in the session's current tenant."""

    session_id: str
    actor: Actor
    name: str
    email: str
    tenant_name: str
    account_name: str


def _digest(rt: Runtime, purpose: str, secret: str) -> str:
    return hmac.new(rt.secret_key.encode(), f"{purpose}:{secret}".encode(), hashlib.sha256).hexdigest()


def _audit(s, rt: Runtime, *, tenant_id: str | None, kind: str, outcome: str, action: str, user: User | None,
           request_id: str | None, **details) -> None:
    audit.append(s, now=rt.clock(), tenant_id=tenant_id, kind=kind, outcome=outcome, action=action,
                 actor_user_id=user.id if user else None, actor_kind=user.actor_kind if user else None,
                 request_id=request_id, resource_type="user" if user else None, resource_id=user.id if user else None,
                 details={"channel": CHANNEL, **details})


def _tenant(s, account_id: str, kind: str) -> Tenant:
    t = s.scalar(select(Tenant).where(Tenant.account_id == account_id, Tenant.kind == kind))
    if t is None:
        raise NotFound(f"The account has no {kind} tenant.", code="tenant_not_found")
    return t


# ---------------------------------------------------------------- sign in / out

def _throttled(s, rt: Runtime, email: str, ip: str) -> int | None:
    """Seconds to wait when too many recent failures came for this email or from this address."""
    now = rt.clock()
    since = now - THROTTLE_WINDOW
    A = SignInAttempt
    for column, value, cap in ((A.email, email, MAX_FAILURES_PER_EMAIL), (A.ip, ip, MAX_FAILURES_PER_IP)):
        n, oldest = s.execute(select(func.count(), func.min(A.created_at))
                              .where(column == value, A.success.is_(False), A.created_at >= since)).one()
        if n >= cap:
            return max(1, math.ceil((oldest + THROTTLE_WINDOW - now).total_seconds()))
    return None


def open_session(s, rt: Runtime, user: User, *, ip: str | None, tenant_kind: str = "sandbox") -> str:
    """A fresh session for ``user`` inside the caller's unit of work; returns the secret, once."""
    now = rt.clock()
    secret = secrets.token_urlsafe(32)
    s.add(WebSession(secret_hash=_digest(rt, "session", secret), user_id=user.id,
                     current_tenant_id=_tenant(s, user.account_id, tenant_kind).id, expires_at=now + SESSION_TTL,
                     last_seen_at=now, ip=ip))
    s.flush()
    return secret


def sign_in(rt: Runtime, *, email: str, password: str, ip: str, request_id: str | None = None) -> str:
    """Check the password and open a session; returns the session secret. Failures are counted,
    audited and, past a few per email (or many per address) in 15 minutes, refused unchecked."""
    email = (email or "").strip().lower()
    now = rt.clock()
    with rt.db.session(system=True, write=True) as s:
        wait = _throttled(s, rt, email, ip)
        if wait is not None:
            _audit(s, rt, tenant_id=None, kind="auth_failure", outcome="denied", action="dashboard.sign_in",
                   user=None, request_id=request_id, email=email, ip=ip, reason="throttled")
            s.commit()
            raise RateLimited(f"Too many failed sign-ins. Try again in {wait} seconds.", code="sign_in_throttled",
                              headers={"Retry-After": str(wait)})
        candidates = s.scalars(select(User).where(User.email == email, User.password_hash.is_not(None))
                               .order_by(User.created_at, User.id)).all()
        user = next((u for u in candidates if passwords.verify_password(u.password_hash, password)), None)
        if not candidates:
            passwords.verify_password(None, password)  # same cost as a known email
        reason = None
        if user is None:
            reason = "wrong_password" if candidates else "unknown_email"
        elif not user.active:
            reason = "user_deactivated"
        elif user.actor_kind != "human":
            reason = "agent_user"
        # Attempts older than the window no longer count: drop this email's, so the table stays small.
        s.execute(delete(SignInAttempt).where(SignInAttempt.email == email,
                                              SignInAttempt.created_at < now - THROTTLE_WINDOW))
        s.add(SignInAttempt(email=email, ip=ip, success=reason is None, created_at=now))
        known = user or (candidates[0] if len(candidates) == 1 else None)
        tenant_id = _tenant(s, known.account_id, "sandbox").id if known else None
        if reason:
            _audit(s, rt, tenant_id=tenant_id, kind="auth_failure", outcome="denied", action="dashboard.sign_in",
                   user=known, request_id=request_id, email=email, ip=ip, reason=reason)
            s.commit()
            if reason == "user_deactivated":
                raise Unauthenticated("This user is deactivated. Ask an administrator.", code="user_deactivated")
            if reason == "agent_user":
                raise Forbidden("Agent users cannot sign in to the dashboard; they use API tokens.",
                                code="agent_cannot_sign_in")
            raise Unauthenticated(WRONG, code="invalid_credentials")
        assert user is not None and user.password_hash is not None  # no reason to refuse: the password matched
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        secret = open_session(s, rt, user, ip=ip)
        _audit(s, rt, tenant_id=tenant_id, kind="auth", outcome="success", action="dashboard.sign_in", user=user,
               request_id=request_id, ip=ip)
        return secret


def current(rt: Runtime, secret: str | None, *, request_id: str | None = None) -> WebUser | None:
    """The person behind a session secret, or None (unknown, expired, signed out, deactivated, agent)."""
    if not secret:
        return None
    now = rt.clock()
    with rt.db.session(system=True) as s:
        row = s.execute(
            select(WebSession, User, Tenant, Account)
            .join(User, User.id == WebSession.user_id).join(Tenant, Tenant.id == WebSession.current_tenant_id)
            .join(Account, Account.id == User.account_id)
            .where(WebSession.secret_hash == _digest(rt, "session", secret))).first()
    if row is None:
        return None
    ws, user, tenant, account = row
    if ws.revoked_at is not None or ws.expires_at <= now or not user.active or user.actor_kind != "human" \
            or tenant.account_id != user.account_id:
        return None
    actor = Actor(tenant_id=tenant.id, tenant_kind=tenant.kind, account_id=user.account_id, user_id=user.id,
                  role=user.role, actor_kind=user.actor_kind, token_id=None, plan=tenant.plan,
                  rate_limit_per_minute=tenant.rate_limit_per_minute, request_id=request_id, channel=CHANNEL)
    return WebUser(ws.id, actor, user.name, user.email, tenant.name, account.name)


def actor_in(rt: Runtime, web: WebUser, tenant_kind: str) -> Actor:
    """The same person acting in the account's other tenant (e.g. to mint a production token)."""
    if tenant_kind == web.actor.tenant_kind:
        return web.actor
    with rt.db.session(system=True) as s:
        t = _tenant(s, web.actor.account_id, tenant_kind)
    return Actor(**{**web.actor.__dict__, "tenant_id": t.id, "tenant_kind": t.kind, "plan": t.plan,
                    "rate_limit_per_minute": t.rate_limit_per_minute})


def switch_tenant(rt: Runtime, web: WebUser, tenant_kind: str) -> None:
    if tenant_kind not in ("sandbox", "production"):
        raise InvalidInput("tenant must be sandbox or production", code="invalid_tenant")
    with rt.db.session(system=True, write=True) as s:
        t = _tenant(s, web.actor.account_id, tenant_kind)
        s.execute(update(WebSession).where(WebSession.id == web.session_id).values(current_tenant_id=t.id))


def sign_out(rt: Runtime, secret: str | None, *, request_id: str | None = None) -> None:
    if not secret:
        return
    with rt.db.session(system=True, write=True) as s:
        ws = s.scalar(select(WebSession).where(WebSession.secret_hash == _digest(rt, "session", secret)))
        if ws is None or ws.revoked_at is not None:
            return
        ws.revoked_at = rt.clock()
        user = s.get(User, ws.user_id)
        _audit(s, rt, tenant_id=ws.current_tenant_id, kind="auth", outcome="success", action="dashboard.sign_out",
               user=user, request_id=request_id)


def _revoke_sessions(s, rt: Runtime, user_id: str) -> None:
    s.execute(update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
              .values(revoked_at=rt.clock()))


# ---------------------------------------------------------------- one-time password links

def _new_link(s, rt: Runtime, user: User, purpose: str) -> str:
    secret = secrets.token_urlsafe(32)
    s.add(PasswordLink(secret_hash=_digest(rt, "password-link", secret), user_id=user.id, purpose=purpose,
                       expires_at=rt.clock() + LINK_TTL[purpose]))
    s.flush()
    return secret


def create_reset_link(rt: Runtime, *, email: str, account_id: str | None = None) -> dict:
    """Operator action (CLI): a one-time link secret to set a new password. No token needed."""
    with rt.db.session(system=True, write=True) as s:
        stmt = select(User).where(User.email == email.strip().lower(), User.active.is_(True),
                                  User.actor_kind == "human")
        if account_id:
            stmt = stmt.where(User.account_id == account_id)
        users = s.scalars(stmt).all()
        if len(users) != 1:
            raise LookupError(f"{len(users)} active people with email {email}; pass --account-id" if users
                              else f"No active person with email {email}.")
        user = users[0]
        secret = _new_link(s, rt, user, "reset")
        _audit(s, rt, tenant_id=_tenant(s, user.account_id, "sandbox").id, kind="change", outcome="success",
               action="users.password_reset_link", user=user, request_id=None, issued_by="cli")
        return {"user_id": user.id, "email": user.email, "secret": secret,
                "expires_in_hours": int(LINK_TTL["reset"].total_seconds() // 3600)}


def create_invite_link(rt: Runtime, actor: Actor, user_id: str) -> str:
    """An invitation for a person of the actor's account to set a password (needs ``users.create``)."""
    if not allowed("users.create", actor.role):
        raise Forbidden(f"Your role ({actor.role}) does not allow 'users.create'.", code="forbidden")
    with rt.db.session(system=True, write=True) as s:
        user = s.get(User, user_id)
        if user is None or user.account_id != actor.account_id:
            raise NotFound(f"No user {user_id}.", code="user_not_found")
        if user.actor_kind != "human" or not user.active:
            raise InvalidInput("Only active people can be invited to the dashboard; agents use API tokens.",
                               code="not_invitable")
        secret = _new_link(s, rt, user, "invite")
        audit.record_change(s, actor, now=rt.clock(), action="users.invite", resource_type="user",
                            resource_id=user.id, after={"email": user.email})
        return secret


def _valid_link(s, rt: Runtime, secret: str) -> tuple[PasswordLink, User]:
    link = s.scalar(select(PasswordLink).where(PasswordLink.secret_hash == _digest(rt, "password-link", secret)))
    user = s.get(User, link.user_id) if link else None
    if link is None or user is None or link.used_at is not None or link.expires_at <= rt.clock() or not user.active:
        raise NotFound("This link is not valid any more (used, expired or unknown). Ask for a new one.",
                       code="link_invalid")
    return link, user


def describe_link(rt: Runtime, secret: str) -> dict:
    with rt.db.session(system=True) as s:
        link, user = _valid_link(s, rt, secret)
        return {"email": user.email, "name": user.name, "purpose": link.purpose}


def use_password_link(rt: Runtime, *, secret: str, password: str, ip: str | None = None) -> str:
    """Set the password through a one-time link; signs out every session of the user and signs this one in."""
    with rt.db.session(system=True, write=True) as s:
        link, user = _valid_link(s, rt, secret)
        passwords.check_strength(password, email=user.email)
        claimed = s.execute(update(PasswordLink).where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
                            .values(used_at=rt.clock()).returning(PasswordLink.id)).first()
        if claimed is None:
            raise NotFound("This link was just used.", code="link_invalid")
        user.password_hash = passwords.hash_password(password)
        _revoke_sessions(s, rt, user.id)
        _audit(s, rt, tenant_id=_tenant(s, user.account_id, "sandbox").id, kind="change", outcome="success",
               action="users.password_set", user=user, request_id=None, via=link.purpose)
        return open_session(s, rt, user, ip=ip)
