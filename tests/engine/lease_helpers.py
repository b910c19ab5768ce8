"""Small helpers for the lease tests (a uniquely named module, imported by the test files)."""

from decimal import ROUND_HALF_UP, Decimal


def annual_totals(schedule, field, years):
    """Sum of a column per lease year (12 calendar-month rows each)."""
    rows = schedule.periods
    return [sum(r[field] for r in rows[12 * y: 12 * y + 12]) for y in range(years)]


def whole(x):
    """Round to whole currency units half-up, as published examples print."""
    return int(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))


PWC_PURCHASE_OPTION = {
    # Real estate: 10 years, 500,000 on 1 January rising 3 % a year, 200,000 incentive at the beginning of
    # year 2, purchase option 3,000,000 at the end (reasonably certain), fair value 5,000,000, life 40 years.
    "currency": "USD", "asset_class": "real_estate", "commencement_date": "2019-01-01", "end_date": "2028-12-31",
    "payments": [{"from": "2019-01-01", "to": "2028-12-31", "amount": "500000", "frequency": "annual",
                  "timing": "advance", "escalation": {"percent": "3", "every_months": 12}}],
    "other_payments": [{"date": "2020-01-01", "amount": "-200000", "kind": "incentive_receivable"}],
    "purchase_option": {"price": "3000000", "exercise_date": "2028-12-31", "reasonably_certain": True},
    "fair_value": "5000000", "useful_life_months": 480, "economic_life_months": 480,
}
