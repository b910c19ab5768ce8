"""Published examples reproduced by the revenue engine, to the printed precision.

Sources: FASB ASC 606-10-55 illustrations (text read in the copy cited in
/work/shared/reference/revenue.md §0, file 55_implementation_guidance); KPMG IFRS 15 handbook §4.2
Example 5; Stripe Revenue Recognition amortisation-granularity docs (the billing-platform example).
ASC prints whole dollars; the engine works in cents, so where the standard rounds (Examples 8,
29, 42) both the cent figure and the printed whole-dollar figure are asserted.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from backend.engine.errors import EngineError
from backend.engine.revenue import RevenuePolicy, all_postings, event_postings, period_postings
from revenue_helpers import by_period, contract, po, run, sum_periods

MONTHLY = RevenuePolicy(ratable_convention="monthly")
DAILY = RevenuePolicy(ratable_convention="daily")


def whole(x):
    """As printed in the ASC illustrations: whole dollars, half up."""
    return Decimal(x).quantize(Decimal(1), ROUND_HALF_UP)


def alloc(result):
    return {k: Decimal(v) for k, v in result.to_dict()["allocation"].items()}


# ------------------------------------------------------------------ allocation (step 4)

def test_example_33_relative_ssp_allocation():
    """ASC 606-10-55-256..258: SSPs A 50 (observable), B 25 (adjusted market), C 75 (cost plus
    margin); price 100 → A 33, B 17, C 50 as printed (whole units: JPY), 33.33/16.67/50.00 in cents."""
    pos = [po("A", ssp="50"), po("B", ssp="25", method="adjusted_market_assessment"),
           po("C", ssp="75", method="expected_cost_plus_margin")]
    assert alloc(run(contract(pos, fixed="100", currency="JPY"))) == {"A": 33, "B": 17, "C": 50}
    assert alloc(run(contract(pos, fixed="100"))) == {"A": Decimal("33.33"), "B": Decimal("16.67"), "C": Decimal("50.00")}


def test_kpmg_telco_bundle_largest_remainder():
    """KPMG IFRS 15 handbook §4.2 Example 5: SSPs 20/30/40, price 80 → 18/27/35 printed (exact
    17.78/26.67/35.56); half-up per line would give 18/27/36 = 81."""
    pos = [po("handset", ssp="20"), po("voice", ssp="30"), po("data", ssp="40")]
    assert alloc(run(contract(pos, fixed="80", currency="JPY"))) == {"handset": 18, "voice": 27, "data": 35}


ABC = [po("A", ssp="40"), po("B", ssp="55"), po("C", ssp="45")]
D_RESIDUAL = po("D", ssp=None, method="residual", ssp_range=["15", "45"])
BC_BUNDLE = {"po_ids": ["B", "C"], "bundle_price": "60", "rationale": "B and C regularly sold together for 60"}


def test_example_34_case_a_discount_to_a_subset():
    """ASC 606-10-55-259..264: SSPs 40/55/45, price 100, B+C regularly sold for 60 → A 40, B 33, C 27."""
    r = run(contract(ABC, fixed="100", discount_allocation=BC_BUNDLE))
    assert alloc(r) == {"A": 40, "B": 33, "C": 27}
    assert any("32-37" in x for x in r.to_dict()["rationale"])


def test_example_34_case_b_residual_within_range():
    """ASC 606-10-55-265..268: add D (SSP highly variable, 15-45), price 130: discount first, then
    the residual: D = 130 − (40 + 60) = 30, within the range → A 40, B 33, C 27, D 30."""
    r = run(contract(ABC + [D_RESIDUAL], fixed="130", discount_allocation=BC_BUNDLE))
    assert alloc(r) == {"A": 40, "B": 33, "C": 27, "D": 30}
    assert r.to_dict()["ssp"]["D"] == "30.00"


def test_example_34_case_c_residual_outside_range_is_refused():
    """ASC 606-10-55-269: price 105 → residual 5, outside 15-45: not a faithful SSP; refused, not used."""
    with pytest.raises(EngineError) as e:
        run(contract(ABC + [D_RESIDUAL], fixed="105", discount_allocation=BC_BUNDLE))
    assert e.value.code == "residual_ssp_outside_range"
    assert e.value.field == "performance_obligations[3].ssp"
    assert e.value.details["residual"] == "5.00"


ROYALTY = "sales-based royalty: recognised only as the sales occur (55-65)"


def test_example_35_case_a_variable_consideration_to_one_po():
    """ASC 606-10-55-270..274: licence X fixed $800 (its SSP), licence Y a 3 % royalty (estimate
    $1,000 ≈ Y's SSP): the royalty goes to Y alone and the $800 to X (32-40, 32-41). Y transfers at
    inception, X a month later; royalties are revenue as the customer's sales occur (here $120)."""
    v = {"type": "royalty", "method": "expected_value", "estimate": "1000", "included": "0",
         "constraint_reason": ROYALTY, "allocated_to": "Y",
         "allocation_rationale": "royalty relates to Y only; $1,000 ≈ Y's SSP, $800 ≈ X's (32-40)"}
    data = contract([po("X", ssp="800", delivered_date="2021-02-01"), po("Y", ssp="1000", delivered_date="2021-01-01")],
                    fixed="800", tp={"variable": v})
    sales = {"type": "VARIABLE_CONSIDERATION_REASSESSMENT", "effective_date": "2021-03-31",
             "changes": {"variable": {"method": "expected_value", "estimate": "1000", "included": "120",
                                      "constraint_reason": ROYALTY}}}
    r = run(data, events=[sales])
    assert r.events[0]["allocation_after"] == {"X": "800.00", "Y": "120.00"}
    assert by_period(r) == {"2021-01": "0.00", "2021-02": "800.00", "2021-03": "120.00"}


def test_example_35_case_b_variable_consideration_by_relative_ssp():
    """ASC 606-10-55-275..278: X fixed $300 + 5 % royalty on Y, allocated by SSP (800 : 1,000): Y
    transfers at inception → $167 (166.67); X three months later → $133 (133.33). A first royalty
    of $200 is spread the same way: $111 (111.11) to Y at once, $89 (88.89) when X transfers."""
    v = {"type": "royalty", "method": "expected_value", "estimate": "1500", "included": "0",
         "constraint_reason": ROYALTY}
    data = contract([po("X", ssp="800", delivered_date="2021-04-01"), po("Y", ssp="1000", delivered_date="2021-01-01")],
                    fixed="300", tp={"variable": v})
    sales = {"type": "VARIABLE_CONSIDERATION_REASSESSMENT", "effective_date": "2021-01-31",
             "changes": {"variable": {"method": "expected_value", "estimate": "1500", "included": "200",
                                      "constraint_reason": ROYALTY}}}
    base = run(data)
    assert alloc(base) == {"X": Decimal("133.33"), "Y": Decimal("166.67")}
    r = run(data, events=[sales])
    assert r.events[0]["catch_up_adjustment"] == "111.11"
    rev = by_period(r)
    assert rev["2021-01"] == "277.78" and rev["2021-04"] == "222.22"  # 166.67 + 111.11; 133.33 + 88.89
    assert {k: whole(v) for k, v in alloc(r).items()} == {"X": 222, "Y": 278}


# ------------------------------------------------------------------ transaction price (step 3)

def _ex23(estimate, included, reason=""):
    v = {"type": "price_concession", "method": "expected_value", "estimate": estimate, "included": included,
         "constraint_reason": reason}
    return run(contract([po("products", ssp="100000", delivered_date="2017-12-01")], fixed="0",
                        start="2017-12-01", tp={"variable": v}))


def test_example_23_case_a_estimate_not_constrained():
    """ASC 606-10-55-210..212: expected value $80,000, not constrained → $80,000 revenue on 1 Dec 20X7."""
    r = _ex23("80000", "80000")
    assert by_period(r)["2017-12"] == "80000.00"


def test_example_23_case_b_estimate_constrained_both_kept():
    """ASC 606-10-55-213..215: expected value $60,000 but only $50,000 included after the constraint;
    the engine keeps both, recognises $50,000."""
    r = _ex23("60000", "50000", "broad range of concessions, obsolescence risk (32-12(a),(e))")
    tp = r.to_dict()["transaction_price"]
    assert (tp["variable_estimate"], tp["variable_included"], tp["total"]) == ("60000.00", "50000.00", "50000.00")
    assert by_period(r)["2017-12"] == "50000.00"


def test_example_23_constraint_needs_a_reason():
    with pytest.raises(EngineError) as e:
        _ex23("60000", "50000")
    assert (e.value.code, e.value.field) == ("constraint_reason_required", "transaction_price.variable.constraint_reason")


def _ex24():
    vd = {"type": "volume_discount", "method": "most_likely_amount", "list_unit_price": "100",
          "discounted_unit_price": "90", "threshold_units": "1000",
          "estimates": [{"as_of": "2018-01-01", "expect_threshold_exceeded": False},
                        {"as_of": "2018-05-15", "expect_threshold_exceeded": True}]}
    units = [{"date": "2018-03-31", "units_delivered": "75"}, {"date": "2018-06-30", "units_delivered": "575"}]
    # quantity: expected purchases in the year (any figure gives the same per-unit revenue)
    return contract([po("product_a", ssp="120000", quantity="1200", progress=units)], fixed="120000",
                    start="2018-01-01", tp={"variable": vd})


def test_example_24_volume_discount_catch_up():
    """ASC 606-10-55-216..220: Q1 75 units at $100 → $7,500; Q2 500 units, threshold now expected
    to be exceeded → $44,250 = 500 × 90 − 75 × 10."""
    r = run(_ex24())
    assert sum_periods(r, "2018-01", "2018-03") == Decimal("7500.00")
    assert sum_periods(r, "2018-04", "2018-06") == Decimal("44250.00")


def test_example_24_reassessment_event_reports_the_catch_up():
    """The VARIABLE_CONSIDERATION_REASSESSMENT run on the May estimate: catch-up −750 (75 units × $10)."""
    ev = {"type": "VARIABLE_CONSIDERATION_REASSESSMENT", "effective_date": "2018-05-15", "changes": {}}
    r = run(_ex24(), events=[ev])
    s = r.events[-1]
    assert s["catch_up_adjustment"] == "-750.00"
    assert s["transaction_price_after"]["variable_included"] == "-12000.00"  # 1,200 expected units × −$10
    assert sum_periods(r, "2018-04", "2018-06") == Decimal("44250.00")


def test_example_24_with_an_event_before_the_later_estimate():
    """Events and dated estimates replay in one date order: a progress update on 30 April, before
    the 15 May estimate, changes nothing in the quarter figures."""
    ev = {"type": "PROGRESS_UPDATE", "effective_date": "2018-04-30",
          "changes": {"progress": {"product_a": [{"date": "2018-04-30", "units_delivered": "75"}]}}}
    r = run(_ex24(), events=[ev])
    assert sum_periods(r, "2018-04", "2018-06") == Decimal("44250.00")


def test_example_29_advance_payment_financing_component():
    """ASC 606-10-55-240..243: $4,000 paid at signing, transfer in 2 years, 6 % incremental borrowing
    rate: interest $494 (= 4,000 × (1.06² − 1) = 494.40), revenue $4,494 on transfer."""
    data = contract([po("asset", ssp="4000", delivered_date="2022-01-01")], fixed="4000", start="2020-01-01",
                    billing=[{"date": "2020-01-01", "amount": "4000"}],
                    tp={"financing": {"discount_rate": "0.06", "compounding": "annual"}})
    r = run(data)
    d = r.to_dict()
    assert d["transaction_price"]["financing_adjustment"] == "494.40"
    assert by_period(r)["2022-01"] == "4494.40"
    assert whole(by_period(r)["2022-01"]) == 4494
    interest = sum(Decimal(p["interest"]) for p in d["periods"])
    assert interest == Decimal("-494.40") and whole(interest) == -494
    # before transfer the liability is the cash plus accreted interest; nothing left after
    assert by_period(r, "contract_liability")["2021-12"] == str(Decimal("4000") + -sum_periods(r, "2020-01", "2021-12", "interest"))
    assert by_period(r, "contract_liability")["2022-01"] == "0.00"
    accounts = {ln.account for e in all_postings(r) for ln in e.lines}
    assert "FINANCING_INTEREST_EXPENSE" in accounts


def test_example_29_expedient_does_not_apply_beyond_one_year():
    """32-18: the expedient only covers ≤ 1 year; 2 years in advance still adjusts. Within a year it does not."""
    data = contract([po("asset", ssp="4000", delivered_date="2020-12-01")], fixed="4000", start="2020-01-01",
                    billing=[{"date": "2020-01-01", "amount": "4000"}],
                    tp={"financing": {"discount_rate": "0.06", "compounding": "annual"}})
    d = run(data).to_dict()
    assert d["transaction_price"]["financing_adjustment"] == "0.00"
    assert "practical expedient" in " ".join(d["rationale"])


# ------------------------------------------------------------------ balances (45-1..45-5)

def test_example_39_contract_asset_then_receivable():
    """ASC 606-10-55-287..290: A (400) delivered first, payment of $1,000 conditional on B (600):
    Dr contract asset 400 / Cr revenue 400; then Dr receivable 1,000 / Cr contract asset 400 / Cr revenue 600."""
    data = contract([po("A", ssp="400", delivered_date="2018-01-15"), po("B", ssp="600", delivered_date="2018-02-20")],
                    fixed="1000", start="2018-01-01", billing=[{"date": "2018-02-20", "amount": "1000"}])
    r = run(data)
    jan, = period_postings(r, "2018-01")
    assert sorted((ln.account, str(ln.debit), str(ln.credit)) for ln in jan.lines) == [
        ("CONTRACT_ASSET", "400.00", "0.00"), ("REVENUE", "0.00", "400.00")]
    feb, = period_postings(r, "2018-02")
    assert sorted((ln.account, str(ln.debit), str(ln.credit)) for ln in feb.lines) == [
        ("CONTRACT_ASSET", "0.00", "400.00"), ("RECEIVABLE", "1000.00", "0.00"), ("REVENUE", "0.00", "600.00")]
    assert by_period(r, "contract_asset") == {"2018-01": "400.00", "2018-02": "0.00"}


def test_example_38_case_b_receivable_and_contract_liability():
    """ASC 606-10-55-285: the right becomes unconditional on 31 Jan 20X9 (billing): Dr receivable 1,000 /
    Cr contract liability 1,000; on 31 Mar the product transfers: Dr contract liability / Cr revenue.
    (Cash on 1 Mar is the ledger's, not the engine's.)"""
    data = contract([po("product", ssp="1000", delivered_date="2019-03-31")], fixed="1000", start="2019-01-01",
                    billing=[{"date": "2019-01-31", "amount": "1000"}])
    r = run(data)
    jan, = period_postings(r, "2019-01")
    assert sorted((ln.account, str(ln.debit), str(ln.credit)) for ln in jan.lines) == [
        ("CONTRACT_LIABILITY", "0.00", "1000.00"), ("RECEIVABLE", "1000.00", "0.00")]
    assert period_postings(r, "2019-02") == []
    mar, = period_postings(r, "2019-03")
    assert sorted((ln.account, str(ln.debit), str(ln.credit)) for ln in mar.lines) == [
        ("CONTRACT_LIABILITY", "1000.00", "0.00"), ("REVENUE", "0.00", "1000.00")]


# ------------------------------------------------------------------ recognition conventions

STRIPE = contract([po("sub", pattern="ratable", ssp="120", start_date="2026-06-15", end_date="2026-10-12")],
                  fixed="120", start="2026-06-15")


def test_stripe_by_day_convention():
    """Stripe Revenue Recognition, amortisation granularity: 120 USD from 2026-06-15 12:00 to
    2026-10-13 12:00, "by day" (last day cut off) → 16 / 31 / 31 / 30 / 12."""
    assert list(by_period(run(STRIPE, policy=DAILY)).values()) == ["16.00", "31.00", "31.00", "30.00", "12.00"]


def test_stripe_by_month_evenly_convention():
    """Same contract, "by month evenly" (last month cut off) → 30 × 4 (June to September), October 0."""
    assert list(by_period(run(STRIPE, policy=MONTHLY)).values()) == ["30.00", "30.00", "30.00", "30.00", "0.00"]


# ------------------------------------------------------------------ RPO (50-13..15)

def _ex42(external_id, fixed, variable=None, **po_kw):
    tp = {"variable": variable} if variable else {}
    return contract([po("cleaning", pattern="ratable", ssp=fixed, start_date="2017-07-01", end_date="2019-06-30",
                        **po_kw)], fixed=fixed, start="2017-07-01", external_id=external_id, tp=tp)


def test_example_42_contract_b_rpo_bands():
    """ASC 606-10-55-301..302: $400/month for 2 years from 1 July 20X7 → RPO at 31 Dec 20X7:
    20X8 $4,800, 20X9 $2,400, total $7,200."""
    rpo = run(_ex42("B", "9600"), policy=MONTHLY, as_of=date(2017, 12, 31)).to_dict()["rpo"]
    assert rpo["total"] == "7200.00"
    assert rpo["time_bands"]["by_year"] == {"2018": "4800.00", "2019": "2400.00"}
    assert rpo["time_bands"]["within_12_months"] == "4800.00"


def test_example_42_contract_c_variable_included():
    """ASC 606-10-55-303..304: $100 × 24 + $750 variable included = $3,150, $131.25/month →
    20X8 $1,575, 20X9 $788 (787.50), total $2,363 (2,362.50); H2 20X7 revenue 787.50."""
    vc = {"type": "performance_bonus", "method": "expected_value", "estimate": "750", "included": "750"}
    r = run(_ex42("C", "2400", vc, ), policy=MONTHLY, as_of=date(2017, 12, 31))
    rpo = r.to_dict()["rpo"]
    assert rpo["total"] == "2362.50" and whole(rpo["total"]) == 2363
    assert rpo["time_bands"]["by_year"] == {"2018": "1575.00", "2019": "787.50"}
    assert by_period(r)["2017-07"] == "131.25"
    assert sum_periods(r, "2017-07", "2017-12") == Decimal("787.50")


def test_example_42_contract_c_daily_convention_differs():
    """The daily convention over the same term with a leap day (20X7 = 2019) gives 792.89 for the
    first half-year instead of 787.50: the reason the convention is a recorded policy."""
    vc = {"type": "performance_bonus", "method": "expected_value", "estimate": "750", "included": "750"}
    data = contract([po("cleaning", pattern="ratable", ssp="2400", start_date="2019-07-01", end_date="2021-06-30")],
                    fixed="2400", start="2019-07-01", tp={"variable": vc})
    assert sum_periods(run(data, policy=DAILY), "2019-07", "2019-12") == Decimal("792.89")


def test_example_42_contract_a_right_to_invoice_expedient():
    """ASC 606-10-55-299..300: Contract A (hourly, right to invoice) may be left out under 50-14(b)."""
    pol = RevenuePolicy(ratable_convention="monthly", rpo_expedients=("right_to_invoice",))
    rpo = run(_ex42("A", "9600", right_to_invoice=True), policy=pol, as_of=date(2017, 12, 31)).to_dict()["rpo"]
    assert rpo["total"] == "0.00"
    assert rpo["omitted"][0]["expedient"] == "right_to_invoice"


# ------------------------------------------------------------------ modifications (25-10..13)

def _ex5(billing=()):
    units = [{"date": "2021-02-28", "units_delivered": "60"}, {"date": "2021-05-31", "units_delivered": "90"},
             {"date": "2021-06-30", "units_delivered": "150"}]
    return contract([po("product", ssp="12000", quantity="120", progress=units)], fixed="12000", billing=billing)


def test_example_5_case_b_prospective_with_credit():
    """ASC 606-10-55-114..116: 60 of 120 products ($100) delivered; +30 products for $1,500 ($2,400
    less a $900 credit for defects). The $900 reduces revenue at the modification; the remaining 90
    products earn the blended $93.33 (8,400 / 90)."""
    ev = {"type": "MODIFICATION", "effective_date": "2021-04-01",
          "changes": {"quantity_delta": {"product": "30"}, "consideration_delta": "1500", "credit": "900"}}
    r = run(_ex5(), events=[ev])
    s = r.events[-1]
    assert s["treatment"] == "prospective" and s["proposed_treatment"] == "prospective"
    assert "25-13(a)" in s["rationale"]
    assert s["catch_up_adjustment"] == "-900.00"
    assert (s["transaction_price_before"]["total"], s["transaction_price_after"]["total"]) == ("12000.00", "13500.00")
    rev = by_period(r)
    assert sum_periods(r, "2021-01", "2021-03") == Decimal("6000.00")
    assert rev["2021-04"] == "-900.00"
    assert rev["2021-05"] == "2800.00"          # 30 units × 93.33...
    assert rev["2021-06"] == "5600.00"          # 60 units
    assert (Decimal(rev["2021-05"]) / 30).quantize(Decimal("0.01")) == Decimal("93.33")
    assert r.total_revenue() == Decimal("13500.00")


def test_example_5_case_a_separate_contract():
    """ASC 606-10-55-112..113: +30 products at $95 each, their SSP at the modification date: a separate
    contract; the original keeps $100 per product. The engine proposes from the inception SSP ($100),
    so the accountant states the treatment with the rationale, which is recorded."""
    ev = {"type": "MODIFICATION", "effective_date": "2021-04-01", "treatment": "separate_contract",
          "rationale": "$95 is the SSP at the modification date (25-12(b))",
          "changes": {"quantity_delta": {"product": "30"}, "consideration_delta": "2850"}}
    base = run(_ex5())
    r = run(_ex5(), events=[ev])
    s = r.events[-1]
    assert s["treatment"] == "separate_contract" and s["proposed_treatment"] == "prospective"
    assert "$95 is the SSP" in s["rationale"]
    assert s["new_contract"]["transaction_price"] == {"fixed": "2850"}
    assert s["new_contract"]["performance_obligations"][0]["quantity"] == "30"
    assert by_period(r) == by_period(base)


def test_example_5_case_a_proposed_from_the_ssp_matrix():
    """Same facts with the product's SSP in the matrix ($100 at inception, $95 from the modification
    date): the engine itself proposes the separate contract (25-12)."""
    rows = [{"sku": "P", "currency": "USD", "ssp": "100", "effective_from": "2020-01-01", "effective_to": "2021-03-31"},
            {"sku": "P", "currency": "USD", "ssp": "95", "effective_from": "2021-04-01"}]
    data = _ex5()
    data["performance_obligations"][0].update(ssp=None, sku="P")
    del data["performance_obligations"][0]["ssp"]
    ev = {"type": "MODIFICATION", "effective_date": "2021-04-01",
          "changes": {"quantity_delta": {"product": "30"}, "consideration_delta": "2850"}}
    r = run(data, events=[ev], ssp_rows=rows)
    s = r.events[-1]
    assert s["treatment"] == s["proposed_treatment"] == "separate_contract"
    assert s["new_contract"]["performance_obligations"][0]["ssp"] == "2850"
    assert r.total_revenue() == Decimal("12000.00")


def test_example_7_prospective_services_monthly():
    """ASC 606-10-55-125..128: $100,000 a year for 3 years; at the start of year 3 the fee is cut to
    $80,000 and 3 years are added for $200,000 → (80,000 + 200,000) / 4 = $70,000 a year."""
    data = contract([po("cleaning", pattern="ratable", ssp="300000", end_date="2023-12-31")], fixed="300000")
    ev = {"type": "MODIFICATION", "effective_date": "2023-01-01",
          "changes": {"consideration_delta": "180000", "new_end_date": "2026-12-31"}}
    r = run(data, policy=MONTHLY, events=[ev])
    assert r.events[-1]["treatment"] == "prospective"
    for y, v in (("2021", "100000"), ("2022", "100000"), ("2023", "70000"), ("2024", "70000"), ("2026", "70000")):
        assert sum_periods(r, f"{y}-01", f"{y}-12") == Decimal(v)


def test_example_7_daily_convention_leap_year():
    """Same modification, daily convention: 2024 has 366 of the 1,461 remaining days →
    280,000 × 366 / 1,461 = 70,143.7303 → 70,143.73 (the reference notes print 70,143.74; both the
    exact share and the cumulative-rounding difference give .73)."""
    data = contract([po("cleaning", pattern="ratable", ssp="300000", end_date="2023-12-31")], fixed="300000")
    ev = {"type": "MODIFICATION", "effective_date": "2023-01-01",
          "changes": {"consideration_delta": "180000", "new_end_date": "2026-12-31"}}
    r = run(data, policy=DAILY, events=[ev])
    assert sum_periods(r, "2024-01", "2024-12") == Decimal("70143.73")


def test_example_8_cumulative_catch_up():
    """ASC 606-10-55-129..133: $1m + $200k bonus (constrained), costs 420k of 700k (60 %) → $600,000
    in year 1; the modification adds $150k and $120k of costs and the bonus becomes included:
    1,350,000 × 420/820 − 600,000 = 91,463.41 (printed $91,200 from 51.2 % rounded)."""
    vc = {"type": "performance_bonus", "method": "most_likely_amount", "estimate": "200000", "included": "0",
          "constraint_reason": "weather and regulatory approvals; limited experience (32-12(a),(c))"}
    data = contract([po("building", pattern="percent_complete", ssp="1000000",
                        progress=[{"date": "2021-12-31", "costs_incurred_to_date": "420000",
                                   "total_expected_costs": "700000"}])],
                    fixed="1000000", tp={"variable": vc})
    ev = {"type": "MODIFICATION", "effective_date": "2022-02-15",
          "changes": {"consideration_delta": "150000", "expected_costs_delta": "120000",
                      "variable": {"method": "most_likely_amount", "estimate": "200000", "included": "200000"}}}
    r = run(data, events=[ev])
    s = r.events[-1]
    assert sum_periods(r, "2021-01", "2021-12") == Decimal("600000.00")
    assert s["treatment"] == "cumulative_catch_up" and "25-13(b)" in s["rationale"]
    assert s["transaction_price_after"]["total"] == "1350000.00"
    assert s["catch_up_adjustment"] == "91463.41"
    assert by_period(r)["2022-02"] == "91463.41"
    before = run(data)
    eff, = event_postings(before, r, "2022-02")
    assert sorted((ln.account, str(ln.debit), str(ln.credit)) for ln in eff.lines) == [
        ("CONTRACT_ASSET", "91463.41", "0.00"), ("REVENUE", "0.00", "91463.41")]
    # the printed $91,200 is 51.2 % (rounded progress) × 1,350,000 − 600,000; at full precision the
    # progress is 420/820 = 51.2195 %, hence 91,463.41


def test_example_6_variable_consideration_change_after_a_prospective_modification():
    """ASC 606-10-55-117..124: X (delivered 1 Jul 20X0) and Y share $1,200 (1,000 fixed + 200 VC);
    on 30 Nov Z is added for $300 (not its SSP): Y and Z take 450 each. Then VC rises to $240:
    32-45(a) puts $20 on X at once and $20 on Y, which the modified contract shares with Z →
    Y $460 on 31 Mar 20X1, Z $460 on 30 Jun 20X1."""
    vc = {"type": "bonus", "method": "expected_value", "estimate": "200", "included": "200"}
    data = contract([po("X", ssp="600", delivered_date="2020-07-01"), po("Y", ssp="600", delivered_date="2021-03-31")],
                    fixed="1000", start="2020-07-01", tp={"variable": vc})
    mod = {"type": "MODIFICATION", "effective_date": "2020-11-30",
           "changes": {"consideration_delta": "300",
                       "add_performance_obligations": [po("Z", ssp="600", delivered_date="2021-06-30")]}}
    vca = {"type": "VARIABLE_CONSIDERATION_REASSESSMENT", "effective_date": "2020-12-15",
           "changes": {"variable": {"method": "expected_value", "estimate": "240", "included": "240"}}}
    r = run(data, events=[mod, vca])
    assert r.events[0]["allocation_after"] == {"X": "600.00", "Y": "450.00", "Z": "450.00"}
    assert r.events[1]["allocation_after"] == {"X": "620.00", "Y": "460.00", "Z": "460.00"}
    assert r.events[1]["catch_up_adjustment"] == "20.00"
    rev = by_period(r)
    assert (rev["2020-07"], rev["2020-12"], rev["2021-03"], rev["2021-06"]) == ("600.00", "20.00", "460.00", "460.00")
