"""Engines, sessions and the automatic tenant scoping.

Sessions come in two flavours: ``read`` (SQLite: deferred BEGIN) and ``write`` (SQLite: BEGIN
IMMEDIATE, so a read-then-write inside the unit of work cannot lose a race to another writer).
Every session either names a tenant — then each ORM statement on a TenantScoped table is
filtered to it — or is explicitly a ``system`` session; a session with neither refuses to query.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from backend.db.base import TenantScoped


# The unit of work a request runs in (see Database.unit_of_work): services that open a session for
# the same tenant join it instead of committing on their own, so the idempotency record and the
# domain rows commit together.
_ambient: ContextVar[Session | None] = ContextVar("ledger_ambient_session", default=None)


class TenantScopeMissing(RuntimeError):
    """A query on tenant data was attempted from a session without a tenant."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            # We emit BEGIN ourselves (below); pysqlite's implicit transactions would hide it.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            options = conn.get_execution_options()
            if options.get("isolation_level") == "AUTOCOMMIT":
                return  # single statements, each its own transaction (Database.autocommit_engine)
            mode = "IMMEDIATE" if options.get("ledger_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    # Bulk INSERTs go to psycopg's executemany (pipeline mode, one short prepared statement) rather
    # than SQLAlchemy's "insertmanyvalues" (one INSERT … VALUES (…), (…) of up to 1,000 rows per
    # batch): psycopg re-parses such a statement's placeholders on every execution and never
    # caches it (too long), which cost a third of a 10,000-lease register's draft storage (#22).
    # Primary keys are generated in Python, so no multi-row RETURNING is needed.
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, use_insertmanyvalues=False)


class Database:
    """One per process: the engine and the session factories."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(ledger_write=True), expire_on_commit=False)
        # The same pool, without a transaction: for one-statement reads on the request path (the
        # token lookup), where BEGIN and ROLLBACK would be round trips of their own on PostgreSQL.
        self.autocommit_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, tenant_id: str | None = None, *, write: bool = False, system: bool = False) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception."""
        if tenant_id is None and not system:
            raise TenantScopeMissing("a session needs a tenant or must be declared system")
        ambient = _ambient.get()
        if ambient is not None and not system and ambient.info["tenant_id"] == tenant_id:
            yield ambient  # the outer unit of work commits or rolls back
            return
        s = (self._write if write else self._read)()
        s.info["tenant_id"] = tenant_id
        s.info["system"] = system
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A bare Core connection in a write transaction (no ORM, no tenant scoping): for the
        audit writer, which appends rows to every tenant's chain."""
        with self.engine.execution_options(ledger_write=True).begin() as conn:
            yield conn

    @contextmanager
    def unit_of_work(self, tenant_id: str) -> Iterator[Session]:
        """A write session that every tenant session opened inside it (same thread/context) joins."""
        with self.session(tenant_id, write=True) as s:
            token = _ambient.set(s)
            try:
                yield s
            finally:
                _ambient.reset(token)

    def dispose(self) -> None:
        self.engine.dispose()


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # the parent row was already scoped
    tenant_id = state.session.info.get("tenant_id")
    if tenant_id is None:
        if state.session.info.get("system"):
            return
        raise TenantScopeMissing("query on tenant data without a tenant")
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, _ctx, _instances) -> None:
    tenant_id = session.info.get("tenant_id")
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeMissing(f"new {type(obj).__name__} without a tenant")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeMissing(f"new {type(obj).__name__} for another tenant")


@lru_cache(maxsize=8)
def database_for(url: str) -> Database:
    return Database(url)
