"""Group commit for per-request audit rows.

Request rows are handed to one writer thread that appends everything queued so far in a single
transaction, so the request path does not pay for a write transaction of its own. Rows are
committed within milliseconds; ``flush()`` waits for them (reads of the audit trail in this
process call it first). Domain-change rows do not come through here: they commit in the same
transaction as the change they describe.

While the database is unreachable (a restart, a failover) the writer keeps the batch and retries
with backoff for up to OUTAGE_SECONDS, so an outage does not cost the audit rows of the requests
refused meanwhile. Any other failure is retried once, then the rows are written one by one so that
only a row that cannot be written is lost — and that is logged as an error with the row.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Runtime
from backend.services.platform.errors import database_unreachable

log = logging.getLogger("ledger_layer.audit")
MAX_BATCH = 500
LINGER_SECONDS = 0.02
OUTAGE_SECONDS = 600.0


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

    def _append(self, rows: list[dict[str, Any]]) -> None:
        with self.rt.db.write_connection() as conn:
            audit.append_many(conn, [dict(row) for row in rows])

    def _write(self, batch: list[dict[str, Any]]) -> None:
        give_up, delay, attempt = time.monotonic() + OUTAGE_SECONDS, 0.1, 0
        while True:
            attempt += 1
            try:
                self._append(batch)
                return
            except Exception as exc:
                if database_unreachable(exc) and time.monotonic() < give_up:
                    log.warning("audit batch of %d rows waits for the database (attempt %d)", len(batch), attempt)
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                log.exception("audit batch of %d rows failed (attempt %d)", len(batch), attempt)
                if attempt < 2:
                    continue
                break
        for row in batch:  # isolate what cannot be written; keep the rest
            try:
                self._append([row])
            except Exception:
                log.exception("audit row lost: %r", row)
