"""Users and API tokens."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, redact, respond
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.api.schemas.identity import RoleName, TokenCreate, TokenCreated, TokenOut, UserCreate, UserOut, UserUpdate
from backend.services.platform import identity
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT}, max {MAX_LIMIT})")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Sort = Annotated[str | None, Query(description="e.g. `created_at:desc` (default) or `created_at:asc`")]


def page_out(page) -> dict:
    return page.to_dict()


@router.post("/users", tags=["users"], operation_id="create_user", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, request: Request, actor: Annotated[Actor, Depends(require("users.create"))],
                idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: identity.create_user(runtime(request), actor, **body.model_dump()),
                   body=body, status_code=201, model=UserOut, idempotency_key=idempotency_key)


@router.get("/users", tags=["users"], operation_id="list_users", response_model=Page[UserOut])
def list_users(request: Request, actor: Annotated[Actor, Depends(require("users.read"))],
               limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
               role: RoleName | None = None, active: bool | None = None):
    return page_out(identity.list_users(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                        role=role, active=active))


@router.get("/users/{user_id}", tags=["users"], operation_id="get_user", response_model=UserOut)
def get_user(user_id: str, request: Request, actor: Annotated[Actor, Depends(require("users.read"))]):
    return identity.get_user(runtime(request), actor, user_id)


@router.patch("/users/{user_id}", tags=["users"], operation_id="update_user", response_model=UserOut)
def update_user(user_id: str, body: UserUpdate, request: Request,
                actor: Annotated[Actor, Depends(require("users.update"))]):
    return identity.update_user(runtime(request), actor, user_id, body.model_dump(exclude_unset=True))


@router.post("/tokens", tags=["tokens"], operation_id="create_token", response_model=TokenCreated, status_code=201,
             summary="Mint an API token (the secret is in the response, once)")
def create_token(body: TokenCreate, request: Request, actor: Annotated[Actor, Depends(require("tokens.create"))],
                 idempotency_key: IdempotencyKeyHeader = None):
    # The secret is never stored: a replay answers with the token's metadata and says the secret was shown once.
    return respond(request, actor, lambda: identity.create_token(runtime(request), actor, name=body.name,
                                                                 user_id=body.user_id),
                   body=body, status_code=201, model=TokenCreated, idempotency_key=idempotency_key,
                   redact_replay=redact("token"))


@router.get("/tokens", tags=["tokens"], operation_id="list_tokens", response_model=Page[TokenOut])
def list_tokens(request: Request, actor: Annotated[Actor, Depends(require("tokens.read"))],
                limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
                user_id: str | None = None, active: bool | None = None):
    return page_out(identity.list_tokens(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                         user_id=user_id, active=active))


@router.delete("/tokens/{token_id}", tags=["tokens"], operation_id="revoke_token", response_model=TokenOut,
               summary="Revoke a token; it stops working on the next request")
def revoke_token(token_id: str, request: Request, actor: Annotated[Actor, Depends(require("tokens.revoke"))]):
    return identity.revoke_token(runtime(request), actor, token_id)
