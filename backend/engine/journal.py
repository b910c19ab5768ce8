"""Balanced journal entries as immutable values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from .errors import EngineError

_ZERO = Decimal(0)


Dimensions = tuple[tuple[str, str], ...]
"""A line's dimensions: sorted ``(key, value)`` string pairs (hashable, deterministic)."""


def as_dimensions(dims: Mapping[str, object] | Iterable[tuple[object, object]] | None) -> Dimensions:
    """``JournalLine.dimensions`` from a mapping or pairs: sorted string pairs, ``None`` values as ``""``."""
    if dims is None:
        return ()
    items = dims.items() if isinstance(dims, Mapping) else dims
    return tuple(sorted((str(k), "" if v is None else str(v)) for k, v in items))


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One debit or credit on an engine account code.

    ``dimensions`` may be passed as a mapping; it is stored as a sorted tuple of
    ``(key, value)`` string pairs so lines stay hashable and deterministic.
    """

    account: str
    debit: Decimal
    credit: Decimal
    currency: str
    dimensions: Dimensions = ()  # a mapping: pass ``as_dimensions(mapping)``

    def __post_init__(self) -> None:
        object.__setattr__(self, "dimensions", as_dimensions(self.dimensions))
        for name in ("debit", "credit"):
            v = getattr(self, name)
            if not isinstance(v, Decimal) or not v.is_finite() or v < 0:
                raise EngineError("invalid_journal_line", f"{name} must be a non-negative Decimal", field=name)
        if self.debit and self.credit:
            raise EngineError("invalid_journal_line", "a line is either a debit or a credit", field="debit")

    @property
    def dims(self) -> dict[str, str]:
        return dict(self.dimensions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "debit": str(self.debit),
            "credit": str(self.credit),
            "currency": self.currency,
            "dimensions": dict(self.dimensions),
        }


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A journal header plus its lines. ``event`` names the source event
    (e.g. ``lease.commencement``, ``lease.interest``)."""

    entry_date: date
    period: str
    event: str
    lines: tuple[JournalLine, ...]
    memo: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))

    @property
    def source(self) -> str:
        return self.event

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per currency: (total debits, total credits)."""
        out: dict[str, tuple[Decimal, Decimal]] = {}
        for ln in self.lines:
            d, c = out.get(ln.currency, (_ZERO, _ZERO))
            out[ln.currency] = (d + ln.debit, c + ln.credit)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_date": self.entry_date.isoformat(),
            "period": self.period,
            "event": self.event,
            "memo": self.memo,
            "lines": [ln.to_dict() for ln in self.lines],
        }


def assert_balanced(entry: JournalEntry) -> None:
    """Raise ``EngineError('unbalanced_journal')`` unless debits equal credits
    exactly in every currency (no tolerance) and the entry has lines."""
    if not entry.lines:
        raise EngineError("unbalanced_journal", "a journal entry needs at least one line")
    for ccy, (d, c) in entry.totals().items():
        if d != c:
            raise EngineError(
                "unbalanced_journal",
                f"debits {d} and credits {c} differ in {ccy}",
                details={"currency": ccy, "debit": str(d), "credit": str(c), "event": entry.event},
            )


def reverse(entry: JournalEntry, *, entry_date: date | None = None, period: str | None = None) -> JournalEntry:
    """The reversing entry: debits and credits swapped; the original is untouched."""
    lines = tuple(
        JournalLine(ln.account, ln.credit, ln.debit, ln.currency, ln.dimensions) for ln in entry.lines
    )
    return JournalEntry(
        entry_date=entry_date or entry.entry_date,
        period=period or entry.period,
        event=f"{entry.event}.reversal",
        lines=lines,
        memo=f"Reversal of: {entry.memo}" if entry.memo else "Reversal",
    )
