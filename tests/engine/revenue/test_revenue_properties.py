"""Invariants of the revenue engine over generated contracts (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings, strategies as st

from backend.engine.calendar import add_months
from backend.engine.journal import assert_balanced
from backend.engine.revenue import (RevenuePolicy, all_postings, largest_remainder, parse_contract, parse_event,
                                    recognise, recognise_books)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = date(2023, 1, 1)
money = st.integers(min_value=1, max_value=5_000_000).map(lambda c: str(Decimal(c).scaleb(-2)))


@st.composite
def performance_obligations(draw, n):
    pos = []
    for i in range(n):
        kind = draw(st.sampled_from(["point", "ratable", "costs", "units"]))
        d0 = START + timedelta(days=draw(st.integers(0, 400)))
        p = {"id": f"po{i}", "ssp": draw(money), "ssp_method": "observable"}
        if kind == "point":
            p.update(pattern="point_in_time", delivered_date=d0.isoformat())
        elif kind == "ratable":
            end = d0 + timedelta(days=draw(st.integers(0, 900)))
            p.update(pattern="ratable", start_date=d0.isoformat(), end_date=end.isoformat())
        else:
            k = draw(st.integers(1, 4))
            steps = sorted(draw(st.lists(st.integers(0, 100), min_size=k - 1, max_size=k - 1))) + [100]
            pts = []
            for j, s in enumerate(steps):
                dd = (d0 + timedelta(days=45 * j)).isoformat()
                if kind == "costs":
                    pts.append({"date": dd, "costs_incurred_to_date": str(s * 7), "total_expected_costs": "700"})
                else:
                    pts.append({"date": dd, "units_delivered": str(s)})
            p.update(pattern="percent_complete", progress=pts)
            if kind == "units":
                p["quantity"] = "100"
        pos.append(p)
    return pos


@st.composite
def contracts(draw):
    n = draw(st.integers(1, 4))
    pos = draw(performance_obligations(n))
    fixed = draw(money)
    bills = draw(st.lists(st.tuples(st.integers(0, 1200), money), max_size=6))
    tp = {"fixed": fixed}
    if any(p.get("quantity") for p in pos) and draw(st.booleans()):
        days = sorted(draw(st.lists(st.integers(1, 600), max_size=3)))
        tp["variable"] = {"type": "volume_discount", "method": "most_likely_amount", "list_unit_price": "10",
                          "discounted_unit_price": "9", "threshold_units": "80",
                          "estimates": [{"as_of": START.isoformat(), "expect_threshold_exceeded": False}]
                          + [{"as_of": (START + timedelta(days=d)).isoformat(),
                              "expect_threshold_exceeded": draw(st.booleans())} for d in dict.fromkeys(days)]}
        fixed = str(Decimal(fixed) + 10 * 100 * sum(1 for p in pos if p.get("quantity")))
        tp["fixed"] = fixed
    elif draw(st.booleans()):
        est = draw(st.integers(0, 100_000))
        inc = draw(st.integers(0, est))
        tp["variable"] = {"type": "bonus", "method": "most_likely_amount", "estimate": str(est), "included": str(inc),
                          "constraint_reason": "constrained (32-12)"}
    data = {"entity": "E", "external_id": "X", "customer": "C", "currency": draw(st.sampled_from(["USD", "JPY", "KWD"])),
            "start_date": START.isoformat(), "transaction_price": tp, "performance_obligations": pos,
            "billing": [{"date": (START + timedelta(days=d)).isoformat(), "amount": a} for d, a in bills]}
    if data["currency"] == "JPY":  # whole units only
        for b in data["billing"]:
            b["amount"] = str(int(Decimal(b["amount"])))
        tp["fixed"] = str(max(int(Decimal(fixed)), 1))
    if draw(st.booleans()) and all(p["pattern"] == "point_in_time" for p in pos):
        tp["financing"] = {"discount_rate": "0.05", "compounding": draw(st.sampled_from(["annual", "monthly"])),
                           "transfer_date": pos[0]["delivered_date"]}
    return data


POLICIES = st.builds(RevenuePolicy, ratable_convention=st.sampled_from(["daily", "monthly"]),
                     financing_expedient=st.booleans())


def _tp(r):
    return Decimal(r.to_dict()["transaction_price"]["total"])


@SETTINGS
@given(contracts(), POLICIES)
def test_allocation_and_revenue_sum_exactly_to_the_transaction_price(data, policy):
    r = recognise(parse_contract(data), policy, "IFRS15")
    d = r.to_dict()
    assert sum(Decimal(v) for v in d["allocation"].values()) == _tp(r)
    assert sum(Decimal(p["revenue_total"]) for p in d["periods"]) == _tp(r)
    # per PO too: what a PO earns over the contract is its allocation
    for po_id, a in d["allocation"].items():
        assert sum(Decimal(p["revenue"][po_id]) for p in d["periods"]) == Decimal(a)


@SETTINGS
@given(contracts(), POLICIES)
def test_contract_position_is_one_net_figure_per_contract(data, policy):
    r = recognise(parse_contract(data), policy, "ASC606")
    cum_rev = cum_int = Decimal(0)
    for p in r.periods:
        cum_rev += p["revenue_total"]
        cum_int += p["interest"]
        assert not (p["contract_asset"] and p["contract_liability"])
        assert p["contract_asset"] - p["contract_liability"] == cum_rev + cum_int - p["receivable"]


@SETTINGS
@given(contracts(), POLICIES, st.integers(0, 1500))
def test_rpo_plus_cumulative_revenue_is_the_transaction_price(data, policy, offset):
    as_of = START + timedelta(days=offset)
    r = recognise(parse_contract(data), policy, "IFRS15", as_of=as_of)
    d = r.to_dict()
    recognised = sum(Decimal(p["revenue_total"]) for p in d["periods"] if p["period_end"] <= as_of.isoformat())
    # revenue of the as_of month up to as_of is in RPO's complement too: compare at a month end
    if as_of == add_months(as_of.replace(day=1), 1) - timedelta(days=1) or as_of < START:
        assert Decimal(d["rpo"]["total"]) + recognised == Decimal(d["rpo"]["transaction_price"])
    bands = d["rpo"]["time_bands"]
    assert Decimal(bands["within_12_months"]) + Decimal(bands["after_12_months"]) == Decimal(d["rpo"]["total"])
    assert sum(Decimal(v) for v in bands["by_year"].values()) + Decimal(bands["unscheduled"]) == Decimal(d["rpo"]["total"])


@SETTINGS
@given(contracts(), POLICIES, st.integers(0, 40))
def test_rpo_plus_cumulative_revenue_at_month_ends(data, policy, months):
    as_of = add_months(date(2022, 12, 31), months)
    r = recognise(parse_contract(data), policy, "IFRS15", as_of=as_of)
    recognised = sum((p["revenue_total"] for p in r.periods if p["period_end"] <= as_of), Decimal(0))
    rpo = r.to_dict()["rpo"]
    # the price in force at as_of (a later dated estimate may still change it)
    assert Decimal(rpo["total"]) + recognised == Decimal(rpo["transaction_price"])
    if as_of >= r.periods[-1]["period_end"]:
        assert Decimal(rpo["transaction_price"]) == _tp(r)


@SETTINGS
@given(contracts(), POLICIES)
def test_journals_balance_and_tie_to_the_schedule(data, policy):
    r = recognise(parse_contract(data), policy, "IFRS15")
    bal: dict[str, Decimal] = {}
    for e in all_postings(r):
        assert_balanced(e)
        assert e.entry_date.isoformat() == r.to_dict()["periods"][r.period_index(e.period)]["period_end"]
        for ln in e.lines:
            bal[ln.account] = bal.get(ln.account, Decimal(0)) + ln.debit - ln.credit
    last = r.periods[-1]
    assert -bal.get("REVENUE", 0) == _tp(r)
    assert bal.get("CONTRACT_ASSET", 0) == last["contract_asset"]
    assert -bal.get("CONTRACT_LIABILITY", 0) == last["contract_liability"]
    assert bal.get("RECEIVABLE", 0) == last["receivable"]


@SETTINGS
@given(contracts(), POLICIES)
def test_results_are_byte_identical_and_books_agree_without_divergences(data, policy):
    a = recognise(parse_contract(data), policy, "IFRS15").to_json(contract_id="c1", run_id="r1")
    b = recognise(parse_contract(dict(reversed(list(data.items())))), policy, "IFRS15").to_json(contract_id="c1", run_id="r1")
    assert a == b
    books = recognise_books(parse_contract(data), policy)
    assert books["IFRS15"].to_json(run_id="r") == a.replace('"contract_id":"c1"', '"contract_id":null').replace('"run_id":"r1"', '"run_id":"r"')
    assert books["IFRS15"].to_dict()["periods"] == books["ASC606"].to_dict()["periods"]


@SETTINGS
@given(contracts(), POLICIES, st.integers(30, 700), st.integers(-50_000, 200_000), st.integers(0, 900))
def test_prospective_modification_keeps_revenue_equal_to_the_new_price(data, policy, day, delta, extend):
    c = parse_contract(data)
    eff = START + timedelta(days=day)
    ratable_ends = [p["end_date"] for p in data["performance_obligations"] if p["pattern"] == "ratable"]
    changes = {"consideration_delta": str(delta)}
    if ratable_ends:
        changes["new_end_date"] = (max(date.fromisoformat(max(ratable_ends)), eff) + timedelta(days=extend)).isoformat()
    ev = parse_event({"type": "MODIFICATION", "effective_date": eff.isoformat(), "treatment": "prospective",
                      "rationale": "test", "changes": changes}, c.currency)
    try:
        r = recognise(c, policy, "IFRS15", events=[ev])
    except Exception as e:  # nothing left to deliver is a refusal, never a wrong number
        assert getattr(e, "code", None) == "nothing_remaining"
        return
    d = r.to_dict()
    assert sum(Decimal(p["revenue_total"]) for p in d["periods"]) == _tp(r)
    assert Decimal(r.events[-1]["transaction_price_after"]["total"]) == Decimal(r.events[-1]["transaction_price_before"]["total"]) + delta


@settings(max_examples=200, deadline=None)
@given(st.integers(-10**9, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=8).filter(any))
def test_largest_remainder_is_exact_and_within_one_unit(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    w = sum(weights)
    for p, x in zip(parts, weights):
        assert abs(Fraction(p) - Fraction(total * x, w)) < 1


@SETTINGS
@given(contracts(), POLICIES, st.integers(20, 400), st.integers(0, 200), st.integers(0, 200),
       st.integers(-20_000, 50_000), st.integers(0, 100), st.integers(0, 30_000))
def test_event_chains_keep_revenue_equal_to_the_price(data, policy, d1, d2, d3, delta, pct, vc):
    """A prospective modification, then a progress update, then a re-estimated variable amount:
    every PO still earns exactly its final allocation and the journals balance."""
    c = parse_contract(data)
    e1 = START + timedelta(days=d1)
    e2 = e1 + timedelta(days=d2)
    e3 = e2 + timedelta(days=d3)
    prog = {p["id"]: [{"date": e2.isoformat(), "percent": str(pct)},
                      {"date": (e2 + timedelta(days=60)).isoformat(), "percent": "100"}]
            for p in data["performance_obligations"] if p["pattern"] == "percent_complete"}
    raw = [{"type": "MODIFICATION", "effective_date": e1.isoformat(), "treatment": "prospective",
            "rationale": "test", "changes": {"consideration_delta": str(delta)}}]
    if prog:
        raw.append({"type": "PROGRESS_UPDATE", "effective_date": e2.isoformat(), "changes": {"progress": prog}})
    raw.append({"type": "VARIABLE_CONSIDERATION_REASSESSMENT", "effective_date": e3.isoformat(),
                "changes": {"variable": {"method": "most_likely_amount", "estimate": str(vc), "included": str(vc)}}})
    evs = [parse_event(x, c.currency) for x in raw]
    try:
        r = recognise(c, policy, "IFRS15", events=evs)
    except Exception as e:  # nothing left to deliver at the modification is a refusal, never a wrong number
        assert getattr(e, "code", None) == "nothing_remaining"
        return
    d = r.to_dict()
    assert sum(Decimal(v) for v in d["allocation"].values()) == _tp(r)
    for po_id, a in d["allocation"].items():
        assert sum(Decimal(p["revenue"][po_id]) for p in d["periods"]) == Decimal(a)
    for e in all_postings(r):
        assert_balanced(e)


@st.composite
def event_requests(draw, data):
    """A few random events of every type on the contract's POs, in date order."""
    ids = [p["id"] for p in data["performance_obligations"]]
    day = 0
    out = []
    for _ in range(draw(st.integers(1, 3))):
        day += draw(st.integers(1, 300))
        eff = (START + timedelta(days=day)).isoformat()
        kind = draw(st.sampled_from(["MODIFICATION", "VARIABLE_CONSIDERATION_REASSESSMENT", "PROGRESS_UPDATE"]))
        if kind == "MODIFICATION":
            ch = {"consideration_delta": str(draw(st.integers(-5000, 50000)))}
            if draw(st.booleans()):
                ch["add_performance_obligations"] = [{"id": f"new{day}", "pattern": "point_in_time", "ssp_method": "observable",
                                                      "ssp": "1000", "delivered_date": eff}]
            if draw(st.booleans()):
                ch["credit"] = str(draw(st.integers(0, 500)))
            if draw(st.booleans()):
                ch["remove_po_ids"] = [draw(st.sampled_from(ids))]
            ev = {"type": kind, "effective_date": eff, "changes": ch}
            t = draw(st.sampled_from([None, "prospective", "cumulative_catch_up", "separate_contract"]))
            if t:
                ev.update(treatment=t, rationale="stated in the test")
        elif kind == "VARIABLE_CONSIDERATION_REASSESSMENT":
            v = draw(st.integers(0, 20000))
            ev = {"type": kind, "effective_date": eff,
                  "changes": {"variable": {"method": "most_likely_amount", "estimate": str(v), "included": str(v)}}}
        else:
            ev = {"type": kind, "effective_date": eff,
                  "changes": {"progress": {draw(st.sampled_from(ids)): [{"date": eff, "percent": str(draw(st.integers(0, 100)))}]}}}
        out.append(ev)
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), POLICIES)
def test_any_event_sequence_gives_a_consistent_run_or_a_named_refusal(data_, policy):
    """Whatever the events, the engine either refuses with a rule code (EngineError) or returns a run
    whose allocation sums to the price and whose journals balance; never another exception."""
    from backend.engine.errors import EngineError
    data = data_.draw(contracts())
    c = parse_contract(data)
    evs = [parse_event(e, c.currency) for e in data_.draw(event_requests(data))]
    try:
        r = recognise(c, policy, "ASC606", events=evs)
    except EngineError as e:
        assert e.code and e.code != "invalid_revenue_input"
        return
    d = r.to_dict()
    assert sum(Decimal(v) for v in d["allocation"].values()) == _tp(r)
    total = sum(Decimal(p["revenue_total"]) for p in d["periods"])
    assert total + Decimal(recognise(c, policy, "ASC606", events=evs,
                                     as_of=date.fromisoformat(d["periods"][-1]["period_end"])).to_dict()["rpo"]["total"]) == _tp(r)
    for e in all_postings(r):
        assert_balanced(e)
