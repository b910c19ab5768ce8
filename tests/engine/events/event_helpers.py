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


BALANCE_ACCOUNTS = ("ROU_ASSET", "ROU_ACCUMULATED_DEPRECIATION", "LEASE_LIABILITY_CURRENT",
                    "LEASE_LIABILITY_NONCURRENT")


def post_all(balances, entries):
    for e in entries:
        assert_balanced(e)
        for ln in e.lines:
            balances[ln.account] = balances.get(ln.account, 0) + ln.debit - ln.credit


def check_ledger(base, results):
    """Post the lease as the monthly close would: commencement from the first version, each
    period from the version current at its end, each event's entries in its period; at every
    period end the GL must equal that version's schedule exactly (no tolerance). Returns the
    final balances."""
    from backend.engine.leases import commencement_postings, period_postings
    versions = [(None, base)] + [(r.effective_period, r.schedule) for r in results]
    event_entries = {}
    for r in results:
        event_entries.setdefault(r.effective_period, []).extend(r.entries)
    bal = {}
    post_all(bal, commencement_postings(base))
    final = versions[-1][1]
    fx = bool(base.functional_currency and base.functional_currency != base.currency)
    sfx = "_functional" if fx else ""
    for p in final.periods_keys:
        current = [s for eff, s in versions if eff is None or eff <= p][-1]
        post_all(bal, event_entries.get(p, []))
        post_all(bal, period_postings(current, p))
        row = current.row(current.row_index(p))
        liability = -(bal.get("LEASE_LIABILITY_CURRENT", 0) + bal.get("LEASE_LIABILITY_NONCURRENT", 0))
        assert liability == row["closing_liability" + sfx], p
        assert -bal.get("LEASE_LIABILITY_CURRENT", 0) == row["liability_current" + sfx], p
        rou = bal.get("ROU_ASSET", 0) + bal.get("ROU_ACCUMULATED_DEPRECIATION", 0)
        assert rou == row["closing_rou_asset" + sfx], p
        if not fx:
            assert -bal.get("ROU_ACCUMULATED_DEPRECIATION", 0) == row["accumulated_depreciation"], p
    return bal
