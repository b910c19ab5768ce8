"""Inconsistent events are rejected with the rule named; nothing is returned."""

import pytest

from backend.engine.errors import EngineError, InvalidLeaseInput
from backend.engine.leases import LeasePolicy, compute_schedule, parse_lease
from backend.engine.leases.events import apply_events, parse_event

from event_helpers import annual, replay

LEASE = {"currency": "EUR", "commencement_date": "2024-01-01", "end_date": "2033-12-31",
         "payments": [annual("50000", "2024-12-31", "2033-12-31")], "discount_rate": "0.06"}


def _fields(err):
    return {(e["field"], e["code"]) for e in err.errors}


def test_parse_lists_every_bad_field():
    with pytest.raises(InvalidLeaseInput) as ei:
        parse_event("MODIFICATION", "2029-13-01", {"modification_type": "decrease_scope",
                                                   "scope_decrease_fraction": "1.5", "decrease_method": "half",
                                                   "payments": [{"from": "x", "amount": "1"}], "colour": "red"})
    f = _fields(ei.value)
    assert ("effective_date", "invalid_date") in f
    assert ("changes.scope_decrease_fraction", "out_of_range") in f
    assert ("changes.decrease_method", "invalid_choice") in f
    assert ("changes.discount_rate", "required") in f  # revised rate needed (IFRS 16.45(c))
    assert ("changes.payments[0].from", "invalid_date") in f and ("changes.payments[0].to", "required") in f
    assert ("changes.colour", "unknown_field") in f


@pytest.mark.parametrize("run_type,changes,expected", [
    ("MODIFICATION", {"modification_type": "decrease_scope", "scope_decrease_fraction": "0",
                      "discount_rate": "0.05"}, ("changes.scope_decrease_fraction", "out_of_range")),
    ("MODIFICATION", {}, ("changes.modification_type", "required")),
    ("MODIFICATION", {"modification_type": "extend_term", "end_date": "2035-12-31"},
     ("changes.discount_rate", "required")),
    ("MODIFICATION", {"modification_type": "separate_lease", "new_lease": {"currency": "EU"}},
     ("changes.new_lease.currency", "invalid_currency")),
    ("REMEASUREMENT", {"reason": "term_reassessment", "end_date": "2035-12-31"},
     ("changes.discount_rate", "required")),
    ("REMEASUREMENT", {"reason": "index_change", "index_value": "130", "discount_rate": "0.04"},
     ("changes.discount_rate", "not_applicable")),
    ("REMEASUREMENT", {"reason": "index_change"}, ("changes.index_value", "required")),
    ("TERMINATION", {"termination_payment": "-5"}, ("changes.termination_payment", "negative_amount")),
    ("MODIFICATION", {"modification_type": "other", "discount_rate": "0.05", "termination_payment": "5"},
     ("changes.termination_payment", "not_applicable")),
    ("RESTRUCTURE", {}, ("run_type", "invalid_choice")),
])
def test_parse_rules(run_type, changes, expected):
    with pytest.raises(InvalidLeaseInput) as ei:
        parse_event(run_type, "2029-01-01", changes)
    assert expected in _fields(ei.value)


def _code(*events, data=LEASE, standard="IFRS16", policy=None):
    with pytest.raises(EngineError) as ei:
        replay(data, standard, *events, policy=policy)
    return ei.value.code, ei.value.field


def test_effective_date_before_commencement():
    assert _code(("TERMINATION", "2023-12-31", {})) == ("effective_date_before_commencement",
                                                       "events[0].effective_date")


def test_event_after_termination():
    assert _code(("TERMINATION", "2026-01-01", {}),
                 ("MODIFICATION", "2027-01-01", {"modification_type": "other", "discount_rate": "0.05"})) == \
        ("event_after_termination", "events[1].run_type")


def test_events_out_of_order_and_after_the_end():
    assert _code(("TERMINATION", "2027-01-01", {"scope_decrease_fraction": "0.5", "discount_rate": "0.05"}),
                 ("TERMINATION", "2026-01-01", {}))[0] == "effective_date_before_previous_event"
    assert _code(("TERMINATION", "2034-01-01", {}))[0] == "effective_date_after_end"


def test_term_changes_must_move_the_end_date_the_right_way():
    ext = {"modification_type": "extend_term", "end_date": "2030-12-31", "discount_rate": "0.05"}
    assert _code(("MODIFICATION", "2026-01-01", ext))[0] == "end_date_not_later"
    cut = {"modification_type": "shorten_term", "end_date": "2025-06-30", "discount_rate": "0.05"}
    assert _code(("MODIFICATION", "2026-01-01", cut))[0] == "end_date_before_effective_date"


def test_index_change_needs_the_commencement_index():
    ev = ("REMEASUREMENT", "2026-01-01", {"reason": "index_change", "index_value": "130"})
    assert _code(ev)[0] == "index_at_commencement_missing"


def test_exempt_and_foreign_currency_leases():
    short = dict(LEASE, end_date="2024-12-31", payments=[annual("50000", "2024-12-31", "2024-12-31")])
    assert _code(("TERMINATION", "2024-06-01", {}), data=short)[0] == "event_on_exempt_lease"
    # a foreign-currency lease needs the spot rate of the effective date: the rejection names pair and date
    terms = parse_lease(LEASE)
    month_ends = {("EUR", "USD", f"{y}-{m:02d}-{d}"): "1.1" for y in range(2024, 2034) for m, d in
                  ((1, 31), (2, 29 if y % 4 == 0 else 28), (3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31),
                   (9, 30), (10, 31), (11, 30), (12, 31))}
    rates = {**month_ends, ("EUR", "USD", "2024-01-01"): "1.1"}
    with pytest.raises(EngineError) as ei:
        apply_events(terms, LeasePolicy(functional_currency="USD"), "IFRS16",
                     [parse_event("TERMINATION", "2026-01-15", {})], fx_rates=rates)
    assert ei.value.code == "fx_rate_missing"
    assert ei.value.details == {"from": "EUR", "to": "USD", "date": "2026-01-15"}


def test_separate_lease_leaves_the_original_untouched_and_returns_the_new_input():
    new = dict(LEASE, commencement_date="2029-07-01", external_id="ADD-3000")
    (r,) = replay(LEASE, "IFRS16", ("MODIFICATION", "2029-01-01", {"modification_type": "separate_lease",
                                                                    "new_lease": new}))
    assert r.branch == "ifrs16.separate_lease" and r.entries == ()
    assert r.new_lease == new and r.summary["new_lease_id"] is None
    base = compute_schedule(parse_lease(LEASE), LeasePolicy(), "IFRS16")
    assert r.schedule.to_json() == base.to_json()
