"""Shared helpers for the engine tests (no database, no app)."""

import pytest

from backend.engine.leases import LeasePolicy, compute_schedule, parse_lease


def annual_totals(schedule, field, years):
    """Sum of a column per lease year (12 calendar-month rows each)."""
    rows = schedule.periods
    return [sum(r[field] for r in rows[12 * y: 12 * y + 12]) for y in range(years)]


def whole(x):
    """Round to whole currency units half-up, as published examples print."""
    from decimal import ROUND_HALF_UP, Decimal
    return int(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture
def build():
    def _build(data, standard="IFRS16", policy=None, **kw):
        return compute_schedule(parse_lease(data), policy or LeasePolicy(), standard, **kw)
    return _build
