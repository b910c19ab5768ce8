"""Input validation (rule + field path), policy, events, divergences, costs and postings API."""

from datetime import date
from decimal import Decimal

import pytest

from backend.engine.errors import EngineError
from backend.engine.revenue import (ACCOUNT_CODES, InvalidRevenueInput, RevenuePolicy, all_postings, apply_event,
                                    parse_contract, parse_event, period_postings, posting_periods, recognise,
                                    recognise_books)
from revenue_helpers import by_period, contract, po, run


def fields(exc):
    return {(e["field"], e["code"]) for e in exc.value.details["errors"]}


def test_every_field_problem_is_reported_with_its_path():
    data = contract([po("A", ssp="-1"), po("A", pattern="weekly", method=None), po("R", ssp="5", method="residual")],
                    fixed="10.005", billing=[{"date": "2021-13-01", "amount": "x"}])
    with pytest.raises(InvalidRevenueInput) as e:
        parse_contract(data)
    f = fields(e)
    assert ("performance_obligations[0].ssp", "negative_amount") in f
    assert ("performance_obligations[1].pattern", "invalid_choice") in f
    assert ("performance_obligations[1].ssp_method", "required") in f
    assert ("performance_obligations[2].ssp", "residual_with_ssp") in f
    assert ("performance_obligations[2].ssp_range", "required") in f
    assert ("transaction_price.fixed", "not_minor_unit") in f
    assert ("billing[0].date", "invalid_date") in f
    assert ("billing[0].amount", "invalid_number") in f
    assert e.value.code == "invalid_revenue_input"


def test_judgements_are_required_not_guessed():
    v = {"type": "bonus", "method": "expected_value", "outcomes": [{"amount": "100", "probability": "0.5"},
                                                                  {"amount": "0", "probability": "0.4"}]}
    with pytest.raises(InvalidRevenueInput) as e:
        parse_contract(contract([po("A")], tp={"variable": v}))
    assert ("transaction_price.variable.included", "required") in fields(e)
    assert ("transaction_price.variable.outcomes", "probabilities_not_one") in fields(e)
    v2 = {"type": "bonus", "method": "expected_value", "estimate": "10", "included": "10", "allocated_to": "A"}
    with pytest.raises(InvalidRevenueInput) as e:
        parse_contract(contract([po("A")], tp={"variable": v2}))
    assert ("transaction_price.variable.allocation_rationale", "required") in fields(e)


def test_expected_value_and_most_likely_amount():
    outcomes = [{"amount": "0", "probability": "0.3"}, {"amount": "1000", "probability": "0.7"}]
    ev = run(contract([po("A", delivered_date="2021-01-05")], fixed="100",
                      tp={"variable": {"type": "bonus", "method": "expected_value", "outcomes": outcomes,
                                       "included": "700"}}))
    assert ev.to_dict()["transaction_price"]["variable_estimate"] == "700.00"
    ml = run(contract([po("A", delivered_date="2021-01-05")], fixed="100",
                      tp={"variable": {"type": "bonus", "method": "most_likely_amount", "outcomes": outcomes,
                                       "included": "1000"}}))
    assert ml.to_dict()["transaction_price"]["total"] == "1100.00"
    with pytest.raises(EngineError) as e:
        run(contract([po("A")], tp={"variable": {"type": "b", "method": "expected_value", "estimate": "5",
                                                 "included": "6"}}))
    assert (e.value.code, e.value.field) == ("included_above_estimate", "transaction_price.variable.included")


def test_ssp_from_the_matrix_effective_at_inception_per_unit():
    rows = [{"sku": "W", "currency": "USD", "ssp": "10", "effective_from": "2020-01-01", "effective_to": "2020-12-31"},
            {"sku": "W", "currency": "USD", "ssp": "12", "effective_from": "2021-01-01"},
            {"sku": "S", "currency": "USD", "ssp": "600", "effective_from": "2020-01-01"}]
    data = contract([po("w", ssp=None, sku="W", quantity="50"), po("s", ssp=None, sku="S")], fixed="1000")
    r = run(data, ssp_rows=rows)
    assert r.to_dict()["ssp"] == {"w": "600", "s": "600"}
    assert r.to_dict()["allocation"] == {"w": "500.00", "s": "500.00"}
    with pytest.raises(EngineError) as e:
        run(contract([po("x", ssp=None, sku="NOPE")]), ssp_rows=rows)
    assert (e.value.code, e.value.field) == ("ssp_not_in_matrix", "performance_obligations[0].ssp")


def test_discount_allocation_conditions_are_checked():
    pos = [po("A", ssp="40"), po("B", ssp="55"), po("C", ssp="45")]
    with pytest.raises(EngineError) as e:
        run(contract(pos, fixed="110", discount_allocation={"po_ids": ["B", "C"], "bundle_price": "60",
                                                            "rationale": "B and C sold together for 60"}))
    # the API's discount_allocation has no rationale field: the allocation itself is the stated judgement
    r = run(contract(pos, fixed="100", discount_allocation={"po_ids": ["B", "C"]}))
    assert any("32-37" in x for x in r.to_dict()["rationale"])
    assert (e.value.code, e.value.field) == ("discount_allocation_conditions_not_met", "discount_allocation.bundle_price")


def test_an_ssp_outside_its_own_range_is_refused():
    with pytest.raises(EngineError) as e:
        run(contract([po("A", ssp="50", ssp_range=["60", "80"]), po("B")]))
    assert (e.value.code, e.value.field) == ("ssp_outside_range", "performance_obligations[0].ssp")


def test_variable_consideration_allocated_to_one_po():
    """32-39..40 (as in Example 35 Case A): the royalty goes to licence Y alone; fixed 800 to X by SSP."""
    v = {"type": "royalty", "method": "expected_value", "estimate": "1000", "included": "1000", "allocated_to": "Y",
         "allocation_rationale": "royalty relates only to licence Y and approximates its SSP"}
    r = run(contract([po("X", ssp="800"), po("Y", ssp="1000")], fixed="800", tp={"variable": v}))
    assert r.to_dict()["allocation"] == {"X": "800.00", "Y": "1000.00"}


def test_policy_from_dict_and_its_errors():
    p = RevenuePolicy.from_dict({"ratable_convention": "monthly", "rpo_expedients": ["right_to_invoice"],
                                 "enabled_standards": ["ASC606"]})
    assert (p.ratable_convention, p.rpo_expedients, p.enabled_standards) == ("monthly", ("right_to_invoice",), ("ASC606",))
    with pytest.raises(InvalidRevenueInput) as e:
        RevenuePolicy.from_dict({"ratable_convention": "weekly", "financing_expedient": "yes"})
    assert {f for f, _ in fields(e)} == {"policy.ratable_convention", "policy.financing_expedient"}


def test_collectibility_divergence_between_books():
    """ASC 606-10-25-1(e) "probable" vs IFRS 15.9(e) more likely than not: the IFRS book recognises,
    the ASC book has no contract yet; both flag the divergence."""
    data = contract([po("A", delivered_date="2021-02-01")], fixed="100", billing=[{"date": "2021-02-01", "amount": "100"}],
                    collectibility={"assessment": "more_likely_than_not", "rationale": "60 % expected"})
    books = recognise_books(parse_contract(data), RevenuePolicy())
    assert by_period(books["IFRS15"])["2021-02"] == "100.00"
    assert by_period(books["ASC606"])["2021-02"] == "0.00" and not books["ASC606"].contract_exists
    for b in books.values():
        assert b.to_dict()["divergences"][0]["code"] == "collectibility_threshold"
    assert posting_periods(books["ASC606"]) == []
    assert books["ASC606"].to_dict()["rpo"]["total"] == "0.00"
    assert books["IFRS15"].to_dict()["rpo"]["total"] == "100.00"


def test_collectibility_not_probable_fails_both_books_without_divergence():
    data = contract([po("A", delivered_date="2021-02-01")], fixed="100",
                    collectibility={"assessment": "not_probable", "rationale": "customer in administration"})
    books = recognise_books(parse_contract(data), RevenuePolicy())
    assert all(not b.contract_exists and b.total_revenue() == 0 and not b.to_dict()["divergences"]
               for b in books.values())


def test_asc_only_rpo_expedient_differs_by_book():
    v = {"type": "usage", "method": "expected_value", "estimate": "500", "included": "500", "allocated_to": "B",
         "allocation_rationale": "usage fees relate only to B (32-40)"}
    data = contract([po("A", delivered_date="2021-01-10"), po("B", delivered_date="2022-06-01")], fixed="200",
                    tp={"variable": v})
    pol = RevenuePolicy(rpo_expedients=("variable_consideration_allocated",))
    books = recognise_books(parse_contract(data), pol, as_of=date(2021, 1, 31))
    # fixed 200 to A (B is paid by the usage fees, 32-41); at 31 Jan only B's 500 remains
    assert books["IFRS15"].to_dict()["allocation"] == {"A": "200.00", "B": "500.00"}
    assert books["ASC606"].to_dict()["rpo"]["total"] == "0.00"
    assert books["IFRS15"].to_dict()["rpo"]["total"] == "500.00"
    assert books["IFRS15"].to_dict()["divergences"][0]["code"] == "rpo_variable_consideration_exemption"


def test_costs_to_obtain_capitalised_or_expensed():
    """340-40-25-1 and 25-4: a $10,000 commission (340-40 Example 1) over 24 months is capitalised and
    amortised; over 12 months with the expedient it is expensed."""
    pos = [po("svc", pattern="ratable", ssp="24000", end_date="2022-12-31")]
    r = run(contract(pos, fixed="24000", costs_to_obtain=[{"date": "2021-01-01", "amount": "10000"}]))
    cc = r.to_dict()["contract_costs"]["periods"]
    assert cc[0]["capitalised"] == "10000.00" and cc[0]["amortisation"] == "416.67"
    assert sum(Decimal(p["amortisation"]) for p in cc) == Decimal("10000.00") and cc[-1]["closing"] == "0.00"
    short = run(contract(pos, fixed="24000", costs_to_obtain=[{"date": "2021-01-01", "amount": "10000",
                                                               "amortisation_months": 12}]))
    assert short.to_dict()["contract_costs"]["periods"][0]["expensed"] == "10000.00"
    accounts = {ln.account for e in all_postings(r) for ln in e.lines}
    assert {"CAPITALISED_CONTRACT_COSTS", "CONTRACT_COST_AMORTISATION", "CONTRACT_COSTS_PAYABLE"} <= accounts


def test_postings_api_for_the_monthly_close():
    data = contract([po("sub", pattern="ratable", ssp="1200", end_date="2021-12-31")], fixed="1200",
                    billing=[{"date": "2021-01-01", "amount": "1200"}])
    r = run(data, policy=RevenuePolicy(ratable_convention="monthly"))
    assert posting_periods(r) == [f"2021-{m:02d}" for m in range(1, 13)]
    e, = period_postings(r, "2021-03")
    assert e.entry_date == date(2021, 3, 31)
    assert {(ln.account, ln.dims.get("po_id")) for ln in e.lines} == {("REVENUE", "sub"), ("CONTRACT_LIABILITY", None)}
    assert {ln.account for x in all_postings(r) for ln in x.lines} <= set(ACCOUNT_CODES)
    with pytest.raises(EngineError) as ex:
        period_postings(r, "2030-01")
    assert ex.value.code == "period_outside_schedule"


# ------------------------------------------------------------------ events

def _two_pos():
    return contract([po("X", ssp="600", delivered_date="2021-01-15"), po("Y", ssp="600", delivered_date="2021-06-30")],
                    fixed="1200")


def test_reassessment_with_new_estimate_catches_up_satisfied_pos():
    """32-42..44: the change is allocated on the inception basis; X, already satisfied, takes its share
    in the period of change (catch_up_adjustment), Y when delivered."""
    c = parse_contract(_two_pos())
    ev = parse_event({"type": "VARIABLE_CONSIDERATION_REASSESSMENT", "effective_date": "2021-03-10",
                      "changes": {"variable": {"method": "most_likely_amount", "estimate": "200", "included": "200"}}})
    r, s = apply_event(c, [], ev, RevenuePolicy(), "IFRS15")
    assert s["catch_up_adjustment"] == "100.00"
    assert s["allocation_after"] == {"X": "700.00", "Y": "700.00"}
    assert by_period(r)["2021-03"] == "100.00" and by_period(r)["2021-06"] == "700.00"
    assert r.to_dict()["events"][-1]["type"] == "VARIABLE_CONSIDERATION_REASSESSMENT"


def test_progress_update_is_a_change_in_estimate():
    data = contract([po("build", pattern="percent_complete", ssp="1000",
                        progress=[{"date": "2021-03-31", "percent": "40"}])], fixed="1000")
    c = parse_contract(data)
    ev = parse_event({"type": "PROGRESS_UPDATE", "effective_date": "2021-05-31",
                      "changes": {"progress": {"build": [{"date": "2021-05-31", "percent": "30"},
                                                         {"date": "2021-08-31", "percent": "100"}]}}})
    r, s = apply_event(c, [], ev, RevenuePolicy(), "IFRS15")
    assert s["catch_up_adjustment"] == "-100.00"
    assert by_period(r)["2021-05"] == "-100.00" and by_period(r)["2021-08"] == "700.00"
    assert r.total_revenue() == Decimal("1000.00")


def test_modification_at_ssp_is_proposed_as_separate_contract():
    data = contract([po("w", ssp="1000", quantity="10", progress=[{"date": "2021-02-01", "units_delivered": "5"}])],
                    fixed="1000")
    ev = {"type": "MODIFICATION", "effective_date": "2021-03-01",
          "changes": {"quantity_delta": {"w": "5"}, "consideration_delta": "500"}}
    r = run(data, events=[ev])
    s = r.events[-1]
    assert s["treatment"] == "separate_contract" and "25-12" in s["rationale"]
    assert s["new_contract"]["performance_obligations"][0]["ssp"] == "500"


def test_stated_treatment_against_the_facts_needs_a_rationale():
    data = contract([po("w", ssp="1000", quantity="10")], fixed="1000")
    ev = {"type": "MODIFICATION", "effective_date": "2021-03-01", "treatment": "cumulative_catch_up",
          "changes": {"consideration_delta": "100"}}
    with pytest.raises(EngineError) as e:
        run(data, events=[ev])
    assert (e.value.code, e.value.field) == ("treatment_rationale_required", "events[0].rationale")


def test_events_are_replayed_in_order_and_rejected_out_of_order():
    c = parse_contract(_two_pos())
    e1 = parse_event({"type": "MODIFICATION", "effective_date": "2021-04-01", "changes": {"consideration_delta": "60"}})
    e0 = parse_event({"type": "MODIFICATION", "effective_date": "2021-02-01", "changes": {"consideration_delta": "10"}})
    with pytest.raises(EngineError) as e:
        recognise(c, RevenuePolicy(), "IFRS15", events=[e1, e0])
    assert (e.value.code, e.value.field) == ("effective_date_before_previous_event", "events[1].effective_date")
    r1 = recognise(c, RevenuePolicy(), "IFRS15", events=[e0, e1])
    r2 = recognise(c, RevenuePolicy(), "IFRS15", events=[e0, e1])
    assert r1.to_json() == r2.to_json() and r1.total_revenue() == Decimal("1270.00")


def test_event_field_errors():
    with pytest.raises(InvalidRevenueInput) as e:
        parse_event({"type": "MODIFICATION", "effective_date": "2021-02-30",
                     "changes": {"quantity_delta": {"w": "x"}, "add_performance_obligations": [{"id": "n"}]}})
    f = fields(e)
    assert ("effective_date", "invalid_date") in f
    assert ("changes.quantity_delta.w", "invalid_number") in f
    assert ("changes.add_performance_obligations[0].pattern", "required") in f
    with pytest.raises(EngineError) as e2:
        run(_two_pos(), events=[{"type": "MODIFICATION", "effective_date": "2021-03-01", "treatment": "prospective",
                                 "changes": {"remove_po_ids": ["Z"]}}])
    assert (e2.value.code, e2.value.field) == ("unknown_po_id", "changes.remove_po_ids")


def test_prospective_modification_adding_a_po():
    """Example 6 facts (55-117..121): X delivered (600); Z added for $300 (not its SSP) → Y and Z share
    600 + 300 = 900, i.e. 450 each."""
    data = contract([po("X", ssp="600", delivered_date="2020-07-01"), po("Y", ssp="600", delivered_date="2021-03-31")],
                    fixed="1200", start="2020-07-01")
    ev = {"type": "MODIFICATION", "effective_date": "2020-11-30",
          "changes": {"consideration_delta": "300",
                      "add_performance_obligations": [po("Z", ssp="600", delivered_date="2021-06-30")]}}
    r = run(data, events=[ev])
    assert r.events[-1]["treatment"] == "prospective"
    assert r.events[-1]["allocation_after"] == {"X": "600.00", "Y": "450.00", "Z": "450.00"}
    assert by_period(r)["2021-03"] == "450.00" and by_period(r)["2021-06"] == "450.00"


def test_deferred_payment_financing_accretes_interest_income():
    """32-15..20 (the other direction of Example 29): goods transferred now, $5,000 due in 2 years at
    6 %: revenue is the cash selling price 5,000 / 1.06² = 4,449.98; the rest is interest income."""
    data = contract([po("asset", ssp="5000", delivered_date="2020-01-01")], fixed="5000", start="2020-01-01",
                    billing=[{"date": "2022-01-01", "amount": "5000"}],
                    tp={"financing": {"discount_rate": "0.06", "compounding": "annual"}})
    r = run(data)
    d = r.to_dict()
    assert d["transaction_price"]["financing_adjustment"] == "-550.02"
    assert by_period(r)["2020-01"] == "4449.98"
    assert sum(Decimal(p["interest"]) for p in d["periods"]) == Decimal("550.02")
    last = d["periods"][-1]
    assert (last["contract_asset"], last["contract_liability"], last["receivable"]) == ("0.00", "0.00", "5000.00")
    assert "FINANCING_INTEREST_INCOME" in {ln.account for e in all_postings(r) for ln in e.lines}


def test_modification_replaces_unbilled_billing():
    """Example 7 with its cash: $100,000 billed each January; the modification replaces the unbilled
    schedule with $80,000 for year 3 and 3 × $66,667 (the last $66,666) for years 4-6. The position
    closes at nil: revenue 480,000 = billing 480,000."""
    bills = [{"date": f"{y}-01-01", "amount": "100000"} for y in (2021, 2022, 2023)]
    data = contract([po("cleaning", pattern="ratable", ssp="300000", end_date="2023-12-31")], fixed="300000",
                    billing=bills)
    new_bills = [{"date": "2023-01-01", "amount": "80000"}, {"date": "2024-01-01", "amount": "66667"},
                 {"date": "2025-01-01", "amount": "66667"}, {"date": "2026-01-01", "amount": "66666"}]
    ev = {"type": "MODIFICATION", "effective_date": "2023-01-01",
          "changes": {"consideration_delta": "180000", "new_end_date": "2026-12-31", "billing": new_bills}}
    r = run(data, policy=RevenuePolicy(ratable_convention="monthly"), events=[ev])
    last = r.to_dict()["periods"][-1]
    assert (last["receivable"], last["contract_asset"], last["contract_liability"]) == ("480000.00", "0.00", "0.00")
    # end 2023: revenue 270,000, billed 280,000 → liability 10,000; January 2024 adds 66,667 − 5,833.33
    assert by_period(r, "contract_liability")["2023-12"] == "10000.00"
    assert by_period(r, "contract_liability")["2024-01"] == "70833.67"
    jan24 = r.to_dict()["periods"][r.period_index("2024-01")]
    assert jan24["billed"] == "66667.00" and jan24["revenue_total"] == "5833.33"


def test_a_late_event_is_caught_up_in_the_first_open_period():
    """A progress update entered after its month was closed: the locked month keeps its entry; the
    difference between the new and the posted entries lands once in the first open period."""
    from backend.engine.revenue import catch_up_entry
    data = contract([po("build", pattern="percent_complete", ssp="1000",
                        progress=[{"date": "2021-03-31", "percent": "40"}])], fixed="1000")
    c = parse_contract(data)
    old = recognise(c, RevenuePolicy(), "IFRS15")
    ev = parse_event({"type": "PROGRESS_UPDATE", "effective_date": "2021-04-30",
                      "changes": {"progress": {"build": [{"date": "2021-04-30", "percent": "55"}]}}})
    new, _ = apply_event(c, [], ev, RevenuePolicy(), "IFRS15")
    locked = ["2021-03", "2021-04"]
    posted = [e for p in posting_periods(old) if p in locked for e in period_postings(old, p)]
    entry, periods = catch_up_entry([e for p in posting_periods(new) if p in locked for e in period_postings(new, p)],
                                    "2021-05", date(2021, 5, 31), replaces=posted)
    assert periods == locked
    assert {(ln.account, str(ln.debit), str(ln.credit)) for ln in entry.lines} == {
        ("REVENUE", "0.00", "150.00"), ("CONTRACT_ASSET", "150.00", "0.00")}


def test_consideration_payable_reduces_the_price():
    """32-25..27 (Example 32): a $1.5m payment to the customer on a $15m commitment, not for a
    distinct good, reduces the transaction price: 10 % less revenue on each sale."""
    data = contract([po("goods", ssp="15000000", quantity="100",
                        progress=[{"date": "2021-01-31", "units_delivered": "10"}])],
                    fixed="15000000", tp={"consideration_payable": "1500000"})
    r = run(data)
    assert r.to_dict()["transaction_price"]["total"] == "13500000.00"
    assert by_period(r)["2021-01"] == "1350000.00"


def test_completed_pos_do_not_count_when_the_treatment_is_proposed():
    """Support ended (ratable, complete) and the build is part done: only the build remains, a single
    partially satisfied PO → cumulative catch-up (25-13(b))."""
    data = contract([po("support", pattern="ratable", ssp="1200", end_date="2021-03-31"),
                     po("build", pattern="percent_complete", ssp="8800",
                        progress=[{"date": "2021-06-30", "percent": "50"}])], fixed="10000")
    ev = {"type": "MODIFICATION", "effective_date": "2021-07-01", "changes": {"consideration_delta": "1000"}}
    r = run(data, events=[ev])
    s = r.events[-1]
    assert s["treatment"] == "cumulative_catch_up"
    # the extra 1,000 follows the inception basis: 120 to the finished support at once, 880 to the build
    assert s["allocation_after"] == {"support": "1320.00", "build": "9680.00"}
    assert s["catch_up_adjustment"] == "560.00"  # 120 + 50 % × 880
