"""PeriodAxis: the months of a stored schedule, computed, behaving as a Sequence of "YYYY-MM"."""

from __future__ import annotations

import pytest

from backend.services.ledger.periods import PeriodAxis


def test_the_axis_is_a_sequence_of_months():
    axis = PeriodAxis("2025-11", 4)
    assert list(axis) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(axis) == 4 and axis[-1] == "2026-02" and axis[1:3] == ["2025-12", "2026-01"]
    assert axis.index("2026-01") == 2 and axis.position("2026-03") is None and "2025-12" in axis
    with pytest.raises(IndexError):
        axis[4]


def test_count_is_the_sequence_method():
    # It was an int attribute (the length) hiding Sequence.count(value): axis.count("2026-01")
    # raised "'int' object is not callable".
    axis = PeriodAxis("2025-11", 4)
    assert axis.count("2026-01") == 1 and axis.count("2027-01") == 0
