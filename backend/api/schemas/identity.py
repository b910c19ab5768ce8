from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from backend.api.schemas.fields import text

RoleName = Literal["OWNER", "ADMIN", "APPROVER", "PREPARER", "REVIEWER"]
ActorKindName = Literal["human", "agent"]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"name": "Ada Reviewer", "email": "ada@example.com", "role": "APPROVER", "actor_kind": "human"}]})
    name: text(200, 1)
    email: EmailStr
    role: RoleName
    actor_kind: ActorKindName = "human"


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "REVIEWER"}, {"active": False}]})
    name: text(200, 1) | None = None
    email: EmailStr | None = None
    role: RoleName | None = None
    actor_kind: ActorKindName | None = None
    active: bool | None = Field(None, description="false deactivates the user and revokes all its tokens")


class UserOut(BaseModel):
    id: str
    name: str
    email: str
    role: RoleName
    actor_kind: ActorKindName
    active: bool
    created_at: datetime
    deactivated_at: datetime | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "month-end script"}]})
    name: text(200, 1)
    user_id: str | None = Field(None, description="Mint for another user of the account (OWNER/ADMIN only)")


class TokenOut(BaseModel):
    id: str
    name: str
    user_id: str
    prefix: str = Field(description="The first characters, to recognise the token; never the secret")
    actor_kind: ActorKindName = Field(description="Fixed when the token is minted (human | agent)")
    created_at: datetime
    revoked_at: datetime | None
    active: bool


class SecretShownOnce(BaseModel):
    """Fields of a response that carries a secret: a replay (same Idempotency-Key) has no secret."""
    secret_redacted: bool | None = Field(None, exclude_if=lambda v: v is None,
                                         description="true on a replay: the secret was shown once and is not stored")
    note: str | None = Field(None, exclude_if=lambda v: v is None,
                             description="Why the secret is missing (replays only)")


class TokenCreated(TokenOut, SecretShownOnce):
    token: str | None = Field(description="The secret. Shown once: store it now (null on an idempotent replay).")


class MeOut(BaseModel):
    user: UserOut
    tenant_id: str
    tenant_kind: Literal["sandbox", "production"]
    role: RoleName
    actor_kind: ActorKindName
    token_id: str | None
    plan: str
