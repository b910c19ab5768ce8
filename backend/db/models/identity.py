from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped
from backend.db.types import UTCDateTime


class User(IdMixin, Base):
    """A person or an agent of one account; the role applies to both of its tenants."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("account_id", "email"),)

    account_id: Mapped[str] = mapped_column(String(26), ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))  # OWNER ADMIN APPROVER PREPARER REVIEWER
    actor_kind: Mapped[str] = mapped_column(String(8), default="human")  # human | agent
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # argon2id hash for dashboard sign-in; None = cannot sign in (agents, users not yet invited in).
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ApiToken(IdMixin, TenantScoped, Base):
    """An API token: only its HMAC hash is stored; the secret is shown once at creation."""

    __tablename__ = "api_tokens"

    user_id: Mapped[str] = mapped_column(String(26), ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    display_prefix: Mapped[str] = mapped_column(String(20))  # e.g. "ll_test_Ab3x" — enough to recognise it
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    # Fixed when minted: a later change of the user's actor kind never turns an agent's token human.
    actor_kind: Mapped[str] = mapped_column(String(8), default="human", server_default="human")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
