"""Route dependencies: authenticate, rate-limit and authorise in one step.

``require("users.create")`` is the only way a route obtains an Actor; the action must exist in
the permission matrix, and the route walker test reads ``__ledger_action__`` to prove every
route has one.
"""
from __future__ import annotations

from typing import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.auth.permissions import MATRIX, allowed
from backend.services.platform import identity
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Forbidden, InvalidInput, Unauthenticated

# Declares the bearer scheme in OpenAPI; we parse the header ourselves for precise errors.
bearer_scheme = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer ll_test_…`")

# Polling a job's status must not eat the budget of the client waiting for it.
NOT_COUNTED = frozenset({"jobs.read"})


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _known_query_names(route) -> frozenset[str]:
    names = getattr(route, "_ledger_query_names", None)
    if names is None:
        found, stack = set(), [route.dependant]
        while stack:  # the route's own query parameters and those of its dependencies (e.g. journal filters)
            dep = stack.pop()
            found.update(p.alias for p in dep.query_params)
            stack.extend(dep.dependencies)
        names = route._ledger_query_names = frozenset(found)
    return names


def refuse_unknown_query(request: Request) -> None:
    """A misspelt filter (``?entitty=UK01``) must not silently return everything: 400 naming it."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    unknown = sorted(set(request.query_params) - _known_query_names(route))
    if unknown:
        known = ", ".join(sorted(_known_query_names(route))) or "none"
        raise InvalidInput(f"Unknown query parameter {', '.join(unknown)}; this endpoint takes: {known}.",
                           code="unknown_query_parameter",
                           details=[{"field": n, "in": "query", "code": "unknown_parameter",
                                     "message": "not a parameter of this endpoint"} for n in unknown])


def require(action: str) -> Callable[..., Actor]:
    if action not in MATRIX:
        raise KeyError(f"route declares unknown action {action!r}")

    def dependency(request: Request, _bearer: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)) -> Actor:
        rt = runtime(request)
        request.state.action = action
        refuse_unknown_query(request)
        try:
            actor = identity.authenticate(rt, request.headers.get("authorization"),
                                          request_id=request.state.request_id,
                                          channel=getattr(request.state, "channel", "rest"))
        except Unauthenticated as exc:
            # A revoked token or a deactivated user still names its tenant: audit the refusal there.
            request.state.auth_failure = {k: getattr(exc, k, None) for k in ("tenant_id", "user_id", "token_id")}
            request.app.state.rate_limiter.failed_authentication(request.client.host if request.client else "unknown")
            raise
        request.state.actor = actor
        request.state.ratelimit_headers = request.app.state.rate_limiter.hit(actor, count=action not in NOT_COUNTED)
        if not allowed(action, actor.role):
            raise Forbidden(f"Your role ({actor.role}) does not allow '{action}'.", code="forbidden",
                            details={"action": action, "role": actor.role})
        return actor

    dependency.__ledger_action__ = action  # read by the permission-matrix test
    return dependency
