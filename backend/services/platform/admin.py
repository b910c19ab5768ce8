"""Operator actions from the command line (no API token involved; audited as channel 'cli')."""
from __future__ import annotations

from sqlalchemy import select

from backend.db.models import ApiToken, Tenant, User
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Runtime
from backend.services.platform.identity import issue_token


def mint_token(rt: Runtime, *, email: str, tenant_kind: str, name: str, account_id: str | None = None) -> dict:
    with rt.db.session(system=True, write=True) as s:
        stmt = select(User).where(User.email == email.lower(), User.active.is_(True))
        if account_id:
            stmt = stmt.where(User.account_id == account_id)
        users = s.scalars(stmt).all()
        if len(users) != 1:
            raise LookupError(f"{len(users)} active users with email {email}; pass --account-id" if users
                              else f"No active user with email {email}.")
        user = users[0]
        tenant = s.scalar(select(Tenant).where(Tenant.account_id == user.account_id, Tenant.kind == tenant_kind))
        if tenant is None:
            raise LookupError(f"The account has no {tenant_kind} tenant.")
        tok, secret = issue_token(rt, s, tenant=tenant, user=user, name=name, created_by=None)
        audit.append(s, now=rt.clock(), tenant_id=tenant.id, kind="change", outcome="success", action="tokens.create",
                     resource_type="api_token", resource_id=tok.id, actor_user_id=user.id, actor_kind=user.actor_kind,
                     details={"channel": "cli"})
        return {"id": tok.id, "token": secret}


def list_tokens(rt: Runtime, *, email: str | None = None) -> list[dict]:
    with rt.db.session(system=True) as s:
        stmt = (select(ApiToken, User, Tenant).join(User, User.id == ApiToken.user_id)
                .join(Tenant, Tenant.id == ApiToken.tenant_id).order_by(ApiToken.created_at))
        if email:
            stmt = stmt.where(User.email == email.lower())
        return [{"id": t.id, "prefix": t.display_prefix, "tenant_kind": ten.kind, "email": u.email,
                 "revoked_at": t.revoked_at, "name": t.name} for t, u, ten in s.execute(stmt)]


def revoke_token(rt: Runtime, token_id: str) -> bool:
    with rt.db.session(system=True, write=True) as s:
        tok = s.get(ApiToken, token_id)
        if tok is None:
            return False
        if tok.revoked_at is None:
            tok.revoked_at = rt.clock()
            audit.append(s, now=rt.clock(), tenant_id=tok.tenant_id, kind="change", outcome="success",
                         action="tokens.revoke", resource_type="api_token", resource_id=tok.id,
                         details={"channel": "cli"})
        return True
