"""Alembic environment: the URL comes from the caller (``backend.db.migrate``), never from a file."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import backend.db.models  # noqa: F401  (registers every table)
from backend.db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER needs batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
