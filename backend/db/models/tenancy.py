from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped


class Account(IdMixin, Base):
    """A customer: owns one sandbox and one production tenant, and the users."""

    __tablename__ = "accounts"
    name: Mapped[str] = mapped_column(String(200))


class Tenant(IdMixin, Base):
    __tablename__ = "tenants"
    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    account_id: Mapped[str] = mapped_column(String(26), ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # sandbox | production
    name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(String(20), default="starter")
    # Enterprise plans set their own per-minute budget; other plans use the plan's figure.
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Entity(IdMixin, TenantScoped, Base):
    """A reporting entity (legal company) inside a tenant."""

    __tablename__ = "entities"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    functional_currency: Mapped[str] = mapped_column(String(3))
    enabled_standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    fiscal_year_end: Mapped[str] = mapped_column(String(5), default="12-31")  # MM-DD
    # Other names registers use for this entity ("Northwind Retail Limited", "NWR"); lease imports
    # match a row's Entity cell against the code, the name and these.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
