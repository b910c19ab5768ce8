"""Group commit for per-request audit rows.

Request rows are handed to one writer thread that appends everything queued so far in a single
transaction, so the request path does not pay for a write transaction of its own. Rows are
committed within milliseconds; ``flush()`` waits for them (reads of the audit trail in this
process call it first). Domain-change rows do not come through here: they commit in the same
transaction as the change they describe.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Runtime

log = logging.getLogger("ledger_layer.audit")
MAX_BATCH = 500
LINGER_SECONDS = 0.02


class AuditWriter:
    def __init__(self, rt: Runtime):
        self.rt = rt
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def submit(self, row: dict[str, Any]) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(row)

    def flush(self, timeout: float = 30.0) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            # Linger briefly so one transaction carries several requests' rows under load.
            deadline = time.monotonic() + LINGER_SECONDS
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(nxt)
            self._write(batch)
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    def _write(self, batch: list[dict[str, Any]]) -> None:
        for attempt in (1, 2):
            try:
                with self.rt.db.write_connection() as conn:
                    audit.append_many(conn, [dict(row) for row in batch])
                return
            except Exception:
                log.exception("audit batch of %d rows failed (attempt %d)", len(batch), attempt)
