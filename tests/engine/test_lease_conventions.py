"""Period conventions of issue #14: ``interest_convention`` and ``depreciation_convention``
(entity policy, recorded on every run) and escalation rounding.

Sources (see /work/shared/reference/leases.md §1.4 for where each was read):
- crbnos/carbon lease spec (`.ai/specs/2026-07-04-lease-accounting.md`): "6% annual IBR
  (0.5%/month)"; 36 x 10,000 in arrears = 328,710.16. The effective convention gives
  329,489.58 (computed in the reference notes).
- Soft4Lease process manual "Calculations on lease agreement"
  (https://soft4.helpjuice.com/process-manual/calculations-on-lease-agreement): monthly
  payments are equal periods ("every month gets 30 as payments monthly are equal"), flat
  rate "APR divided by accounting periods (usually APR/12)".
- IFRS 16.36-37: interest produces "a constant periodic rate of interest on the remaining
  balance" of the liability: the test of the monthly accrual inside a quarter.
"""

from decimal import Decimal

import pytest

from backend.engine.leases import LeasePolicy, compute_schedule, parse_lease
from backend.engine.leases.cashflows import lease_cash_flows

from lease_helpers import annual_totals, whole

CENT = Decimal("0.01")
CARBON = {
    "currency": "USD", "asset_class": "equipment", "commencement_date": "2026-01-01", "end_date": "2028-12-31",
    "discount_rate": "0.06",
    "payments": [{"from": "2026-01-01", "to": "2028-12-31", "amount": "10000", "frequency": "monthly",
                  "timing": "arrears"}],
}


@pytest.mark.parametrize("convention, liability, monthly_rate", [
    ("nominal", Decimal("328710.16"), Decimal("0.005")),  # carbon spec, read
    ("effective", Decimal("329489.58"), Decimal("1.06") ** (Decimal(1) / 12) - 1),  # reference §1.4, computed
])
def test_monthly_schedule_periodic_equal_months(convention, liability, monthly_rate):
    s = compute_schedule(parse_lease(dict(CARBON, rate_convention=convention)), LeasePolicy(), "IFRS16")
    assert s.interest_convention == "periodic" and s.to_dict()["interest_convention"] == "periodic"
    assert s.initial_liability == liability
    # equal periods: February (28 days) and March (31 days) carry the same monthly rate
    for r in s.periods[:-1]:  # within a cent: lines are differences of the rounded cumulative interest
        assert abs(r["interest"] - r["opening_liability"] * monthly_rate) <= CENT
    assert s.periods[0]["interest"] == (liability * monthly_rate).quantize(CENT)
    assert s.periods[-1]["closing_liability"] == 0
    assert sum(r["cash_paid"] for r in s.periods) == 360000


Q = {"currency": "USD", "asset_class": "vehicle", "commencement_date": "2024-01-01", "end_date": "2025-12-31",
     "discount_rate": "0.12",
     "payments": [{"from": "2024-01-01", "to": "2025-12-31", "amount": "3000", "frequency": "quarterly",
                   "timing": "arrears"}]}


@pytest.mark.parametrize("rate_convention, quarter_rate", [
    ("nominal", Decimal("0.03")),  # 12 % x 3/12
    ("effective", Decimal("1.12") ** (Decimal(3) / 12) - 1),
])
def test_quarterly_payments_closed_monthly_compound_to_the_quarter(rate_convention, quarter_rate):
    s = compute_schedule(parse_lease(dict(Q, rate_convention=rate_convention)), LeasePolicy(), "IFRS16")
    L = s.initial_liability
    monthly = (1 + quarter_rate) ** (Decimal(1) / 3) - 1  # the monthly equivalent rate
    jan, feb, mar = (s.periods[k]["interest"] for k in range(3))
    assert jan == (L * monthly).quantize(CENT)
    # IFRS 16.37: a constant rate on the remaining balance, which includes interest accrued so far
    assert feb == (L * ((1 + monthly) ** 2 - 1)).quantize(CENT) - jan  # cumulative rounding
    assert abs(feb - L * (1 + monthly) * monthly) <= CENT
    # the months add up exactly to the quarter's effective-interest result
    assert jan + feb + mar == (L * quarter_rate).quantize(CENT)
    assert jan < feb < mar


def test_actual_days_election_keeps_the_day_count_accrual():
    policy = LeasePolicy(interest_convention="actual_days")
    s = compute_schedule(parse_lease(Q), policy, "IFRS16")
    L = s.initial_liability
    assert s.interest_convention == "actual_days"
    # January holds 31 of the quarter's 91 days (2024 is a leap year)
    assert s.periods[0]["interest"] == (L * Decimal("0.03") * 31 / 91).quantize(CENT)
    periodic = compute_schedule(parse_lease(Q), LeasePolicy(), "IFRS16")
    # the conventions only move interest between the months of a payment period
    def quarters(x):
        return [sum(r["interest"] for r in x.periods[i:i + 3]) for i in range(0, 24, 3)]
    assert quarters(s) == quarters(periodic)
    assert s.periods[0]["interest"] != periodic.periods[0]["interest"]


MID_MONTH = {"currency": "USD", "commencement_date": "2024-01-15", "end_date": "2025-01-14",
             "discount_rate": "0.06",
             "payments": [{"from": "2024-01-15", "to": "2024-12-15", "amount": "1000", "frequency": "monthly",
                           "timing": "advance"}]}


def test_mid_month_commencement_calendar_month_depreciation():
    s = compute_schedule(parse_lease(MID_MONTH), LeasePolicy(short_term_classes=()), "IFRS16")
    assert s.depreciation_convention == "calendar_month"
    rou = s.initial_rou_asset
    dep = [r["depreciation"] for r in s.periods]
    assert len(dep) == 13
    # 17 of January's 31 days, then eleven full calendar months of rou / 12 each (February
    # included, whatever its 29 days), then 14 of 31 days of January 2025
    assert dep[0] == (rou / 12 * 17 / 31).quantize(CENT)
    for d in dep[1:12]:
        assert abs(d - rou / 12) <= CENT
    assert sum(dep) == rou and s.periods[-1]["closing_rou_asset"] == 0
    # interest keeps the mid-month rule: each lease month's interest spread over its days
    assert abs(s.periods[0]["interest"] - s.initial_liability * Decimal("0.005") * 17 / 31) < CENT


def test_daily_depreciation_election_keeps_lease_months_by_days():
    s = compute_schedule(parse_lease(MID_MONTH), LeasePolicy(short_term_classes=(), depreciation_convention="daily"),
                         "IFRS16")
    rou = s.initial_rou_asset
    # February 2024 = 14/31 of lease month 1 + 15/29 of lease month 2
    feb = s.periods[1]["depreciation"]
    assert abs(feb - rou / 12 * (Decimal(14) / 31 + Decimal(15) / 29)) <= CENT
    assert sum(r["depreciation"] for r in s.periods) == rou


def test_month_start_leases_are_the_same_under_both_depreciation_conventions():
    data = dict(CARBON, asset_class="building")
    a = compute_schedule(parse_lease(data), LeasePolicy(), "IFRS16")
    b = compute_schedule(parse_lease(data), LeasePolicy(depreciation_convention="daily"), "IFRS16")
    assert a.columns["depreciation"] == b.columns["depreciation"]


def test_conventions_are_validated_and_recorded_in_the_policy():
    p = LeasePolicy.from_dict({"interest_convention": "actual_days", "depreciation_convention": "daily"})
    assert p.to_dict()["interest_convention"] == "actual_days"
    assert LeasePolicy.from_dict(None).to_dict()["depreciation_convention"] == "calendar_month"
    with pytest.raises(Exception) as e:
        LeasePolicy.from_dict({"interest_convention": "daily"})
    assert e.value.details["errors"][0]["field"] == "policy.interest_convention"


def test_escalation_rounds_each_step_as_invoices_do():
    # ASC 842-20-55-42 Example 4's rent: 10,000 rising 5 % a year. Invoices grow the last
    # invoiced amount: year 5 is 12,155.06, so year 6 is 12,155.06 x 1.05 = 12,762.81
    stream = {"from": "2024-12-31", "to": "2033-12-31", "amount": "10000", "frequency": "annual",
              "timing": "arrears", "escalation": {"percent": "5", "every_months": 12}}
    data = {"currency": "USD", "commencement_date": "2024-01-01", "end_date": "2033-12-31",
            "discount_rate": "0.06", "payments": [stream]}
    amounts = [f.amount for f in lease_cash_flows(parse_lease(data))]
    assert amounts[4:6] == [Decimal("12155.06"), Decimal("12762.81")]
    old = dict(stream, escalation={"percent": "5", "every_months": 12, "rounding": "from_base"})
    assert [f.amount for f in lease_cash_flows(parse_lease(dict(data, payments=[old])))][5] == Decimal("12762.82")
    # the schedule pays exactly what the invoices say
    s = compute_schedule(parse_lease(data), LeasePolicy(), "ASC842")
    assert sum(r["cash_paid"] for r in s.periods) == sum(amounts)
    # straight-line cost = payments / 10 years (no IDC or incentive here)
    assert sum(amounts) == Decimal("125778.90")  # from_base: 125,778.92 (ASC 842 Example 4 test)
    assert {whole(c) for c in annual_totals(s, "lease_cost", 10)} == {12578}


RENT_ON_THE_FIRST = {"currency": "USD", "asset_class": "building", "commencement_date": "2024-01-15",
                     "end_date": "2026-01-14", "discount_rate": "0.06",
                     "payments": [{"from": "2024-02-01", "to": "2026-01-01", "amount": "1000",
                                   "frequency": "monthly", "timing": "advance"}]}


def test_periodic_rent_due_on_the_first_of_a_mid_month_lease_runs_in_equal_months():
    # "monthly payments: 12 equal periods a year, whatever the days in the month" (issue #14):
    # after the 17-day stub (15 Jan - 1 Feb, spread over its days), every month from one rent
    # date to the next carries exactly r/12, February's 29 days and March's 31 alike
    s = compute_schedule(parse_lease(RENT_ON_THE_FIRST), LeasePolicy(short_term_classes=()), "IFRS16")
    feb, mar = s.periods[1], s.periods[2]
    for r in (feb, mar):
        after_rent = r["opening_liability"] - r["payment"]  # rent is paid on the 1st, in advance
        assert abs(r["interest"] - after_rent * Decimal("0.005")) <= CENT
    # the day-count election measures those months in days of the lease months (15th to 15th)
    days = compute_schedule(parse_lease(RENT_ON_THE_FIRST),
                            LeasePolicy(short_term_classes=(), interest_convention="actual_days"), "IFRS16")
    r = days.periods[1]
    assert abs(r["interest"] - (r["opening_liability"] - r["payment"]) * Decimal("0.005")) > CENT
    assert s.periods[-1]["closing_liability"] == 0 and days.periods[-1]["closing_liability"] == 0
