"""Disclosure packs: auditor narrative overrides (versioned) and the packs stored for locked periods."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped


class NarrativeOverride(IdMixin, TenantScoped, Base):
    """One version of the narrative of one section of a pack (source × entity × standard × period
    × section). Rows are only added: the highest version is in force; ``text`` None reverts to the
    generated narrative. Who and why are kept with every version."""

    __tablename__ = "disclosure_narrative_overrides"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source", "entity_id", "standard", "period", "section", "version",
                         name="uq_disclosure_overrides_version"),
        Index("ix_disclosure_overrides_lookup", "tenant_id", "source", "entity_id", "standard", "period"),
    )

    source: Mapped[str] = mapped_column(String(10))  # lease | revenue
    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    standard: Mapped[str] = mapped_column(String(10))  # IFRS16 | ASC842 | IFRS15 | ASC606 | COMBINED
    period: Mapped[str] = mapped_column(String(8))  # YYYY-MM or FYYYYY
    section: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
    actor_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)


class StoredPack(IdMixin, TenantScoped, Base):
    """The engine's pack (before narrative overrides) of a locked period, stored once: later
    requests serve these bytes, so the pack is reproducible byte for byte whatever runs follow."""

    __tablename__ = "disclosure_packs"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "entity_id", "standard", "period",
                                       name="uq_disclosure_packs_key"),)

    source: Mapped[str] = mapped_column(String(10))
    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    standard: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)  # byte-stable JSON (engine.disclosures.to_json)
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
