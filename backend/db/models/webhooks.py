"""Webhooks: subscriptions (endpoints), the outbox of events, deliveries and every attempt.

An event row and one delivery per subscribed endpoint are inserted in the transaction of the
domain change (``backend.webhooks.outbox.emit``); the job worker then sends each delivery.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped
from backend.db.types import UTCDateTime


class WebhookEndpoint(IdMixin, TenantScoped, Base):
    """A subscriber URL and the event types it wants.

    The signing secrets are stored encrypted with a key derived from the server secret
    (``backend.webhooks.secrets``): we must be able to sign with them, so a one-way hash cannot
    do, but a database dump alone does not reveal them. During a rotation the previous secret
    stays usable until ``previous_secret_expires_at``.
    """

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    event_types: Mapped[list] = mapped_column(JSON, default=list)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Soft delete: the delivery history of a deleted endpoint stays readable.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookEvent(IdMixin, TenantScoped, Base):
    """The outbox: one row per domain event; ``id`` is the event_id and the ``webhook-id`` header."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_type_created", "tenant_id", "event_type", "created_at"),)

    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)  # the body sent, as emitted
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class WebhookDelivery(IdMixin, TenantScoped, Base):
    """One event to one endpoint: pending until a 2xx (delivered) or the attempts run out (failed)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_webhook_deliveries_list", "tenant_id", "created_at"),
    )

    event_id: Mapped[str] = mapped_column(String(26), ForeignKey("webhook_events.id"), index=True)
    endpoint_id: Mapped[str] = mapped_column(String(26), ForeignKey("webhook_endpoints.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(60))  # copied from the event for filtering
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # schedule anchor
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookAttempt(IdMixin, TenantScoped, Base):
    """One HTTP request of a delivery. Unique per (delivery, attempt number): a re-run of the same
    attempt (worker crash) cannot record it twice."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "attempt_no"),)

    delivery_id: Mapped[str] = mapped_column(String(26), ForeignKey("webhook_deliveries.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(12))  # scheduled | manual
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    response_excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)  # ≤ 1 KB of the response body
