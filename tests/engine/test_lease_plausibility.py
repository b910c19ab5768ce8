"""Warnings for implausible input: they never block, they point a reviewer at the field."""
from __future__ import annotations

from backend.engine.leases import LeasePolicy, parse_lease, validate_lease


def _codes(**over):
    base = {"entity": "E", "external_id": "P-1", "currency": "USD", "commencement_date": "2026-01-01",
            "end_date": "2030-12-31", "discount_rate": "0.05", "fair_value": "1000000",
            "payments": [{"from": "2026-01-01", "to": "2030-12-01", "amount": "10000", "frequency": "monthly"}]}
    base.update(over)
    return {i.code: i for i in validate_lease(parse_lease(base), LeasePolicy())}


def test_a_plausible_lease_has_none_of_these_warnings():
    assert not {"implausible_discount_rate", "amount_finer_than_currency",
                "payments_far_above_fair_value"} & set(_codes())


def test_rate_that_looks_like_a_percent_typed_as_a_fraction():
    issue = _codes(discount_rate="0.6")["implausible_discount_rate"]
    assert issue.severity == "warning" and issue.field == "discount_rate" and "60" in issue.message
    assert "implausible_discount_rate" in _codes(discount_rate="0.0005")


def test_amount_finer_than_the_currency_and_payments_dwarfing_fair_value():
    codes = _codes(currency="JPY", payments=[{"from": "2026-01-01", "to": "2030-12-01", "amount": "10000.5",
                                              "frequency": "monthly"}])
    assert codes["amount_finer_than_currency"].field == "payments[0].amount"
    assert _codes(fair_value="10000")["payments_far_above_fair_value"].field == "fair_value"
