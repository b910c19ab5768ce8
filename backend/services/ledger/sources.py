"""What a subledger must tell the ledger so one monthly-close mechanism serves every source.

A source (leases, revenue contracts, …) registers one ``LedgerSource``. The close asks it which
books it posts, which of its current runs post in a period, and each run's entries for that
period; locks, idempotency (close rows and dedupe keys), progress, events and audit are the
ledger's. Catch-up routing for late changes is the engine's ``routing.route_entries``, which a
source calls with its own postings when it writes a new run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from backend.engine.journal import JournalEntry


@dataclass(frozen=True)
class SourceRun:
    """One current run of a source item that posts in the period being closed."""

    source_id: str
    run_id: str
    postings: Callable[[str], Sequence[JournalEntry]]  # the run's entries for a period (loaded lazily)


class LedgerSource(Protocol):
    source_type: str  # lease | revenue_contract (journal_entries.source_type)
    books: tuple[str, ...]  # the standards this source posts, e.g. ("IFRS16", "ASC842")

    def enabled_standards(self, s, entity) -> tuple[str, ...]:
        """The books the entity's policy enables for this source (the close's default)."""

    def runs_for_period(self, s, entity, standard: str, period: str) -> list[SourceRun]:
        """Current runs whose schedule posts in ``period`` and whose catch-up did not already post it."""

    def runs_missing_close(self, s, entity_id: str, standard: str, period: str, posted_run_ids: set[str]) -> int:
        """How many of those runs have no close entries for the period yet (confirmed after a close)."""


SOURCES: dict[str, LedgerSource] = {}


def register(source: LedgerSource) -> LedgerSource:
    SOURCES[source.source_type] = source
    return source


def source_of(source_type: str) -> LedgerSource:
    return SOURCES[source_type]


def source_for_standard(standard: str) -> LedgerSource:
    for source in SOURCES.values():
        if standard in source.books:
            return source
    raise KeyError(f"no ledger source posts {standard}")
