"""Self-service sign-up from the dashboard: an account with its sandbox and production tenants,
the demo entity, and the signer-up as OWNER with a password; they land signed in."""
from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from backend.db.models import User
from backend.services.platform import identity
from backend.services.platform import passwords
from backend.services.platform import tenancy
from backend.services.platform import web_sessions
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput


@dataclass
class SignedUp:
    account_id: str
    sandbox_tenant_id: str
    production_tenant_id: str
    user_id: str
    session_secret: str


def _field(field: str, message: str) -> dict:
    return {"field": field, "code": "invalid", "message": message}


def sign_up(rt: Runtime, *, account_name: str, owner_name: str, email: str, password: str,
            ip: str | None = None) -> SignedUp:
    errors = []
    account_name, owner_name = (account_name or "").strip(), (owner_name or "").strip()
    if not account_name:
        errors.append(_field("account_name", "required"))
    if not owner_name:
        errors.append(_field("owner_name", "required"))
    try:
        email = validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        errors.append(_field("email", str(exc)))
    if errors:
        raise InvalidInput("Some fields need attention.", code="invalid_signup", details=errors)
    passwords.check_strength(password, email=email)
    with rt.db.session(system=True) as s:
        taken = s.scalar(select(User.id).where(User.email == email, User.password_hash.is_not(None)).limit(1))
    if taken:
        raise Conflict("An account already uses this email for sign-in. Sign in, or ask for a reset link.",
                       code="email_registered", details=[_field("email", "already registered")])
    boot = tenancy.create_account(rt, name=account_name, owner_name=owner_name, owner_email=email,
                                  entity=dict(tenancy.DEMO_ENTITY))
    with rt.db.session(system=True, write=True) as s:
        owner = s.scalar(select(User).where(User.account_id == boot.account_id, User.email == email))
        assert owner is not None  # create_account just made the owner
        owner.password_hash = passwords.hash_password(password)
        secret = web_sessions.open_session(s, rt, owner, ip=ip)
        owner_id = owner.id
    # create_account mints a sandbox token whose secret only a CLI caller sees; here nobody does,
    # so it is revoked at once (through the token service: audited) and the user mints their own.
    actor = Actor(tenant_id=boot.sandbox_tenant_id, tenant_kind="sandbox", account_id=boot.account_id,
                  user_id=owner_id, role="OWNER", actor_kind="human", token_id=None, channel=web_sessions.CHANNEL)
    for tok in identity.list_tokens(rt, actor, limit=10, cursor=None, sort=None).data:
        identity.revoke_token(rt, actor, tok["id"])
    return SignedUp(boot.account_id, boot.sandbox_tenant_id, boot.production_tenant_id, owner_id, secret)
