"""The few statements that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, values: dict, conflict_cols: list[str]):
    """INSERT … ON CONFLICT DO NOTHING; returns the result (rowcount 0 when the row existed)."""
    mod = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = mod.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict_cols)
    return session.execute(stmt)
