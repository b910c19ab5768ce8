"""Which exchange rate applies on a date: pure rules over plain rate rows.

A rate dated on the day asked is used, else the latest one within the previous
``MAX_AGE_DAYS`` days (weekends and holidays); anything older counts as missing,
so a stale rate is never used silently. Without a direct series the inverse pair
is used (1 / rate). The same currency converts at 1. The service loads the rows
and passes them in; the result is a callable ``(from, to, date) -> Decimal | None``
that the lease engine accepts as ``fx_rates``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Protocol

from .money import D

MAX_AGE_DAYS = 7


class FxRowLike(Protocol):
    from_currency: str
    to_currency: str
    rate_date: date
    rate: Any  # Decimal, or a str/int the engine's D() accepts


@dataclass(frozen=True)
class FxRow:
    from_currency: str
    to_currency: str
    rate_date: date
    rate: Decimal


class FxTable:
    """Rate series per currency pair, for looking up many dates."""

    def __init__(self, rows: Iterable[FxRowLike], max_age_days: int = MAX_AGE_DAYS) -> None:
        self.max_age_days = max_age_days
        self.series: dict[tuple[str, str], tuple[list[date], list[Decimal]]] = {}
        for r in sorted(rows, key=lambda r: r.rate_date):
            dates, values = self.series.setdefault((r.from_currency, r.to_currency), ([], []))
            dates.append(r.rate_date)
            values.append(D(r.rate))

    def _fresh(self, pair: tuple[str, str], on: date) -> Decimal | None:
        series = self.series.get(pair)
        if series is None:
            return None
        dates, values = series
        i = bisect.bisect_right(dates, on) - 1
        if i >= 0 and (on - dates[i]).days <= self.max_age_days:
            return values[i]
        return None

    def __call__(self, from_ccy: str, to_ccy: str, on: date) -> Decimal | None:
        """The rate converting ``from_ccy`` into ``to_ccy`` on ``on``, or None (missing or stale)."""
        if from_ccy == to_ccy:
            return Decimal(1)
        direct = self._fresh((from_ccy, to_ccy), on)
        if direct is not None:
            return direct
        inverse = self._fresh((to_ccy, from_ccy), on)
        return None if inverse is None else Decimal(1) / inverse

    def has_pair(self, a: str, b: str) -> bool:
        return (a, b) in self.series or (b, a) in self.series


def select_rate(rows: Iterable[FxRowLike], from_ccy: str, to_ccy: str, on: date,
                max_age_days: int = MAX_AGE_DAYS) -> Decimal | None:
    """One-off form of ``FxTable(rows)(from_ccy, to_ccy, on)``."""
    return FxTable(rows, max_age_days)(from_ccy, to_ccy, on)
