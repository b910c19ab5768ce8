"""The one door every channel goes through: authenticate, rate-limit, authorise, audit.

REST (``api.deps.require``) and MCP (``backend.mcp``) both call these functions, so a token, a
budget and a permission mean the same thing whichever door a caller uses. The rate limiter is
passed in (the app owns one per process: memory, or Redis when configured).
"""
from __future__ import annotations

from typing import Any, Protocol

from backend.auth.permissions import HUMAN_ONLY, MATRIX, allowed
from backend.services.platform import identity
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Forbidden, Unauthenticated

# Polling a job's status must not eat the budget of the client waiting for it.
NOT_COUNTED = frozenset({"jobs.read"})


class Limiter(Protocol):
    def hit(self, actor: Actor, *, count: bool = True) -> dict[str, str]: ...

    def failed_authentication(self, client: str) -> None: ...


def check_action(action: str) -> str:
    if action not in MATRIX:
        raise KeyError(f"unknown action {action!r}: add it to backend/auth/permissions.py")
    return action


def authenticate(rt: Runtime, limiter: Limiter, authorization: str | None, *, request_id: str | None,
                 channel: str, client: str) -> Actor:
    """The caller's Actor, or Unauthenticated carrying ``known`` (the tenant, user and token a
    revoked token still names, so the refusal is audited in that tenant's chain). Failures are
    counted per client address; past the allowance the limiter raises RateLimited instead."""
    try:
        return identity.authenticate(rt, authorization, request_id=request_id, channel=channel)
    except Unauthenticated as exc:
        exc.known = {k: getattr(exc, k, None) for k in ("tenant_id", "user_id", "token_id")}
        limiter.failed_authentication(client)
        raise


def admit(limiter: Limiter, actor: Actor, action: str) -> dict[str, str]:
    """Spend the token's budget, then check the permission matrix. Returns the rate-limit headers;
    a refusal (Forbidden) carries them too."""
    headers = limiter.hit(actor, count=check_action(action) not in NOT_COUNTED)
    if not allowed(action, actor.role):
        raise Forbidden(f"Your role ({actor.role}) does not allow '{action}'.", code="forbidden",
                        details={"action": action, "role": actor.role}, headers=headers)
    if action in HUMAN_ONLY and actor.actor_kind != "human":
        raise Forbidden(f"Only a person may do '{action}'; agent tokens cannot, whatever their role.",
                        code="approval_requires_human", details={"action": action, "actor_kind": actor.actor_kind},
                        headers=headers)
    return headers


def outcome_of(status: int) -> str:
    return ("success" if status < 400 else "denied" if status in (401, 403)
            else "error" if status >= 500 else "failed")


def request_row(*, now, request_id: str, method: str, route: str, status: int, action: str | None,
                actor: Actor | None, known: dict | None = None, details: dict[str, Any] | None = None) -> dict:
    """The audit row of one request (REST) or one tool call (MCP), for the group-commit writer."""
    fields: dict[str, Any] = {"request_id": request_id, "method": method, "route": route, "status": status,
                              "action": action}
    tenant_id = actor.tenant_id if actor else None
    if actor is not None:
        fields.update(actor_user_id=actor.user_id, actor_kind=actor.actor_kind, token_id=actor.token_id)
    elif known:
        tenant_id = known.get("tenant_id")
        fields.update(actor_user_id=known.get("user_id"), token_id=known.get("token_id"))
    return dict(now=now, tenant_id=tenant_id, kind="auth_failure" if status == 401 else "request",
                outcome=outcome_of(status), details=details or {}, **fields)
