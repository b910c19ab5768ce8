from __future__ import annotations

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin


class AuditEvent(IdMixin, Base):
    """Append-only audit row, hash-chained per chain (a tenant, or 'system' for unknown callers).

    Not TenantScoped: failed authentication has no tenant. The audit service filters by tenant itself.
    """

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain_key", "seq"),)

    chain_key: Mapped[str] = mapped_column(String(26))
    seq: Mapped[int] = mapped_column(Integer)
    tenant_id: Mapped[str | None] = mapped_column(String(26), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # request | change | auth_failure
    action: Mapped[str | None] = mapped_column(String(80), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))  # success | denied | failed | error
    actor_user_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    actor_kind: Mapped[str | None] = mapped_column(String(8), nullable=True)
    token_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    method: Mapped[str | None] = mapped_column(String(8), nullable=True)
    route: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resource_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resource_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The last link of each chain; updating it serialises appends on both databases."""

    __tablename__ = "audit_chain_heads"

    chain_key: Mapped[str] = mapped_column(String(26), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
