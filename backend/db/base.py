"""Declarative base and the mixins every table uses."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import ForeignKey, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        # Every model is declared with __tablename__, so it is mapped to a Table (SQLAlchemy
        # types the attribute as any FromClause, which has no insert() or update()).
        __table__: ClassVar[Table]


class IdMixin:
    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class TenantScoped:
    """Marks a table as owned by one tenant.

    Every ORM SELECT on such a table is filtered to the session's tenant automatically
    (see ``backend.db.session``), and inserts get the session's tenant stamped on them.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[str]:
        return mapped_column(String(26), ForeignKey("tenants.id"), nullable=False, index=True)
