"""Property tests over generated leases: every invariant the schedule promises, for both books,
both rate conventions, advance and arrears, escalations, mid-month and month-end starts,
three currency exponents (JPY 0, USD 2, KWD 3) and foreign-currency leases."""

import json
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.engine.calendar import ONE_DAY, add_months
from backend.engine.journal import assert_balanced
from backend.engine.leases import (LeasePolicy, closing_state, commencement_postings, compute_schedules,
                                   liability_rows_from, parse_lease, period_postings)
from backend.engine.leases.rates import RateBasis
from backend.engine.leases.timeline import build_clock
from backend.engine.money import quantize

STEPS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
money = st.integers(min_value=1, max_value=10_000_000).map(lambda c: str(Decimal(c) / 100))


@st.composite
def leases(draw, *, allow_short=True):
    currency = draw(st.sampled_from(["USD", "USD", "JPY", "KWD"]))
    y, m = draw(st.integers(2019, 2030)), draw(st.integers(1, 12))
    day = draw(st.sampled_from([1, 1, 15, 28, 31, 17]))
    day = min(day, 28) if day != 31 else (add_months(date(y, m, 1), 1) - ONE_DAY).day
    start = date(y, m, day)
    freq = draw(st.sampled_from(list(STEPS)))
    step = STEPS[freq]
    n = draw(st.integers(1 if allow_short else 2, max(2, 96 // step)))
    term = step * n
    end = add_months(start, term) - ONE_DAY
    timing = draw(st.sampled_from(["advance", "arrears"]))
    stream = {"from": start.isoformat(), "to": end.isoformat(), "amount": draw(money), "frequency": freq,
              "timing": timing, "kind": draw(st.sampled_from(["fixed", "in_substance_fixed"]))}
    if draw(st.booleans()):
        stream["escalation"] = {"percent": str(draw(st.integers(1, 8))), "every_months": draw(st.sampled_from([12, 24]))}
    payments = [stream]
    if term >= 24 and draw(st.booleans()):  # a second stream (e.g. a service-charge step) later in the lease
        s2 = add_months(start, 12)
        payments.append({"from": s2.isoformat(), "to": end.isoformat(), "amount": draw(money),
                         "frequency": "monthly", "timing": "advance", "kind": "index_linked"})
    data = {
        "entity": "E1", "external_id": "X", "asset_class": draw(st.sampled_from(["building", "vehicle"])),
        "currency": currency, "commencement_date": start.isoformat(), "end_date": end.isoformat(),
        "payments": payments, "discount_rate": str(Decimal(draw(st.integers(0, 1500))) / 10000),
        "rate_convention": draw(st.sampled_from(["nominal", "effective"])),
        "initial_direct_costs": draw(st.sampled_from(["0", "1500.55", "20000"])),
        "lease_incentives_received": draw(st.sampled_from(["0", "999.99", "5000"])),
        "prepaid_lease_payments": draw(st.sampled_from(["0", "0", "1234.56"])),
        "restoration_costs": draw(st.sampled_from(["0", "0", "3000"])),
        "useful_life_months": draw(st.sampled_from([None, 12, 60, 240])),
        "economic_life_months": draw(st.sampled_from([None, 60, 480])),
        "fair_value": draw(st.sampled_from([None, "50000", "100000000"])),
        "specialized_asset": draw(st.sampled_from([None, False, True])),
        "transfer_of_ownership": draw(st.booleans()),
        "index_at_commencement": "101.5",
    }
    if freq == "monthly" and draw(st.booleans()):
        data["compounding_interval_months"] = draw(st.sampled_from([1, 3]))
    if draw(st.booleans()):
        data["residual_value_guarantee"] = {"guaranteed_amount": "10000", "expected_residual_value":
                                            draw(st.sampled_from(["4000", "12000"]))}
    if draw(st.booleans()):
        data["purchase_option"] = {"price": "25000", "reasonably_certain": draw(st.booleans())}
    others = []
    if draw(st.booleans()):
        others.append({"date": end.isoformat(), "amount": "7500", "kind": "termination_penalty"})
    if term >= 6 and draw(st.booleans()):
        others.append({"date": add_months(start, 3).isoformat(), "amount": "-2000", "kind": "incentive_receivable"})
    data["other_payments"] = others
    return data


def fx(src, dst, d):
    # deterministic, date-dependent rate so the liability really is retranslated
    return Decimal("1.1") + Decimal(d.toordinal() % 97) / 1000


POLICIES = st.sampled_from([LeasePolicy(), LeasePolicy(short_term_classes=(), asc_restoration_in_rou=True),
                            LeasePolicy(functional_currency="EUR"),
                            # the conventions of issue #14's elections: day-count accrual, daily depreciation
                            LeasePolicy(interest_convention="actual_days", depreciation_convention="daily"),
                            LeasePolicy(short_term_classes=(), interest_convention="actual_days"),
                            LeasePolicy(functional_currency="EUR", depreciation_convention="daily")])
SETTINGS = settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_ledger(s):
    """Replay the postings period by period into T-accounts and compare every period's
    balances with the schedule (exact, no tolerance)."""
    fc = bool(s.functional_currency and s.functional_currency != s.currency)
    sfx = "_functional" if fc else ""
    bal = {}

    def post(entries):
        for e in entries:
            assert_balanced(e)
            for ln in e.lines:
                bal[ln.account] = bal.get(ln.account, 0) + ln.debit - ln.credit

    post(commencement_postings(s))
    for k, period in enumerate(s.periods_keys):
        post(period_postings(s, period))
        row = s.row(k)
        if s.exemption is None:
            assert -bal.get("LEASE_LIABILITY_CURRENT", 0) == row["liability_current" + sfx]
            assert -bal.get("LEASE_LIABILITY_NONCURRENT", 0) == row["liability_noncurrent" + sfx]
            rou_cost = s.initial_rou_asset_functional if fc else s.initial_rou_asset
            assert bal.get("ROU_ASSET", 0) == rou_cost
            assert bal.get("ROU_ASSET", 0) + bal.get("ROU_ACCUMULATED_DEPRECIATION", 0) == \
                row["closing_rou_asset" + sfx]
        elif not fc:
            assert -bal.get("ACCRUED_LEASE_LIABILITY", 0) == row["accrued_lease_liability"]
    if s.exemption is not None and not fc:
        assert bal.get("ACCRUED_LEASE_LIABILITY", 0) == 0
        assert bal.get("PREPAID_LEASE_PAYMENTS", 0) == -s.rou_components["prepaid_lease_payments"]


@SETTINGS
@given(leases(), POLICIES)
def test_schedule_invariants(data, policy):
    terms = parse_lease(data)
    scheds = compute_schedules(terms, policy, fx_rates=fx)
    for std, s in scheds.items():
        ccy = s.currency
        rows = s.periods
        for r in rows:
            for k, v in r.items():
                if isinstance(v, Decimal) and not k.endswith("_functional") and k != "fx_gain_loss":
                    assert quantize(v, ccy) == v, (k, v)
        q = lambda x, ccy=ccy: quantize(x, ccy)  # noqa: E731
        # cash_paid: every payment in the row of its date, so it sums to the lease payments
        assert sum(r["cash_paid"] for r in rows) == sum(Decimal(f["amount"]) for f in s.cash_flows)
        assert s.interest_convention == policy.interest_convention
        assert s.depreciation_convention == policy.depreciation_convention
        if s.exemption is not None:
            total = sum(Decimal(f["amount"]) for f in s.cash_flows) + q(terms.prepaid_lease_payments)
            total += q(terms.initial_direct_costs) - q(terms.lease_incentives_received)
            assert sum(r["lease_cost"] for r in rows) == total
            assert rows[-1]["accrued_lease_liability"] == 0
            _check_ledger(s)
            continue
        # liability runs off to exactly zero and ties out
        assert rows[-1]["closing_liability"] == 0
        prev = s.initial_liability
        for r in rows:
            assert r["opening_liability"] == prev
            assert r["closing_liability"] == r["opening_liability"] + r["interest"] - r["payment"]
            assert r["liability_current"] + r["liability_noncurrent"] == r["closing_liability"]
            assert r["liability_current"] >= 0
            prev = r["closing_liability"]
        assert sum(r["interest"] for r in rows) == sum(r["payment"] for r in rows) - s.initial_liability
        in_liab = sum(Decimal(f["amount"]) for f in s.cash_flows if f["in_liability"])
        assert sum(r["payment"] for r in rows) == in_liab
        # ROU asset: to zero, or the residual it keeps when depreciated over a longer useful life
        dep_total = sum(r["depreciation"] for r in rows)
        assert dep_total + rows[-1]["closing_rou_asset"] == s.initial_rou_asset
        if s.classification == "operating":
            assert std == "ASC842"
            total = sum(Decimal(f["amount"]) for f in s.cash_flows) + q(terms.prepaid_lease_payments)
            total += q(terms.initial_direct_costs) - q(terms.lease_incentives_received)
            total += s.rou_components["restoration_costs"]
            assert sum(r["lease_cost"] for r in rows) == total
            assert rows[-1]["closing_rou_asset"] == 0
            assert rows[-1]["accrued_lease_liability"] == 0
        else:
            assert s.depreciation_months is not None
            if s.depreciation_months <= s.term_months:
                assert rows[-1]["closing_rou_asset"] == 0
                assert dep_total == s.initial_rou_asset
            sign = 1 if s.initial_rou_asset >= 0 else -1  # a negative ROU (incentives) is warned about
            assert all(sign * r["depreciation"] >= 0 for r in rows)
            if s.initial_rou_asset < 0:
                assert any(w["code"] == "negative_rou_asset" for w in s.warnings)
        if s.functional_currency and s.functional_currency != ccy:
            fprev = s.initial_liability_functional
            for r in rows:
                assert r["closing_liability_functional"] == (fprev + r["interest_functional"]
                                                             - r["payment_functional"] + r["fx_gain_loss"])
                fprev = r["closing_liability_functional"]
            assert fprev == 0
        _check_ledger(s)


@settings(max_examples=40, deadline=None)
@given(leases(allow_short=False), POLICIES)
def test_determinism_byte_identical(data, policy):
    a = compute_schedules(parse_lease(data), policy, fx_rates=fx, lease_id="L1")
    b = compute_schedules(parse_lease(json.loads(json.dumps(data))), policy, fx_rates=fx, lease_id="L1")
    for std in a:
        assert a[std].to_json() == b[std].to_json()
        assert a[std].inputs_hash == b[std].inputs_hash and len(a[std].inputs_hash) == 64
        assert a[std].run_id == b[std].run_id


@settings(max_examples=60, deadline=None)
@given(leases(allow_short=False), st.data())
def test_continuation_from_closing_state_reproduces_the_rest(data, draw):
    policy = LeasePolicy(short_term_classes=(),
                         interest_convention=draw.draw(st.sampled_from(["periodic", "actual_days"])))
    terms = parse_lease(data)
    s = compute_schedules(terms, policy, ("IFRS16",))["IFRS16"]
    if s.exemption is not None or len(s.periods_keys) < 2:
        return
    k = draw.draw(st.integers(0, len(s.periods_keys) - 2))
    state = closing_state(s, terms, policy, s.periods_keys[k])
    clock = build_clock(terms.commencement_date, terms.end_date)
    rate = RateBasis(s.discount_rate, s.rate_convention, s.compounding_interval_months, s.interest_convention)
    rest = liability_rows_from(state, clock, list(state.remaining_flows), rate, terms.currency)
    assert rest["interest"] == list(s.columns["interest"][k + 1:])
    assert rest["closing_liability"] == list(s.columns["closing_liability"][k + 1:])
    assert rest["payment"] == list(s.columns["payment"][k + 1:])
