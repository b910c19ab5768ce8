"""The monthly-close part of the workflow benchmarks, one way for every source: the first close
(drained by the caller's ``drain``), asking again (every standard already requested), and re-running
the close jobs as after a crash (every entry found, none written)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from backend.db.models import CloseRun
from backend.services.ledger import close as ledger_close


def time_close(rt, actor, source: str, entities: str | list[str], period: str, drain: Callable[[], Any]) -> dict:
    """Close ``period`` for every entity (all requested, then drained together, as a controller closes
    a group), then ask again and re-run the close jobs."""
    codes = [entities] if isinstance(entities, str) else list(entities)
    t0 = time.perf_counter()
    closes = [c for e in codes for c in ledger_close.request_close(rt, actor, source, e, period, None)["closes"]]
    drained = drain()
    t_close = time.perf_counter() - t0
    with rt.db.session(actor.tenant_id) as s:
        totals = [c.totals for c in s.query(CloseRun).all()]
    t0 = time.perf_counter()
    again = [c for e in codes for c in ledger_close.request_close(rt, actor, source, e, period, None)["closes"]]
    t_rerequest = time.perf_counter() - t0
    t0 = time.perf_counter()
    rerun = [ledger_close.run_close(rt, actor.tenant_id, c["close_id"], job_id=c["job_id"], worker_id="bench",
                                   actor_user_id=actor.user_id, actor_kind="human", request_id=None)
             for c in closes]
    t_rerun = time.perf_counter() - t0
    return {"drained": drained, "entities": len(codes), "close_seconds": round(t_close, 2), "close_target_seconds": 10, "totals": totals,
            "close_entries": [t.get("entries_written") for t in totals],
            "close_rerequest_seconds": round(t_rerequest, 3),
            "rerequest_all_already": all(c["already_requested"] for c in again),
            "close_rerun_job_seconds": round(t_rerun, 2), "close_rerun_written": [r["entries_written"] for r in rerun],
            "rerun_target_seconds": 2}
