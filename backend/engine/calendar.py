"""Calendar arithmetic for monthly periods. Never reads the clock."""

from __future__ import annotations

from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


_DIM = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    # table lookup: this sits on the schedule builder's hot path
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DIM[month]


def is_month_end(d: date) -> bool:
    return d.day == days_in_month(d.year, d.month)


def month_end(d: date) -> date:
    """Last day of ``d``'s month."""
    return date(d.year, d.month, days_in_month(d.year, d.month))


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, n: int, *, sticky_month_end: bool = True) -> date:
    """``d`` plus ``n`` calendar months.

    The day is clamped to the target month's length; when ``d`` is a month end
    and ``sticky_month_end`` is set, the result is the target month's end (so a
    stream dated 30 April stays on month ends: 31 May, 30 June, ...).
    """
    idx = d.year * 12 + (d.month - 1) + n
    y, m = divmod(idx, 12)
    m += 1
    last = days_in_month(y, m)
    day = d.day
    if day < 28:
        return date(y, m, day)
    if sticky_month_end and day == days_in_month(d.year, d.month):
        return date(y, m, last)
    return date(y, m, day if day < last else last)


def period_of(d: date) -> str:
    """Accounting period key ``YYYY-MM`` of a date."""
    return f"{d.year:04d}-{d.month:02d}"


def parse_period(period: str) -> tuple[int, int]:
    """``"YYYY-MM"`` to (year, month); raises ValueError otherwise."""
    if len(period) != 7 or period[4] != "-":
        raise ValueError(f"period must be YYYY-MM: {period!r}")
    y, m = int(period[:4]), int(period[5:])
    if not 1 <= m <= 12:
        raise ValueError(f"period must be YYYY-MM: {period!r}")
    return y, m


def period_end(period: str) -> date:
    y, m = parse_period(period)
    return date(y, m, days_in_month(y, m))


def months_between(start: date, end: date) -> int:
    """Whole calendar-month steps from ``start``'s month to ``end``'s month."""
    return (end.year - start.year) * 12 + (end.month - start.month)


def iter_month_ends(first: date, last: date) -> list[date]:
    """Month ends from ``first``'s month to ``last``'s month inclusive."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, days_in_month(y, m)))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out
