"""Health, the caller's identity, sandbox reset."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.schemas.common import ERROR_RESPONSES
from backend.api.schemas.identity import MeOut
from backend.api.schemas.results import HealthOut, SandboxResetOut
from backend.services.platform import health as health_service
from backend.services.platform import identity
from backend.services.platform import tenancy
from backend.services.platform.context import Actor

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)


@router.get("/health", tags=["platform"], operation_id="health", response_model=HealthOut,
            summary="Liveness and database check")
def health(request: Request) -> dict:
    return {**health_service.check(runtime(request)), "version": request.app.version}


@router.get("/me", tags=["platform"], operation_id="get_me", response_model=MeOut, summary="Who this token is")
def me(request: Request, actor: Annotated[Actor, Depends(require("me.read"))]) -> dict:
    user = identity.get_user(runtime(request), actor, actor.user_id)
    return {"user": user, "tenant_id": actor.tenant_id, "tenant_kind": actor.tenant_kind, "role": actor.role,
            "actor_kind": actor.actor_kind, "token_id": actor.token_id, "plan": actor.plan}


@router.post("/sandbox/reset", tags=["platform"], operation_id="reset_sandbox",
             response_model=SandboxResetOut,
             summary="Remove this sandbox tenant's transactional data; keep people, tokens and configuration")
def reset_sandbox(request: Request, actor: Annotated[Actor, Depends(require("sandbox.reset"))],
                  idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: tenancy.reset_sandbox(runtime(request), actor),
                   model=SandboxResetOut,
                   idempotency_key=idempotency_key)
