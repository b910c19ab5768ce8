"""Money helpers and journal values."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.engine.errors import EngineError
from backend.engine.journal import JournalEntry, JournalLine, assert_balanced, reverse
from backend.engine.money import ROUNDING, D, allocate, from_minor, minor_unit, quantize, to_minor


def test_D_rejects_float_and_bool():
    with pytest.raises(TypeError):
        D(0.1)
    with pytest.raises(TypeError):
        D(True)
    with pytest.raises(ValueError):
        D("abc")
    with pytest.raises(ValueError):
        D("NaN")
    assert D("1234.50") == Decimal("1234.50") and D(3) == Decimal(3)


def test_minor_units_and_rounding():
    assert ROUNDING == "ROUND_HALF_UP"
    assert (minor_unit("JPY"), minor_unit("USD"), minor_unit("KWD"), minor_unit("BHD"), minor_unit("XYZ")) == (
        0, 2, 3, 3, 2)
    assert quantize(Decimal("2.5"), "JPY") == Decimal("3")  # half-up, not banker's
    assert quantize(Decimal("0.125"), "USD") == Decimal("0.13")
    assert quantize(Decimal("1.0005"), "KWD") == Decimal("1.001")
    assert to_minor(Decimal("12.34"), "USD") == 1234 and from_minor(1234, "USD") == Decimal("12.34")
    assert to_minor(Decimal("7"), "JPY") == 7
    with pytest.raises(ValueError):
        to_minor(Decimal("1.234"), "USD")


def test_allocate_places_residual_deterministically():
    # cumulative rounding: 33.33, then 66.67 - 33.33, then the rest
    assert allocate(Decimal("100.00"), [1, 1, 1], "USD") == [Decimal("33.33"), Decimal("33.34"), Decimal("33.33")]
    assert allocate(Decimal("10"), [1, 2], "JPY") == [Decimal("3"), Decimal("7")]
    with pytest.raises(ValueError):
        allocate(Decimal("1.001"), [1], "USD")


@settings(max_examples=200, deadline=None)
@given(st.integers(-10**9, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=30).filter(any),
       st.sampled_from(["USD", "JPY", "KWD"]))
def test_allocate_sums_exactly(units, weights, ccy):
    total = from_minor(units, ccy)
    parts = allocate(total, weights, ccy)
    assert sum(parts) == total
    assert all(quantize(p, ccy) == p for p in parts)
    wsum = sum(weights)
    step = Decimal(1).scaleb(-minor_unit(ccy))
    for p, w in zip(parts[:-1], weights[:-1]):
        assert abs(p - total * w / wsum) <= 2 * step


def _entry(dr="100.00", cr="100.00"):
    return JournalEntry(date(2024, 1, 31), "2024-01", "lease.interest", (
        JournalLine("INTEREST_EXPENSE", Decimal(dr), Decimal("0.00"), "USD", {"lease_id": "L1"}),
        JournalLine("LEASE_LIABILITY_NONCURRENT", Decimal("0.00"), Decimal(cr), "USD", {"lease_id": "L1"}),
    ), "interest")


def test_assert_balanced_is_exact():
    assert_balanced(_entry())
    with pytest.raises(EngineError) as e:
        assert_balanced(_entry(cr="100.01"))
    assert e.value.code == "unbalanced_journal"
    with pytest.raises(EngineError):
        assert_balanced(JournalEntry(date(2024, 1, 31), "2024-01", "x", ()))


def test_journal_line_rules_and_reverse():
    with pytest.raises(EngineError):
        JournalLine("CASH", Decimal("-1"), Decimal(0), "USD")
    with pytest.raises(EngineError):
        JournalLine("CASH", Decimal("1"), Decimal("1"), "USD")
    e = _entry()
    r = reverse(e)
    assert r.lines[0].credit == Decimal("100.00") and r.lines[0].debit == Decimal("0.00")
    assert r.event == "lease.interest.reversal" and e.lines[0].debit == Decimal("100.00")
    assert_balanced(r)
    assert e.lines[0].dims == {"lease_id": "L1"} and e.source == "lease.interest"
