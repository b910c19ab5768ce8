"""The event types a webhook endpoint can subscribe to (documented in docs/webhooks.md)."""
from __future__ import annotations

EVENT_TYPES: dict[str, str] = {
    "lease.confirmed": "A lease draft was confirmed (initial recognition is queued).",
    "lease.modified": "A confirmed lease was modified (remeasurement).",
    "lease.terminated": "A lease was terminated early.",
    "contract.confirmed": "A revenue contract was confirmed (INITIAL_RECOGNITION is queued per book).",
    "contract.recalculated": "A revenue contract was re-run; data names the new runs (lineage kept).",
    "contract.modified": "A revenue event (modification, reassessment, progress) produced new runs.",
    "engine.completed": "An engine run finished; data is the run with its lineage.",
    "engine.failed": "An engine run failed; data names the job and the error.",
    "journal.created": "A draft journal entry was written (by a close or a run).",
    "journal.approved": "A journal entry was approved.",
    "journal.reversed": "A journal entry was reversed (data is the original; the reversal is linked).",
    "journal.voided": "A draft journal entry was voided.",
    "journal.posted": "A journal entry was marked posted with the ERP's reference.",
    "close.completed": "A monthly close finished writing its draft journals.",
    "period.locked": "A period was locked for an entity and standard.",
    "period.unlocked": "A period was reopened.",
    "disclosure.generated": "A disclosure pack was generated (JSON or XLSX): entity, standard, period, whether it "
                            "was stored for a locked period, its SHA-256 and the failing tie-out checks.",
}


def is_known(event_type: str) -> bool:
    return event_type in EVENT_TYPES
