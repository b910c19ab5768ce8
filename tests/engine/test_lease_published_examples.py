"""Published worked examples reproduced to their printed precision.

Sources (figures as printed; see /work/shared/reference/leases.md for where each was read):
- IFRS 16 Illustrative Example 13 (and the Example 17 base lease), IFRS Foundation.
- ASC 842-20-55-42/43, Example 4 (operating lease, escalating rent, IDC, incentive).
- PwC "Leases" guide (US GAAP): Examples 3-18/4-2/4-11 (finance), 4-4/4-13 (monthly
  operating), 4-3/4-12 (purchase option, incentive, implicit rate).
Whole-unit assertions round the engine's cent-precise figures half-up.
"""

from decimal import Decimal

from backend.engine.journal import assert_balanced
from backend.engine.leases import (LeasePolicy, all_postings, commencement_postings, compute_schedule,
                                   implicit_rate, parse_lease)

from lease_helpers import annual_totals, whole, PWC_PURCHASE_OPTION


# --------------------------------------------------------------- IFRS 16 IE 13
IE13 = {
    # 10-year lease, CU50,000 a year payable at the beginning of each year, 5 %;
    # IDC 20,000 (15,000 to the former tenant + 5,000 commission); incentive 5,000.
    "currency": "EUR", "asset_class": "building",
    "commencement_date": "2024-01-01", "end_date": "2033-12-31",
    "payments": [{"from": "2024-01-01", "to": "2033-12-31", "amount": "50000",
                  "frequency": "annual", "timing": "advance"}],
    "discount_rate": "0.05", "initial_direct_costs": "20000", "lease_incentives_received": "5000",
}


def test_ifrs16_ie13_initial_measurement_and_entries(build):
    s = build(IE13)
    # IE 13: lease liability 355,391 (PV of the 9 remaining payments at 5 %)
    assert whole(s.initial_liability) == 355391
    # ROU: 355,391 + 50,000 (first payment) + 20,000 IDC - 5,000 incentive = 420,391
    assert whole(s.initial_rou_asset) == 420391
    (entry,) = commencement_postings(s)
    assert_balanced(entry)
    by = {}
    for ln in entry.lines:
        by.setdefault(ln.account, []).append((ln.debit, ln.credit))
    # IE 13 journal: Dr ROU 405,391 / Cr liability 355,391 / Cr cash 50,000; Dr ROU 20,000 / Cr cash 20,000;
    # Dr cash 5,000 / Cr ROU 5,000 -- posted here as one entry with gross cash lines.
    assert whole(by["LEASE_LIABILITY_NONCURRENT"][0][1]) == 355391
    assert sorted(whole(c) for d, c in by["CASH"] if c) == [20000, 50000]
    assert [whole(d) for d, c in by["CASH"] if d] == [5000]


def test_ifrs16_ie13_first_year(build):
    s = build(IE13)
    # Computed from IE 13's figures: year-1 interest 355,391 x 5 % = 17,770; liability at the end of
    # year 1 (before the second payment) 373,161; depreciation 420,391 / 10 = 42,039 a year.
    assert whole(annual_totals(s, "interest", 1)[0]) == 17770
    assert whole(s.periods[11]["closing_liability"]) == 373161
    assert whole(annual_totals(s, "depreciation", 1)[0]) == 42039
    assert s.periods[12]["payment"] == Decimal("50000.00")


# --------------------------------------------------------------- IFRS 16 IE 17 base lease
IE17 = {
    # 10-year lease of 5,000 m2, CU50,000 payable at the end of each year, 6 %.
    "currency": "EUR", "commencement_date": "2024-01-01", "end_date": "2033-12-31",
    "payments": [{"from": "2024-12-31", "to": "2033-12-31", "amount": "50000",
                  "frequency": "annual", "timing": "arrears"}],
    "discount_rate": "0.06",
}


def test_ifrs16_ie17_base_lease(build):
    s = build(IE17)
    # IE 17: initial liability and ROU asset 368,004
    assert whole(s.initial_liability) == 368004
    assert whole(s.initial_rou_asset) == 368004
    # At the beginning of year 6 (before the modification) IE 17 shows the liability 210,618 and the
    # ROU asset 184,002 (half of each is derecognised: 105,309 and 92,001).
    assert whole(s.periods[59]["closing_liability"]) == 210618
    assert whole(s.periods[59]["closing_rou_asset"]) == 184002


def test_arrears_from_commencement_reads_as_period_start(build):
    # Same lease, stream written as from=commencement: the payments still fall on 31 Dec each year.
    data = dict(IE17, payments=[dict(IE17["payments"][0], **{"from": "2024-01-01"})])
    s = build(data)
    assert whole(s.initial_liability) == 368004
    assert [f["date"] for f in s.cash_flows][:2] == ["2024-12-31", "2025-12-31"]


# --------------------------------------------------------------- ASC 842-20-55 Example 4
ASC_EX4 = {
    # 10 annual payments in arrears, 10,000 in year 1 rising 5 % a year, discounted at 6 %;
    # IDC 5,000; incentive 10,000 received at commencement.
    "currency": "USD", "commencement_date": "2024-01-01", "end_date": "2033-12-31",
    "payments": [{"from": "2024-12-31", "to": "2033-12-31", "amount": "10000", "frequency": "annual",
                  "timing": "arrears",
                  # the published total (125,779) and the maturity table in the reference notes
                  # grow the base amount by all steps and round once: pinned here, since the
                  # engine's default rounds each step as invoices are (test_lease_conventions)
                  "escalation": {"percent": "5", "every_months": 12, "rounding": "from_base"}}],
    "discount_rate": "0.06", "initial_direct_costs": "5000", "lease_incentives_received": "10000",
    "economic_life_months": 480, "fair_value": "1000000", "specialized_asset": False,
}


def test_asc842_example4_operating_lease(build):
    s = build(ASC_EX4, "ASC842")
    assert s.classification == "operating"
    # 842-20-55-42: lease liability 90,434; ROU asset 85,434 (90,434 + 5,000 IDC - 10,000 incentive)
    assert whole(s.initial_liability) == 90434
    assert whole(s.initial_rou_asset) == 85434
    # 842-20-55-43: single lease cost (125,779 - 10,000 + 5,000) / 10 = 12,078 a year
    assert {whole(c) for c in annual_totals(s, "lease_cost", 10)} == {12078}
    # Exact tie-out: each escalated payment is rounded to the cent once (125,778.92 in total).
    paid = sum(Decimal(f["amount"]) for f in s.cash_flows)
    assert paid == Decimal("125778.92")
    assert sum(p["lease_cost"] for p in s.periods) == paid + 5000 - 10000
    # Computed (reference §1.6 / §4.2): end of year 1 liability 85,860 and ROU 78,782; current
    # portion under the principal method 5,348.41; accrued rent 2,578 (= 12,578 - 10,000).
    y1 = s.periods[11]
    assert whole(y1["closing_liability"]) == 85860
    assert whole(y1["closing_rou_asset"]) == 78782
    assert y1["liability_current"] == Decimal("5348.41")
    assert whole(y1["accrued_lease_liability"]) == 2578
    assert s.periods[-1]["closing_rou_asset"] == 0 and s.periods[-1]["closing_liability"] == 0


# --------------------------------------------------------------- PwC Examples 3-18 / 4-2 / 4-11 (finance)
PWC_FINANCE = {
    # Digital imaging equipment: 5 years, economic life 6 years, 1,100 a year on 1 January (first at
    # commencement), IBR 7 %, fair value 5,000, no purchase option, not specialised.
    "currency": "USD", "asset_class": "equipment", "commencement_date": "2019-01-01", "end_date": "2023-12-31",
    "payments": [{"from": "2019-01-01", "to": "2023-12-31", "amount": "1100", "frequency": "annual",
                  "timing": "advance"}],
    "discount_rate": "0.07", "economic_life_months": 72, "fair_value": "5000", "specialized_asset": False,
}


def test_pwc_finance_lease_classification_and_schedule(build):
    s = build(PWC_FINANCE, "ASC842")
    assert s.classification == "finance"
    met = {t["test"] for t in s.classification_tests if t["result"] == "met"}
    # Example 3-18: major part of the economic life (5/6) and PV ~97 % of fair value ($4,825 / $5,000)
    assert met == {"lease_term_major_part_of_economic_life", "present_value_substantially_all_fair_value"}
    # Example 4-2 prints the liability as $3,725 and the ROU asset as $4,825 (exact: 3,725.93 and
    # 4,825.93; PwC truncates), so compare the whole units printed.
    assert int(s.initial_liability) == 3725 and int(s.initial_rou_asset) == 4825
    assert s.initial_liability == Decimal("3725.93")
    # Example 4-11: amortisation 965 a year; interest 261, 202, 139 in years 1-3. (Year 4's printed
    # 73 is PwC's plug for the truncated 3,725; the exact figure is 71.96.)
    assert [whole(x) for x in annual_totals(s, "depreciation", 5)] == [965] * 5
    assert [whole(x) for x in annual_totals(s, "interest", 3)] == [261, 202, 139]
    assert annual_totals(s, "interest", 4)[3] == Decimal("71.96")
    assert sum(p["interest"] for p in s.periods) == Decimal("4400.00") - s.initial_liability
    # Total expense falls from 1,226 in year 1 to 965 in year 5 (Example 4-11 text).
    cost = annual_totals(s, "lease_cost", 5)
    assert whole(cost[0]) == 1226 and whole(cost[4]) == 965


# --------------------------------------------------------------- PwC Examples 4-4 / 4-13 (monthly operating)
PWC_MONTHLY = {
    # Automobile: 3 years, 500 a month at the beginning of each month, IBR 6 %, economic life 6 years,
    # fair value 30,000, purchase option at fair market value (not reasonably certain).
    "currency": "USD", "asset_class": "vehicle", "commencement_date": "2019-01-01", "end_date": "2021-12-31",
    "payments": [{"from": "2019-01-01", "to": "2021-12-01", "amount": "500", "frequency": "monthly",
                  "timing": "advance"}],
    "discount_rate": "0.06", "economic_life_months": 72, "fair_value": "30000", "specialized_asset": False,
    "purchase_option": {"price": "0", "reasonably_certain": False},
}


def test_pwc_monthly_operating_lease(build):
    s = build(PWC_MONTHLY, "ASC842")
    assert s.classification == "operating"
    # Example 4-4: liability 16,018; ROU 16,518 (liability + the $500 paid at commencement)
    assert whole(s.initial_liability) == 16018 and whole(s.initial_rou_asset) == 16518
    # Example 4-13: "interest" 820 / 500 / 162, liability 11,338 / 5,838 / 0, payments 5,500 / 6,000 / 6,000,
    # straight-line cost 6,000 a year, ROU 11,338 / 5,838 / 0.
    assert [whole(x) for x in annual_totals(s, "payment", 3)] == [5500, 6000, 6000]
    # End of year 2 is PV(12 x 500 in advance at 0.5 %) = 5,838.52 exactly; PwC prints 5,838 (truncated,
    # as it truncates 3,725.93 in Example 4-2), years 1 and 3 round normally.
    assert s.periods[23]["closing_liability"] == Decimal("5838.52")
    closing = [whole(s.periods[11]["closing_liability"]), int(s.periods[23]["closing_liability"]),
               whole(s.periods[35]["closing_liability"])]
    assert closing == [11338, 5838, 0]
    # PwC's printed interest is the movement of its rounded balances (16,018 -> 11,338 -> 5,838 -> 0);
    # the engine's exact annual interest is 820.15 / 500.68 / 161.48 (reference §3 notes 162 vs 161.49).
    printed = [820, 500, 162]
    balances = [16018] + closing
    pays = [5500, 6000, 6000]
    assert [balances[y + 1] - balances[y] + pays[y] for y in range(3)] == printed
    assert whole(annual_totals(s, "interest", 1)[0]) == 820
    assert whole(sum(p["interest"] for p in s.periods)) == sum(printed)
    assert [whole(x) for x in annual_totals(s, "lease_cost", 3)] == [6000] * 3
    assert [s.periods[k]["closing_rou_asset"] for k in (11, 23, 35)] == [
        s.periods[k]["closing_liability"] for k in (11, 23, 35)]  # ROU = liability: no IDC, incentive or accrual


def test_pwc_monthly_rate_convention_matters(build):
    # Reference §1.4: the effective monthly rate would give 16,054.67 instead of 16,018 -- PwC behaves as r/12.
    s = build(dict(PWC_MONTHLY, rate_convention="effective"), "ASC842")
    assert s.initial_liability == Decimal("16054.67")


# --------------------------------------------------------------- PwC Examples 3-19 / 4-3 / 4-12 (purchase option)


def test_pwc_implicit_rate_and_purchase_option_schedule():
    terms = parse_lease(PWC_PURCHASE_OPTION)
    rate = implicit_rate(terms, LeasePolicy())
    # Example 4-3: "approximately 9.04 %"; reference §1.2 re-solves 9.04088 %.
    assert rate.quantize(Decimal("0.0000001")) == Decimal("0.0904088")
    s = compute_schedule(terms, LeasePolicy(), "ASC842", discount_rate=rate)
    assert s.classification == "finance"
    # Example 4-3: liability 4,500,000, ROU 5,000,000
    assert whole(s.initial_liability) == 4500000 and whole(s.initial_rou_asset) == 5000000
    # Example 4-12 interest, years 1-9 (year 10's 248,737 is PwC's plug at its rounded rate)
    assert [whole(x) for x in annual_totals(s, "interest", 9)] == [
        406840, 415143, 404718, 391912, 376466, 358098, 336497, 311323, 282206]
    # ROU depreciated over the 40-year useful life: a residual stays at the end of the lease.
    assert s.depreciation_months == 480
    assert whole(s.rou_residual_at_end) == 5000000 - 5000000 * 120 // 480
    for e in all_postings(s):
        assert_balanced(e)


# --------------------------------------------------------------- short-term exemption
def test_short_term_exemption(build):
    # IFRS 16.5-8 / ASC 842-20-25-2: a 12-month lease, elected for the class, is expensed straight-line;
    # no ROU asset or liability. A rent-free first month gives an accrued-rent balance.
    data = {"currency": "USD", "asset_class": "office", "commencement_date": "2024-01-01",
            "end_date": "2024-12-31", "discount_rate": "0.05",
            "payments": [{"from": "2024-02-01", "to": "2024-12-01", "amount": "1200", "frequency": "monthly",
                          "timing": "advance"}]}
    for std in ("IFRS16", "ASC842"):
        s = build(data, std)
        assert s.exemption == "short_term" and s.classification is None
        assert s.initial_liability is None and s.initial_rou_asset is None
        assert [p["lease_cost"] for p in s.periods] == [Decimal("1100.00")] * 12
        assert s.periods[0]["accrued_lease_liability"] == Decimal("1100.00")
        assert s.periods[-1]["accrued_lease_liability"] == 0
        assert commencement_postings(s) == []
    # IFRS: any purchase option disqualifies; ASC: only a reasonably certain one.
    with_po = dict(data, purchase_option={"price": "100", "reasonably_certain": False})
    assert build(with_po, "IFRS16").exemption is None
    assert build(with_po, "ASC842").exemption == "short_term"


def test_low_value_exemption_is_ifrs_only(build):
    data = {"currency": "USD", "asset_class": "it", "commencement_date": "2024-01-01", "end_date": "2026-12-31",
            "discount_rate": "0.05", "underlying_asset_value_new": "1500",
            "payments": [{"from": "2024-01-01", "to": "2026-12-01", "amount": "50", "frequency": "monthly"}]}
    assert build(data, "IFRS16").exemption == "low_value"
    assert build(data, "ASC842").exemption is None
    assert build(data, "IFRS16", policy=LeasePolicy(low_value_classes=())).exemption is None
