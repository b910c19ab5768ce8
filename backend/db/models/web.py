"""Dashboard sign-in: browser sessions, one-time password links, and sign-in attempts.

None of these tables carries ``tenant_id``: a person signs in to an account and switches between
its sandbox and production tenants within one session (and a sandbox reset must not sign anyone out).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin
from backend.db.types import UTCDateTime


class WebSession(IdMixin, Base):
    """A signed-in browser. The cookie carries the session's secret (signed); only its hash is stored."""

    __tablename__ = "web_sessions"

    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(26), ForeignKey("users.id"), index=True)
    current_tenant_id: Mapped[str] = mapped_column(String(26), ForeignKey("tenants.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PasswordLink(IdMixin, Base):
    """A one-time link to set a password: ``reset`` (printed by the CLI or mailed) or ``invite``."""

    __tablename__ = "password_links"

    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(26), ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # reset | invite
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInAttempt(IdMixin, Base):
    """Every sign-in attempt; recent failures per email and per address throttle the next ones."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_email_created", "email", "created_at"),
                      Index("ix_sign_in_attempts_ip_created", "ip", "created_at"))

    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
