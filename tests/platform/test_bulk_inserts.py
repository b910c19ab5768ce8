"""Bulk INSERTs on PostgreSQL go through psycopg's executemany, not SQLAlchemy's insertmanyvalues
(#22: psycopg re-parsed every long multi-row statement; a 10,000-lease upload spent a third of its
draft storage there). Rows, order and values are the same either way."""
from __future__ import annotations

from sqlalchemy import event, func, select

from backend.db.models import AuditEvent


def test_bulk_inserts_are_one_executemany_of_short_statements(rt):
    from backend.services.platform import audit_chain

    statements: list[tuple[str, bool]] = []

    def seen(_conn, _cursor, statement, _params, _ctx, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"):
            statements.append((statement, executemany))

    event.listen(rt.db.engine, "before_cursor_execute", seen)
    try:
        with rt.db.write_connection() as conn:
            rows = audit_chain.append_many(conn, [dict(now=rt.clock(), tenant_id=None, kind="request",
                                                       outcome="success", route=f"/r/{i}") for i in range(1500)])
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", seen)
    if rt.db.dialect == "postgresql":
        assert rt.db.engine.dialect.use_insertmanyvalues is False
        (statement, many), = statements
        assert many and statement.count("%(") < 40  # one row's placeholders, sent 1,500 times
    with rt.db.session(system=True) as s:
        stored = s.execute(select(AuditEvent.seq, AuditEvent.route, AuditEvent.hash)
                           .where(AuditEvent.id.in_([r["id"] for r in rows])).order_by(AuditEvent.seq)).all()
        assert [(r.seq, r.route, r.hash) for r in stored] == [(r["seq"], r["route"], r["hash"]) for r in rows]
        assert s.scalar(select(func.count()).select_from(AuditEvent)) >= 1500
