"""Loaded into a `ledger-layer worker` with ``--import fault_hooks``: holds the worker at a chosen
point of real work so the test can SIGKILL it there. Nothing changes unless FAULT_MARKER is set.

  FAULT_MARKER       file to append "<point> <pid> <n>" to when the point is reached
  FAULT_POINT        recognition | close
  FAULT_AFTER        let this many passes through the point go by first (default 0)
  FAULT_CLOSE_BATCH  runs per close write batch (so a close is several commits)
  FAULT_HOLD         seconds to wait at the point (default: until killed)

recognition: inside the write transaction of lease INITIAL_RECOGNITION (after compute, before
commit) — the killed worker's transaction rolls back. close: after a close batch has committed and
before the next one — the close is half written when the worker dies.
"""
from __future__ import annotations

import os
import time

MARKER = os.environ.get("FAULT_MARKER")
POINT = os.environ.get("FAULT_POINT", "")
AFTER = int(os.environ.get("FAULT_AFTER", "0"))
HOLD = float(os.environ.get("FAULT_HOLD", "3600"))
_passes = {"n": 0}


def _reached(point: str) -> None:
    if point != POINT:
        return
    _passes["n"] += 1
    with open(MARKER, "a") as f:
        f.write(f"{point} {os.getpid()} {_passes['n']}\n")
    if _passes["n"] > AFTER:
        time.sleep(HOLD)  # by default until SIGKILL


if MARKER:
    from backend.services.leases import runs as _runs
    from backend.services.ledger import close as _close

    if os.environ.get("FAULT_CLOSE_BATCH"):
        _close.BATCH = int(os.environ["FAULT_CLOSE_BATCH"])

    _persist = _runs.persist_runs

    def persist_runs(*args, **kwargs):
        out = _persist(*args, **kwargs)
        _reached("recognition")
        return out

    _runs.persist_runs = persist_runs

    _progress = _close.progress

    def progress(*args, **kwargs):
        out = _progress(*args, **kwargs)
        _reached("close")
        return out

    _close.progress = progress
