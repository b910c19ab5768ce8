"""Small helpers for the lease tests (a uniquely named module, imported by the test files)."""

from decimal import ROUND_HALF_UP, Decimal


def annual_totals(schedule, field, years):
    """Sum of a column per lease year (12 calendar-month rows each)."""
    rows = schedule.periods
    return [sum(r[field] for r in rows[12 * y: 12 * y + 12]) for y in range(years)]


def whole(x):
    """Round to whole currency units half-up, as published examples print."""
    return int(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))
