"""The audit trail: list and verify."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel

from backend.api.deps import require, runtime
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.services.platform import audit_reader as audit_log
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["audit"])


class AuditEventOut(BaseModel):
    id: str
    seq: int
    created_at: datetime
    kind: str
    action: str | None
    outcome: str
    actor_user_id: str | None
    actor_kind: str | None
    token_id: str | None
    request_id: str | None
    method: str | None
    route: str | None
    status: int | None
    resource_type: str | None
    resource_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    first_broken: dict | None


@router.get("/audit-events", operation_id="list_audit_events", response_model=Page[AuditEventOut])
def list_events(request: Request, actor: Annotated[Actor, Depends(require("audit.read"))],
                limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
                kind: Literal["request", "change", "auth_failure"] | None = None,
                outcome: Literal["success", "denied", "failed", "error"] | None = None,
                action: str | None = None, actor_user_id: str | None = None, request_id: str | None = None,
                resource_id: str | None = None,
                created_from: Annotated[AwareDatetime | None, Query(
                    description="inclusive, ISO 8601 with a time zone (e.g. 2026-01-01T00:00:00Z)")] = None,
                created_to: Annotated[AwareDatetime | None, Query(
                    description="exclusive, ISO 8601 with a time zone")] = None):
    return page_out(audit_log.list_events(
        runtime(request), actor, limit=limit, cursor=cursor, sort=sort, kind=kind, outcome=outcome, action=action,
        actor_user_id=actor_user_id, request_id=request_id, resource_id=resource_id,
        created_from=created_from, created_to=created_to))


@router.get("/audit-events/verify", operation_id="verify_audit_chain", response_model=VerifyOut,
            summary="Recompute this tenant's hash chain and report the first broken link")
def verify(request: Request, actor: Annotated[Actor, Depends(require("audit.verify"))]):
    return audit_log.verify(runtime(request), actor)
