"""Property: a column of amounts written in one notation reads back exactly, whatever the
notation, because the decimal mark is decided from the whole column."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.workbooks.amounts import column_notation, parse_money
from backend.workbooks.values import ReadOptions

# (thousands separator, decimal mark, prefix, suffix) of notations seen in registers.
NOTATIONS = [(",", ".", "£", ""), (".", ",", "€ ", ""), ("\u00a0", ",", "", " €"), ("'", ".", "CHF ", ""),
             (",", ".", "USD ", ""), (" ", ",", "", " EUR"), (",", ".", "", "")]


def write(d: Decimal, thousands: str, mark: str, prefix: str, suffix: str, short: bool) -> str:
    whole, _, frac = f"{d:.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    cents = "" if short and frac == "00" else f"{mark}{frac}"  # "£45,000": whole amounts often lose ".00"
    return f"{prefix}{thousands.join([whole, *groups])}{cents}{suffix}"


amounts = st.one_of(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2),
                    st.integers(1, 99_999_999).map(Decimal))


@settings(max_examples=150, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=6), st.sampled_from(NOTATIONS), st.booleans())
def test_a_column_in_one_notation_reads_back_exactly(values, notation, short):
    # Whole amounts without cents may leave the column undecided: the row's currency (two
    # decimals) then settles "1.250" and "1,250" as thousands, which is what they are here.
    cells = [write(d, *notation, short) for d in values]
    col = column_notation(enumerate(cells), str)
    for d, cell in zip(values, cells):
        assert parse_money(cell, col, ReadOptions(), [], row_currency="EUR").value == d, (cell, col)
