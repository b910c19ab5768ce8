"""Parsing, validation, policy and classification rules."""

from decimal import Decimal

import pytest

from backend.engine.errors import EngineError
from backend.engine.leases import LeasePolicy, compute_schedule, parse_lease, validate_lease

BASE = {
    "entity": "E1", "external_id": "L-1", "description": "Office", "asset_class": "building", "currency": "USD",
    "commencement_date": "2024-01-01", "end_date": "2028-12-31", "discount_rate": "0.05",
    "payments": [{"from": "2024-01-01", "to": "2028-12-01", "amount": "1000", "frequency": "monthly",
                  "timing": "advance"}],
}


def test_parse_reports_every_field_problem_at_once():
    bad = dict(BASE, end_date="2023-01-01", currency="", discount_rate="5",
               payments=[{"from": "2024-13-01", "to": "2028-12-01", "amount": 1000.0, "frequency": "weekly"}],
               other_payments=[{"date": "2025-01-01", "amount": "100", "kind": "incentive_receivable"}])
    with pytest.raises(EngineError) as e:
        parse_lease(bad)
    err = e.value
    assert err.code == "invalid_lease_input"
    got = {(x["field"], x["code"]) for x in err.details["errors"]}
    assert {("currency", "required"), ("end_date", "end_before_commencement"),
            ("discount_rate", "rate_out_of_range"), ("payments[0].from", "invalid_date"),
            ("payments[0].amount", "invalid_number"), ("payments[0].frequency", "invalid_choice"),
            ("other_payments[0].amount", "incentive_must_be_negative")} <= got
    assert all(set(x) == {"field", "code", "message"} for x in err.details["errors"])


def test_parse_accepts_native_types():
    from datetime import date
    t = parse_lease(dict(BASE, commencement_date=date(2024, 1, 1), discount_rate=Decimal("0.05"),
                         payments=[dict(BASE["payments"][0], amount=1000)]))
    assert t.payments[0].amount == Decimal(1000) and t.discount_rate == Decimal("0.05")


def test_validate_flags_business_problems():
    data = dict(BASE, discount_rate=None, payments=BASE["payments"] + [
        {"from": "2026-01-01", "to": "2029-06-01", "amount": "50", "frequency": "monthly", "timing": "advance"}])
    issues = validate_lease(parse_lease(data), LeasePolicy())
    codes = {(i.severity, i.code) for i in issues}
    assert ("warning", "discount_rate_missing") in codes
    assert ("warning", "overlapping_streams") in codes
    assert ("error", "payment_after_end_date") in codes
    assert ("warning", "classification_input_missing") in codes
    assert all(i.field for i in issues)


def test_validate_short_term_and_low_value_hints():
    short = dict(BASE, end_date="2024-12-31", purchase_option={"price": "10", "reasonably_certain": False},
                 payments=[dict(BASE["payments"][0], to="2024-12-01")])
    codes = {i.code for i in validate_lease(parse_lease(short), LeasePolicy())}
    assert "short_term_blocked_by_purchase_option" in codes
    lv = dict(BASE, underlying_asset_value_new="800")
    codes = {i.code for i in validate_lease(parse_lease(lv), LeasePolicy(low_value_classes=()))}
    assert "low_value_not_elected" in codes


def test_compute_refuses_payment_after_end_and_missing_rate():
    t = parse_lease(dict(BASE, payments=[dict(BASE["payments"][0], to="2029-03-01")]))
    with pytest.raises(EngineError) as e:
        compute_schedule(t, LeasePolicy(), "IFRS16")
    assert e.value.code == "payment_after_end_date" and e.value.field == "payments[0]"
    with pytest.raises(EngineError) as e:
        compute_schedule(parse_lease(dict(BASE, discount_rate=None)), LeasePolicy(), "IFRS16")
    assert e.value.code == "discount_rate_missing"
    # the caller can supply the IBR-matrix rate
    s = compute_schedule(parse_lease(dict(BASE, discount_rate=None)), LeasePolicy(), "IFRS16", discount_rate="0.05")
    assert s.discount_rate == Decimal("0.05")


def test_policy_from_dict():
    p = LeasePolicy.from_dict({"enabled_standards": ["ASC842"], "rate_convention": "effective",
                               "short_term_classes": ["vehicle"], "low_value_threshold": "3000",
                               "functional_currency": "eur"})
    assert p.enabled_standards == ("ASC842",) and p.functional_currency == "EUR"
    assert p.short_term_elected("vehicle") and not p.short_term_elected("building")
    with pytest.raises(EngineError) as e:
        LeasePolicy.from_dict({"rate_convention": "daily", "asc_major_part_threshold": "75"})
    assert {x["field"] for x in e.value.details["errors"]} == {"policy.rate_convention",
                                                                "policy.asc_major_part_threshold"}


def test_classification_missing_inputs_warn_and_override_is_recorded():
    s = compute_schedule(parse_lease(BASE), LeasePolicy(), "ASC842")
    assert s.classification == "operating"
    results = {t["test"]: t["result"] for t in s.classification_tests}
    assert results["present_value_substantially_all_fair_value"] == "not_assessed"
    assert {w["field"] for w in s.warnings} >= {"fair_value", "economic_life_months", "specialized_asset"}
    ov = dict(BASE, classification_override={"standard": "ASC842", "classification": "finance",
                                             "reason": "Auditor agreed: bargain renewal"})
    s = compute_schedule(parse_lease(ov), LeasePolicy(), "ASC842")
    assert s.classification == "finance"
    assert s.classification_override == {"classification": "finance", "reason": "Auditor agreed: bargain renewal",
                                         "computed": "operating"}
    assert s.classification_tests[-1]["test"] == "manual_override"


def test_rvg_full_guarantee_counts_in_90_percent_test_only():
    # PV of 60 x 1,000 at 5 % ~ 53,2xx; fair value 60,000: 89 % without the guarantee.
    data = dict(BASE, fair_value="60000", economic_life_months=240, specialized_asset=False,
                residual_value_guarantee={"guaranteed_amount": "3000", "expected_residual_value": "3000"})
    s = compute_schedule(parse_lease(data), LeasePolicy(), "ASC842")
    test = next(t for t in s.classification_tests if t["test"] == "present_value_substantially_all_fair_value")
    assert test["result"] == "met"
    no_rvg = compute_schedule(parse_lease(dict(data, residual_value_guarantee=None)), LeasePolicy(), "ASC842")
    assert no_rvg.initial_liability == s.initial_liability  # no expected shortfall: liability unchanged
    assert no_rvg.classification == "operating" and s.classification == "finance"


def test_transfer_of_ownership_depreciates_over_useful_life():
    data = dict(BASE, transfer_of_ownership=True, useful_life_months=120)
    for std in ("IFRS16", "ASC842"):
        s = compute_schedule(parse_lease(data), LeasePolicy(), std)
        assert s.classification == "finance" and s.depreciation_months == 120
        assert s.rou_residual_at_end == s.initial_rou_asset - s.initial_rou_asset * 60 / 120


def test_validate_lease_data_reports_parse_errors_as_issues():
    from backend.engine.leases import validate_lease_data
    issues = validate_lease_data(dict(BASE, payments=[dict(BASE["payments"][0], amount="ten")]), LeasePolicy())
    assert [(i.severity, i.field, i.code) for i in issues] == [("error", "payments[0].amount", "invalid_number")]
    ok = validate_lease_data(BASE, LeasePolicy())
    assert all(i.severity != "error" for i in ok)


def test_discount_rate_argument_is_checked():
    t = parse_lease(dict(BASE, discount_rate=None))
    with pytest.raises(EngineError) as e:
        compute_schedule(t, LeasePolicy(), "IFRS16", discount_rate="5")
    assert e.value.code == "rate_out_of_range"
    with pytest.raises(TypeError):
        compute_schedule(t, LeasePolicy(), "IFRS16", discount_rate=0.05)
