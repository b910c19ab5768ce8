"""Full early termination, mid-month events, and catch-up into the first open period."""

from datetime import date
from decimal import Decimal

from backend.engine.leases import LeasePolicy, all_postings, compute_schedule, parse_lease, period_postings
from backend.engine.leases.events import catch_up_entry

from event_helpers import annual, check_ledger, lines, post_all, replay, whole

IE17 = {
    "currency": "EUR", "commencement_date": "2024-01-01", "end_date": "2033-12-31",
    "payments": [annual("50000", "2024-12-31", "2033-12-31")], "discount_rate": "0.06",
}


def test_full_early_termination_with_penalty():
    # IE 17 base lease (liability 210,618, ROU 184,002 = cost 368,004 less accumulated depreciation
    # 184,002 at the beginning of Year 6) terminated then with a 20,000 penalty. PwC LG 5.5: the
    # penalty is part of the gain or loss: 210,618 - 184,002 - 20,000 = 6,616 gain (computed).
    (r,) = replay(IE17, "IFRS16", ("TERMINATION", "2029-01-01", {"termination_payment": "20000"}))
    s = r.summary
    assert r.branch == "ifrs16.full_termination"
    assert whole(s["gain_loss"]) == 6616 and s["termination_payment"] == Decimal("20000.00")
    (e,) = r.entries
    entry = lines(e)
    assert whole(entry["LEASE_LIABILITY_NONCURRENT"]) == 210618
    assert whole(entry["ROU_ACCUMULATED_DEPRECIATION"]) == 184002 and whole(-entry["ROU_ASSET"]) == 368004
    assert entry["CASH"] == Decimal("-20000.00") and whole(-entry["GAIN_LOSS"]) == 6616
    sch = r.schedule
    assert sch.periods_keys[-1] == "2029-01" and sch.end_date == date(2028, 12, 31)
    last = sch.periods[-1]
    assert last["closing_liability"] == 0 and last["closing_rou_asset"] == 0 and last["interest"] == 0
    base = compute_schedule(parse_lease(IE17), LeasePolicy(), "IFRS16")
    bal = check_ledger(base, [r])
    assert all(bal.get(a, 0) == 0 for a in ("ROU_ASSET", "ROU_ACCUMULATED_DEPRECIATION",
                                            "LEASE_LIABILITY_CURRENT", "LEASE_LIABILITY_NONCURRENT"))


def test_mid_month_event_splits_the_effective_month_and_keeps_history():
    # A monthly ASC 842 operating lease remeasured on 17 March: the March row keeps what accrued
    # up to the 17th and continues on the new terms; February and before are unchanged.
    data = {"currency": "USD", "commencement_date": "2024-01-01", "end_date": "2026-12-31",
            "payments": [{"from": "2024-01-01", "to": "2026-12-01", "amount": "1000", "frequency": "monthly"}],
            "discount_rate": "0.06", "initial_direct_costs": "500", "economic_life_months": 480,
            "fair_value": "1000000", "specialized_asset": False}
    base = compute_schedule(parse_lease(data), LeasePolicy(), "ASC842")
    a, b = replay(data, "ASC842",
                  ("MODIFICATION", "2024-03-17", {"modification_type": "change_in_consideration",
                                                  "discount_rate": "0.07", "payments": [
                                                      {"from": "2024-04-01", "to": "2026-12-01", "amount": "1200",
                                                       "frequency": "monthly"}]}),
                  ("TERMINATION", "2025-06-10", {"termination_payment": "1500"}))
    assert a.schedule.to_dict()["periods"][:2] == base.to_dict()["periods"][:2]
    assert b.schedule.to_dict()["periods"][:17] == a.schedule.to_dict()["periods"][:17]
    assert a.schedule.periods[2]["interest"] != base.periods[2]["interest"]
    bal = check_ledger(base, [a, b])
    assert all(bal.get(k, 0) == 0 for k in ("ROU_ASSET", "LEASE_LIABILITY_CURRENT", "LEASE_LIABILITY_NONCURRENT",
                                            "ROU_ACCUMULATED_DEPRECIATION"))


IE13 = {  # IFRS 16 IE 13: CU50,000 at the start of each year, 5 %, IDC 20,000, incentive 5,000
    "currency": "EUR", "commencement_date": "2024-01-01", "end_date": "2033-12-31",
    "payments": [annual("50000", "2024-01-01", "2033-12-31", "advance")],
    "discount_rate": "0.05", "initial_direct_costs": "20000", "lease_incentives_received": "5000",
}


def _balances(entries):
    bal = {}
    post_all(bal, entries)
    return {k: v for k, v in bal.items() if v}


def test_catch_up_of_a_late_entered_lease_into_the_first_open_period():
    # IE 13 lease entered in July 2024 with January-June locked: nothing is dated in a locked period;
    # one entry on 1 July brings the balances to where the schedule has them at 30 June.
    s = compute_schedule(parse_lease(IE13), LeasePolicy(), "IFRS16", lease_id="L-13")
    locked = [e for e in all_postings(s) if e.period <= "2024-06"]
    entry, periods = catch_up_entry(locked, "2024-07", date(2024, 7, 1))
    assert periods == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert entry.entry_date == date(2024, 7, 1) and entry.period == "2024-07" and entry.event == "lease.catch_up"
    assert "2024-01" in entry.memo and "2024-06" in entry.memo
    net = lines(entry)
    assert net == _balances(locked)  # cumulative, netted per account
    june = s.periods[5]
    assert net["ROU_ASSET"] + net["ROU_ACCUMULATED_DEPRECIATION"] == june["closing_rou_asset"]
    assert -(net["LEASE_LIABILITY_CURRENT"] + net["LEASE_LIABILITY_NONCURRENT"]) == june["closing_liability"]
    assert net["INTEREST_EXPENSE"] == sum(p["interest"] for p in s.periods[:6])
    # IE 13 commencement: cash out 50,000 + 20,000 IDC, in 5,000 incentive = 65,000 net
    assert net["CASH"] == Decimal("-65000.00")
    # July onwards posts normally on top of the catch-up
    july = {}
    post_all(july, [entry] + period_postings(s, "2024-07"))
    assert july["ROU_ASSET"] + july["ROU_ACCUMULATED_DEPRECIATION"] == s.periods[6]["closing_rou_asset"]


def test_catch_up_of_an_event_effective_in_a_locked_period():
    # IE 17's modification (effective 1 January 2029) entered in April with January-March locked:
    # the catch-up nets the change entries and the new version's locked rows against the rows
    # already posted from the old version.
    base = compute_schedule(parse_lease(IE17), LeasePolicy(), "IFRS16")
    (r,) = replay(IE17, "IFRS16", ("MODIFICATION", "2029-01-01", {
        "modification_type": "decrease_scope", "scope_decrease_fraction": "0.5",
        "payments": [annual("30000", "2029-12-31", "2033-12-31")], "discount_rate": "0.05"}))
    locked = ("2029-01", "2029-02", "2029-03")
    posted = [e for p in locked for e in period_postings(base, p)]
    new = list(r.entries) + [e for p in locked for e in period_postings(r.schedule, p)]
    entry, periods = catch_up_entry(new, "2029-04", date(2029, 4, 1), replaces=posted)
    assert periods == list(locked)
    gl = [e for e in all_postings(base) if e.period <= "2029-03"] + [entry]
    bal = _balances(gl)
    march = r.schedule.periods[62]
    assert bal["ROU_ASSET"] + bal["ROU_ACCUMULATED_DEPRECIATION"] == march["closing_rou_asset"]
    assert -(bal["LEASE_LIABILITY_CURRENT"] + bal["LEASE_LIABILITY_NONCURRENT"]) == march["closing_liability"]
    assert whole(-lines(entry)["GAIN_LOSS"]) == 13308


def test_catch_up_rejects_open_periods_and_nets_to_nothing():
    s = compute_schedule(parse_lease(IE13), LeasePolicy(), "IFRS16")
    jan = period_postings(s, "2024-01")
    try:
        catch_up_entry(jan, "2024-01", date(2024, 1, 1))
        raise AssertionError("expected a rejection")
    except Exception as e:
        assert getattr(e, "code", None) == "catch_up_period_not_locked"
    entry, periods = catch_up_entry(jan, "2024-02", date(2024, 2, 1), replaces=jan)
    assert entry is None and periods == ["2024-01"]


def test_foreign_currency_lease_event_in_functional_currency():
    # IE 19's change in consideration on a USD lease of a EUR entity: the change entry is in EUR at the
    # spot rate of the effective date; the month's FX gain/loss column excludes the remeasurement.
    import json
    data = dict(IE17, currency="USD", payments=[annual("100000", "2024-12-31", "2033-12-31")])
    policy = LeasePolicy(functional_currency="EUR")

    def rate(src, dst, d):
        return Decimal("0.80") if d < date(2029, 1, 1) else Decimal("0.90")

    from backend.engine.leases.events import apply_events, parse_event
    terms = parse_lease(data)
    base = compute_schedule(terms, policy, "IFRS16", fx_rates=rate)
    (r,) = apply_events(terms, policy, "IFRS16", [parse_event("MODIFICATION", "2029-01-01", {
        "modification_type": "change_in_consideration", "discount_rate": "0.07",
        "payments": [annual("95000", "2029-12-31", "2033-12-31")]})], fx_rates=rate)
    (e,) = r.entries
    entry = lines(e)
    assert {ln.currency for ln in e.lines} == {"EUR"}
    assert entry["LEASE_LIABILITY_NONCURRENT"] == (-r.summary["rou_adjustment"] * Decimal("0.90")).quantize(
        Decimal("0.01"))
    jan = r.schedule.periods[60]
    # January's FX is the move of the pre-event liability from 0.80 to 0.90 only (421,236 x 0.10 = 42,124);
    # the remeasurement (booked at 0.90 by the entry) is not FX
    assert whole(jan["fx_gain_loss"]) == whole(r.summary["liability_before"] * Decimal("0.10")) == 42124
    assert r.schedule.to_dict()["periods"][:60] == base.to_dict()["periods"][:60]
    bal = check_ledger(base, [r])
    assert bal.get("LEASE_LIABILITY_CURRENT", 0) + bal.get("LEASE_LIABILITY_NONCURRENT", 0) == 0
    json.dumps(r.to_dict())  # the run summary is JSON-ready
