"""Leases, their configuration (policy, IBR matrix, FX rates), engine runs and schedules."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped
from backend.db.types import DecimalText, UTCDateTime


class LeasePolicyVersion(IdMixin, TenantScoped, Base):
    """An entity's lease policy from an effective date on; a new PUT adds a version."""

    __tablename__ = "lease_policy_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_id", "version"),)

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_date: Mapped[date] = mapped_column(Date)
    data: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)


class IbrRate(IdMixin, TenantScoped, Base):
    """Incremental borrowing rate by currency × lease-term band × effective date (a matrix version)."""

    __tablename__ = "ibr_rates"
    __table_args__ = (Index("ix_ibr_lookup", "tenant_id", "entity_id", "currency", "effective_date"),)

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    matrix_version: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    term_from_months: Mapped[int] = mapped_column(Integer)  # inclusive
    term_to_months: Mapped[int] = mapped_column(Integer)  # inclusive
    effective_date: Mapped[date] = mapped_column(Date)
    rate: Mapped[object] = mapped_column(DecimalText)  # annual, as a fraction (0.05 = 5 %)


class FxRate(IdMixin, TenantScoped, Base):
    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_id", "from_currency", "to_currency", "rate_date"),)

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    from_currency: Mapped[str] = mapped_column(String(3))
    to_currency: Mapped[str] = mapped_column(String(3))
    rate_date: Mapped[date] = mapped_column(Date)
    rate: Mapped[object] = mapped_column(DecimalText)  # units of to_currency per 1 from_currency


class Lease(IdMixin, TenantScoped, Base):
    """A lease contract: a draft until confirmed; its engine inputs are kept exactly as given."""

    __tablename__ = "leases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entity_id", "external_id"),
        Index("ix_leases_list", "tenant_id", "created_at", "id"),
    )

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | confirmed | terminated
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict] = mapped_column(JSON)  # engine input, money and dates as strings
    issues: Mapped[list] = mapped_column(JSON, default=list)
    provenance: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> "Sheet!C7"
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | workbook | addin
    # Denormalised from ``data`` for filters.
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    asset_class: Mapped[str | None] = mapped_column(String(60), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    commencement_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recognition_job_ids: Mapped[list] = mapped_column(JSON, default=list)  # the jobs confirm queued
    # The last failed run (engine rule, message, field, inputs hash, job) until a run succeeds: the DLQ.
    recognition_failure: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class LeaseRun(IdMixin, TenantScoped, Base):
    """One immutable engine result for one lease under one standard, with its lineage."""

    __tablename__ = "lease_runs"
    __table_args__ = (Index("ix_lease_runs_current", "tenant_id", "lease_id", "standard", "is_current"),)

    lease_id: Mapped[str] = mapped_column(String(26), ForeignKey("leases.id"), index=True)
    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    standard: Mapped[str] = mapped_column(String(8))
    run_type: Mapped[str] = mapped_column(String(24))  # INITIAL_RECOGNITION | MODIFICATION | …
    effective_date: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    base_run_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    supersedes_run_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    reversal_of_run_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    job_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(20))
    policy_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    classification: Mapped[str | None] = mapped_column(String(16), nullable=True)
    exemption: Mapped[str | None] = mapped_column(String(16), nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    summary: Mapped[dict] = mapped_column(JSON)  # headline figures, tests, rate source (money as strings)
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)


class LeaseRunSchedule(Base):
    """The monthly schedule of one run, stored column-wise: ``columns`` maps each schedule field
    to its months as one comma-joined string of exact decimals ('' where a field does not apply).

    Written once with its run and never updated. One row per run rather than one per month:
    a 10,000-lease portfolio has 2.4 million lease-months, and both writing them at recognition
    and reading one month of every lease at close are far cheaper as 20,000 column blocks.
    """

    __tablename__ = "lease_run_schedules"

    run_id: Mapped[str] = mapped_column(String(26), ForeignKey("lease_runs.id"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(26), index=True)
    first_period: Mapped[str] = mapped_column(String(7))
    period_count: Mapped[int] = mapped_column(Integer)
    columns: Mapped[str] = mapped_column(Text)  # JSON {field: "10000.00,9950.12,…"}


class PeriodLock(IdMixin, TenantScoped, Base):
    __tablename__ = "period_locks"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_id", "standard", "period"),)

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    standard: Mapped[str] = mapped_column(String(8))  # IFRS16 | ASC842 | ALL
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(8))  # LOCKED | OPEN
    changed_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
