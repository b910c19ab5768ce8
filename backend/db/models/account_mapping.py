"""Per-entity chart-of-accounts mapping, and the journal ledger's one-reversal rule.

The reversal index lives here rather than on ``JournalEntry`` because journals.py is shared and
frozen by migration 0003; it attaches to the same table, so Alembic sees it like any other index.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, TenantScoped
from backend.db.models.journals import JournalEntry
from backend.db.types import UTCDateTime


class AccountMapping(IdMixin, TenantScoped, Base):
    """Engine account code → GL account (and engine dimension → ERP dimension) for one entity.

    One document per entity, replaced as a whole by PUT; ``version`` guards concurrent edits.
    """

    __tablename__ = "account_mappings"
    __table_args__ = (UniqueConstraint("tenant_id", "entity_id"),)

    entity_id: Mapped[str] = mapped_column(String(26), ForeignKey("entities.id"))
    accounts: Mapped[dict] = mapped_column(JSON, default=dict)
    dimensions: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(26), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# An entry can be reversed once: the database, not a read-then-write, decides (api-platform.md).
REVERSAL_ONCE = Index(
    "uq_journal_entries_reversal_of_id", JournalEntry.__table__.c.reversal_of_id, unique=True,
    sqlite_where=text("reversal_of_id IS NOT NULL"), postgresql_where=text("reversal_of_id IS NOT NULL"),
)
