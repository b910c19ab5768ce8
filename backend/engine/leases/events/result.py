"""The outcome of one event: the new schedule version, the change entries, the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ...journal import JournalEntry
from ...fingerprint import canonical
from ..result import LeaseSchedule
from .model import LeaseEvent


@dataclass(frozen=True)
class EventResult:
    """One replayed event.

    - ``schedule``: the full new version. Rows before ``effective_period`` are the previous
      version's, byte-identical in ``to_dict``; the effective row is split at the effective
      date (see ``events.rows``). After a full termination it ends with the effective row.
    - ``entries``: balanced change entries dated at the effective date (none for a separate
      lease, an ASC index change or a catch-up run).
    - ``summary``: ``liability_before``, ``liability_after``, ``rou_before``, ``rou_after``,
      ``rou_adjustment`` (remeasurement adjustment to the ROU, after any partial
      derecognition), ``liability_adjustment``, ``liability_derecognised``,
      ``rou_derecognised``, ``gain_loss`` (positive = gain), ``termination_payment``,
      ``new_lease_id`` (None: the service sets it for a separate lease). Decimal money.
    - ``branch`` / ``rationale``: which IFRS 16 / ASC 842 branch applied and why.
    - ``classification``: ASC 842 reassessment (``previous``, ``classification``, ``tests``)
      when the standard requires one, else None.
    - ``new_lease``: the separate lease's input dict (separate-lease modifications only).
    """

    index: int
    event: LeaseEvent
    run_type: str
    effective_date: date
    effective_period: str
    branch: str
    rationale: tuple[str, ...]
    schedule: LeaseSchedule
    entries: tuple[JournalEntry, ...]
    summary: dict[str, Decimal | None]
    classification: dict[str, Any] | None = None
    new_lease: dict[str, Any] | None = None
    warnings: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the run (money as strings); the schedule is ``schedule.to_dict()``."""
        out: dict[str, Any] = canonical({
            "index": self.index, "run_type": self.run_type, "effective_date": self.effective_date.isoformat(),
            "effective_period": self.effective_period, "branch": self.branch, "rationale": list(self.rationale),
            "summary": {k: None if v is None else str(v) for k, v in self.summary.items()},
            "classification": self.classification, "new_lease": self.new_lease,
            "entries": [e.to_dict() for e in self.entries], "warnings": list(self.warnings),
            "changes": self.event.lineage(),
        })
        return out
