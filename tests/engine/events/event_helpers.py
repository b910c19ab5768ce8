"""Helpers for the lease-event tests (uniquely named module)."""

from decimal import ROUND_HALF_UP, Decimal

from backend.engine.journal import assert_balanced
from backend.engine.leases import LeasePolicy, parse_lease
from backend.engine.leases.events import apply_events, parse_event


def whole(x):
    """Whole currency units, half-up, as the published examples print."""
    return int(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def replay(data, standard, *events, policy=None):
    """apply_events from a lease dict and (run_type, effective_date, changes) tuples."""
    return apply_events(parse_lease(data), policy or LeasePolicy(), standard, [parse_event(*e) for e in events])


def lines(entry):
    """{account: signed amount (debit positive)} of one balanced entry."""
    assert_balanced(entry)
    out = {}
    for ln in entry.lines:
        out[ln.account] = out.get(ln.account, 0) + ln.debit - ln.credit
    return out


def year_sum(schedule, field, year):
    rows = schedule.periods[12 * year: 12 * year + 12]
    return sum(r[field] for r in rows)


def annual(amount, start, end, timing="arrears", kind="fixed"):
    return {"from": start, "to": end, "amount": amount, "frequency": "annual", "timing": timing, "kind": kind}
