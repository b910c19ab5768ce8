"""Route dependencies: authenticate, rate-limit and authorise in one step.

``require("users.create")`` is the only way a route obtains an Actor; the action must exist in
the permission matrix, and the route walker test reads ``__ledger_action__`` to prove every
route has one.
"""
from __future__ import annotations

from typing import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.services.platform import access
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Forbidden, InvalidInput, Unauthenticated

# Declares the bearer scheme in OpenAPI; we parse the header ourselves for precise errors.
bearer_scheme = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer ll_test_…`")

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
    """Authenticate, rate-limit and authorise through ``services.platform.access`` (the door MCP
    uses too); REST adds only its own concerns: unknown query parameters and request state."""
    access.check_action(action)

    def dependency(request: Request, _bearer: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)) -> Actor:
        rt = runtime(request)
        request.state.action = action
        refuse_unknown_query(request)
        limiter = request.app.state.rate_limiter
        try:
            actor = access.authenticate(rt, limiter, request.headers.get("authorization"),
                                        request_id=request.state.request_id,
                                        channel=getattr(request.state, "channel", "rest"),
                                        client=request.client.host if request.client else "unknown")
        except Unauthenticated as exc:
            # A revoked token or a deactivated user still names its tenant: audit the refusal there.
            request.state.auth_failure = exc.known
            raise
        request.state.actor = actor
        try:
            request.state.ratelimit_headers = access.admit(limiter, actor, action)
        except Forbidden as exc:
            request.state.ratelimit_headers = exc.headers
            raise
        return actor

    dependency.__ledger_action__ = action  # read by the permission-matrix test
    return dependency
