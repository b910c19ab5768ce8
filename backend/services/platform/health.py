from __future__ import annotations

from backend.services.platform.context import Runtime


def check(rt: Runtime) -> dict:
    """A round trip to the database, so a health probe fails when the database does."""
    with rt.db.session(system=True) as s:
        s.connection().exec_driver_sql("SELECT 1")
    return {"status": "ok", "database": rt.db.dialect}
