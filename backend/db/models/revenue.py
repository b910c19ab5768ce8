"""Revenue contracts, their configuration (policy snapshots, SSP matrix), engine runs and the
dead-letter queue of runs that failed."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped
from backend.db.types import UTCDateTime


class RevenuePolicySnapshot(IdMixin, TenantScoped, Base):
    """Immutable, versioned revenue elections of an entity; runs after it use it."""

    __tablename__ = "revenue_policy_snapshots"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_id", "version"),)

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)


class SspMatrixRow(IdMixin, TenantScoped, Base):
    """One row of an entity's SSP matrix version (a PUT replaces the matrix with a new version)."""

    __tablename__ = "revenue_ssp_rows"
    __table_args__ = (Index("ix_revenue_ssp_lookup", "tenant_id", "entity_id", "matrix_version"),)

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    matrix_version: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    dimensions: Mapped[dict] = mapped_column(JSON, default=dict)
    method: Mapped[str] = mapped_column(String(40))
    ssp: Mapped[str | None] = mapped_column(String(40), nullable=True)  # exact decimal strings
    low: Mapped[str | None] = mapped_column(String(40), nullable=True)
    mid: Mapped[str | None] = mapped_column(String(40), nullable=True)
    high: Mapped[str | None] = mapped_column(String(40), nullable=True)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)


class RevenueContract(IdMixin, TenantScoped, Base):
    """A customer contract: a draft until confirmed; the engine input is kept exactly as given,
    with its ordered events (modifications, reassessments, progress) for replay."""

    __tablename__ = "revenue_contracts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entity_id", "external_id"),
        Index("ix_revenue_contracts_list", "tenant_id", "created_at", "id"),
    )

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    customer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | confirmed
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict] = mapped_column(JSON)
    events: Mapped[list] = mapped_column(JSON, default=list)  # event requests in effective-date order
    issues: Mapped[list] = mapped_column(JSON, default=list)
    provenance: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(16), default="api")
    needs_recalculation: Mapped[bool] = mapped_column(Boolean, default=False)
    standards: Mapped[list] = mapped_column(JSON, default=list)  # the books confirm ran
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recognition_job_ids: Mapped[list] = mapped_column(JSON, default=list)


class RevenueRun(IdMixin, TenantScoped, Base):
    """One immutable engine result for one contract under one standard, with lineage.

    ``columns`` holds the monthly schedule column-wise in integer minor units (comma-joined),
    ``summary`` the headline figures (transaction price, allocation, RPO, rationale, events)."""

    __tablename__ = "revenue_runs"
    __table_args__ = (Index("ix_revenue_runs_current", "tenant_id", "entity_id", "standard", "is_current"),)

    contract_id: Mapped[str] = mapped_column(String(26), ForeignKey("revenue_contracts.id"), index=True)
    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    standard: Mapped[str] = mapped_column(String(8))
    run_type: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    base_run_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    supersedes_run_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    job_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(20))
    policy_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ssp_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    first_period: Mapped[str] = mapped_column(String(7))
    period_count: Mapped[int] = mapped_column(Integer)
    posting_periods: Mapped[str] = mapped_column(Text)  # comma-joined YYYY-MM
    summary: Mapped[dict] = mapped_column(JSON)
    columns: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)


class RevenueDeadLetter(IdMixin, TenantScoped, Base):
    """A revenue run the engine refused: error, rule, inputs hash; resolved by a recalculation."""

    __tablename__ = "revenue_dead_letters"
    __table_args__ = (Index("ix_revenue_dlq_list", "tenant_id", "created_at", "id"),)

    contract_id: Mapped[str] = mapped_column(String(26), ForeignKey("revenue_contracts.id"), index=True)
    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    run_type: Mapped[str] = mapped_column(String(40))
    standards: Mapped[list] = mapped_column(JSON, default=list)
    job_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    code: Mapped[str] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(String(1000))
    rule_field: Mapped[str | None] = mapped_column(String(200), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | resolved
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_run_ids: Mapped[list] = mapped_column(JSON, default=list)
