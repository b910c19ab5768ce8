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
from backend.services import identity
from backend.services.context import Actor, Runtime
from backend.services.errors import Forbidden

# Declares the bearer scheme in OpenAPI; we parse the header ourselves for precise errors.
bearer_scheme = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer ll_test_…`")

# Polling a job's status must not eat the budget of the client waiting for it.
NOT_COUNTED = frozenset({"jobs.read"})


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def require(action: str) -> Callable[..., Actor]:
    if action not in MATRIX:
        raise KeyError(f"route declares unknown action {action!r}")

    def dependency(request: Request, _bearer: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)) -> Actor:
        rt = runtime(request)
        request.state.action = action
        actor = identity.authenticate(rt, request.headers.get("authorization"),
                                      request_id=request.state.request_id,
                                      channel=getattr(request.state, "channel", "rest"))
        request.state.actor = actor
        request.state.ratelimit_headers = request.app.state.rate_limiter.hit(actor, count=action not in NOT_COUNTED)
        if not allowed(action, actor.role):
            raise Forbidden(f"Your role ({actor.role}) does not allow '{action}'.", code="forbidden",
                            details={"action": action, "role": actor.role})
        return actor

    dependency.__ledger_action__ = action  # read by the permission-matrix test
    return dependency
