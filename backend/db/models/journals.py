"""Journal entries and lines: what leaves the subledger for the general ledger."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped
from backend.db.types import UTCDateTime


class JournalEntry(IdMixin, TenantScoped, Base):
    """Header of a balanced entry. States: draft → approved → posted; draft → void;
    approved|posted → reversed (by a new reversing entry, the original untouched)."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        # One entry per source event: a re-run of a close finds its entries instead of adding more.
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_journal_list", "tenant_id", "entity_id", "period", "standard", "status"),
    )

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    standard: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(7))
    entry_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    event: Mapped[str] = mapped_column(String(40))  # lease.interest, lease.commencement, …
    source_operation: Mapped[str] = mapped_column(String(30))  # initial_recognition | monthly_close | …
    # Which subledger item the entry comes from: lease | revenue_contract | manual (+ its id).
    source_type: Mapped[str] = mapped_column(String(20), default="lease")
    source_id: Mapped[str | None] = mapped_column(String(26), nullable=True, index=True)
    run_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    close_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    memo: Mapped[str | None] = mapped_column(String(500), nullable=True)
    total_debit_minor: Mapped[int] = mapped_column(BigInteger)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    prepared_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
    prepared_actor_kind: Mapped[str | None] = mapped_column(String(8), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    posting_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reversal_of_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    reversed_by_id: Mapped[str | None] = mapped_column(String(26), nullable=True)


class JournalLine(Base):
    __tablename__ = "journal_lines"

    entry_id: Mapped[str] = mapped_column(String(26), ForeignKey("journal_entries.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(26), index=True)
    account: Mapped[str] = mapped_column(String(60))
    debit_minor: Mapped[int] = mapped_column(BigInteger)
    credit_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    dimensions: Mapped[dict] = mapped_column(JSON, default=dict)


class CloseRun(IdMixin, TenantScoped, Base):
    """A monthly close of one entity × standard × period: the unique key makes a close idempotent."""

    __tablename__ = "close_runs"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_id", "standard", "period"),)

    source_type: Mapped[str] = mapped_column(String(20), default="lease")  # the ledger source closed
    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    standard: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(12))  # queued | running | completed | failed
    job_id: Mapped[str | None] = mapped_column(String(26), nullable=True)
    totals: Mapped[dict] = mapped_column(JSON, default=dict)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
