"""The few statements that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session | Connection, table: Table, values: dict, conflict_cols: list[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when this call inserted the row.

    RETURNING rather than rowcount: through a Session, psycopg reports rowcount -1 here.
    """
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    mod = postgresql if dialect.name == "postgresql" else sqlite
    pk = list(table.primary_key.columns)[0]
    stmt = mod.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict_cols).returning(pk)
    return session.execute(stmt).first() is not None


def lock_rows(session: Session, id_column, ids) -> None:
    """PostgreSQL: lock these rows (in id order, so overlapping batches cannot deadlock) until the
    transaction ends. A write that first checks what is already there (a retried job) then cannot
    race a concurrent copy of itself: the second waits and its check sees the first's commit.
    SQLite needs nothing: a write session holds the database's single write lock already."""
    if ids and session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import select

        session.execute(select(id_column).where(id_column.in_(list(ids))).order_by(id_column).with_for_update())
