"""Where entries may be dated: period locks and the cumulative catch-up, for every ledger source.

Pure rules shared by leases and revenue contracts (services load the lock rows and the source's
postings and pass them in):

- ``PeriodLocks``: the locked (standard, period) pairs of one entity; ``ALL`` locks every standard.
- ``catch_up_entry``: entries that belong to locked periods become ONE cumulative entry in the
  first open period, net of what was already posted there (nothing in a locked period changes).
- ``route_entries``: given a source's postings per period and the entries of a change, the
  entries to write now — never dated in a locked period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, Iterable, Sequence

from .calendar import parse_period, period_end, period_of
from .errors import EngineError
from .journal import Dimensions, JournalEntry, JournalLine, assert_balanced
from .money import quantize

ALL = "ALL"
_ZERO = Decimal(0)

Postings = Callable[[str], Sequence[JournalEntry]]


def next_period(period: str) -> str:
    y, m = parse_period(period)
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


@dataclass(frozen=True)
class PeriodLocks:
    """The locked (standard, period) pairs of one entity."""

    locked: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str]]) -> "PeriodLocks":
        """From (standard, period, status) rows; status ``LOCKED`` locks, anything else is open."""
        return cls(frozenset((std, period) for std, period, status in rows if status == "LOCKED"))

    def is_locked(self, standard: str, period: str) -> bool:
        return (standard, period) in self.locked or (ALL, period) in self.locked

    def first_open(self, standard: str, period: str) -> str:
        """``period`` itself when open, else the first later open period (late entries land there)."""
        while self.is_locked(standard, period):
            period = next_period(period)
        return period


def catch_up_entry(entries: Sequence[JournalEntry], first_open_period: str, first_open_date: date, *,
                   replaces: Sequence[JournalEntry] = (), event: str = "lease.catch_up"
                   ) -> tuple[JournalEntry | None, list[str]]:
    """One cumulative entry in the first open period for entries that belong to locked periods.

    ``entries`` are what the (new) schedule dates in locked periods (e.g. all postings of a
    late-entered lease up to the last locked period, or an event's change entries and the
    rebuilt rows of locked periods); ``replaces`` are entries already posted there that the
    new version supersedes (their effect is netted off, nothing is reversed in a locked
    period). Amounts are netted per (account, currency, dimensions); accounts that net to
    zero are dropped. Returns the entry (None when everything nets to zero) and the sorted
    list of caught-up periods, also named in the memo. Raises ``catch_up_period_not_locked``
    if an entry is dated in or after the first open period.
    """
    if period_of(first_open_date) != first_open_period:
        raise EngineError("catch_up_date_outside_period",
                          f"{first_open_date.isoformat()} is not in the first open period {first_open_period}.",
                          field="first_open_date")
    net: dict[tuple[str, str, Dimensions], Decimal] = {}
    periods: set[str] = set()
    for sign, group in ((1, entries), (-1, replaces)):
        for e in group:
            if e.period >= first_open_period:
                raise EngineError("catch_up_period_not_locked",
                                  f"An entry dated in {e.period} is not in a locked period (the first open period "
                                  f"is {first_open_period}); post it normally.", field="entries",
                                  details={"period": e.period, "event": e.event})
            periods.add(e.period)
            for ln in e.lines:
                key = (ln.account, ln.currency, ln.dimensions)
                net[key] = net.get(key, _ZERO) + sign * (ln.debit - ln.credit)
    caught_up = sorted(periods)
    lines = []
    for key in sorted(net):  # deterministic line order whatever the input order
        v = net[key]
        if v:
            acc, ccy, dims = key
            z = quantize(_ZERO, ccy)
            lines.append(JournalLine(acc, v if v > 0 else z, -v if v < 0 else z, ccy, dims))
    if not lines:
        return None, caught_up
    memo = "Catch-up of locked periods " + ", ".join(caught_up)
    e = JournalEntry(first_open_date, first_open_period, event, tuple(lines), memo)
    assert_balanced(e)
    return e, caught_up


def route_entries(standard: str, locks: PeriodLocks, periods: Sequence[str], postings_for: Postings,
                  change_entries: Sequence[JournalEntry], *, window: Iterable[str] = (),
                  replaced_postings_for: Postings | None = None, old_posted: Iterable[str] = (),
                  from_period: str = "", catch_up_event: str = "lease.catch_up"
                  ) -> tuple[list[JournalEntry], list[str]]:
    """Entries to write for a new version of a source's schedule, never dated in a locked period.

    ``periods``/``postings_for``: the new version's periods and its postings for one of them.
    ``window``: periods whose postings must be caught up now besides the locked ones from
    ``from_period`` on (e.g. periods already closed under the old version). Their postings (and any
    change entry dated in them), net of what the old version posted there (``old_posted``, read
    with ``replaced_postings_for``), become ONE cumulative catch-up entry in the first open period
    after the window. Returns (entries to write, caught-up periods).
    """
    window = set(window) | {p for p in periods if p >= from_period and locks.is_locked(standard, p)}
    if not window:
        return list(change_entries), []
    late = [e for e in change_entries if e.period in window or locks.is_locked(standard, e.period)]
    entries = [e for e in change_entries if e not in late]
    known = set(periods)
    new_rows = [e for p in sorted(window) if p in known for e in postings_for(p)]
    replaces = ([e for p in sorted(set(old_posted) & window) for e in replaced_postings_for(p)]
                if replaced_postings_for is not None else [])
    target = locks.first_open(standard, next_period(max(window | {e.period for e in late})))
    entry, caught = catch_up_entry(late + new_rows, target, period_end(target), replaces=replaces,
                                   event=catch_up_event)
    return entries + ([entry] if entry else []), caught
