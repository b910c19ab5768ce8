"""Cell-value parsers: serial dates and the 1900 bug, text dates, numbers, percentages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.workbooks.grid import Uncalculated, col_letters
from backend.workbooks.values import (CellProblem, ReadOptions, float_to_decimal, options_for_locale, parse_bool,
                                      parse_date, parse_int, parse_number, parse_percent, serial_to_date)

O = ReadOptions()


@pytest.mark.parametrize("serial,expected", [
    (1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)), (45382, date(2024, 3, 31)),
    (46053, date(2026, 1, 31)), (46053.75, date(2026, 1, 31)), (2958465, date(9999, 12, 31)),
])
def test_serials_1900_system(serial, expected):
    assert serial_to_date(serial) == expected


def test_serial_60_is_the_phantom_leap_day_and_out_of_range_serials():
    with pytest.raises(CellProblem, match="29 February 1900"):
        serial_to_date(60)
    for bad in (0, -5, 2958466):
        with pytest.raises(CellProblem):
            serial_to_date(bad)


def test_1904_system():
    assert serial_to_date(0, date1904=True) == date(1904, 1, 1)
    assert serial_to_date(44_000, date1904=True) == serial_to_date(44_000 + 1462)


@pytest.mark.parametrize("text,expected", [
    ("2026-01-31", date(2026, 1, 31)), ("2026-1-5", date(2026, 1, 5)), ("2026/01/31", date(2026, 1, 31)),
    ("31/01/2026", date(2026, 1, 31)), ("01/31/2026", date(2026, 1, 31)), ("31-01-2026", date(2026, 1, 31)),
    ("31.01.2026", date(2026, 1, 31)), ("05.04.2026", date(2026, 4, 5)), ("31 Jan 2026", date(2026, 1, 31)),
    ("31-Jan-2026", date(2026, 1, 31)), ("Jan 31, 2026", date(2026, 1, 31)), ("September 1 2026", date(2026, 9, 1)),
    ("1st Sept 2026", date(2026, 9, 1)), ("2026-01-31T00:00:00.000Z", date(2026, 1, 31)), ("46053", date(2026, 1, 31)),
    ("  2026-01-31 ", date(2026, 1, 31)), ("31/01/2026 00:00:00", date(2026, 1, 31)),
    ("2026-01-31 00:00", date(2026, 1, 31)),
])
def test_text_dates(text, expected):
    w: list = []
    assert parse_date(text, O, w) == expected
    assert w == []


def test_two_digit_years_are_this_century_with_a_warning():
    w: list = []
    assert parse_date("31/12/35", O, w) == date(2035, 12, 31)
    assert [c for c, _ in w] == ["two_digit_year"]


def test_ambiguous_dates():
    w: list = []
    assert parse_date("03/04/2026", O, w) == date(2026, 4, 3)
    assert [c for c, _ in w] == ["ambiguous_date"]
    w = []
    assert parse_date("03/04/2026", options_for_locale("en-US"), w) == date(2026, 3, 4) and w == []
    assert parse_date("03/04/2026", options_for_locale("en-GB"), w) == date(2026, 4, 3) and w == []
    assert parse_date("04/04/2026", O, w) == date(2026, 4, 4) and w == []  # same either way


@pytest.mark.parametrize("bad", ["31/02/2026", "2026-13-01", "next tuesday", "30 Febtember 2026", True,
                                 Uncalculated("=TODAY()"), "#N/A", 0])
def test_bad_dates(bad):
    with pytest.raises(CellProblem):
        parse_date(bad, O, [])


def test_floats_become_the_decimal_the_user_typed():
    assert float_to_decimal(1234.5) == Decimal("1234.5")
    assert str(float_to_decimal(0.1 + 0.2)) == "0.3"
    assert str(float_to_decimal(1234567.891)) == "1234567.891"
    assert str(float_to_decimal(0.055)) == "0.055"
    with pytest.raises(CellProblem):
        float_to_decimal(float("nan"))


@pytest.mark.parametrize("text,expected", [
    ("1,234.50", "1234.50"), ("1.234,50", "1234.50"), ("€ 99", "99"), ("99 EUR", "99"), ("-1 234,56", "-1234.56"),
    ("(12.00)", "-12.00"), ("12-", "-12"), ("\u22121,000", "-1000"), ("0,125", "0.125"), ("1.234.567", "1234567"),
])
def test_numbers(text, expected):
    assert str(parse_number(text, O, []).value) == expected


@pytest.mark.parametrize("bad", ["12abc", "1.2.3,4,5", "", "--5", "1 2 3x", True])
def test_bad_numbers(bad):
    if bad == "":
        assert parse_number(bad, O, []) is None
        return
    with pytest.raises(CellProblem):
        parse_number(bad, O, [])


def test_percentages():
    hi = Decimal("0.25")
    assert parse_percent("5%", O, [], high=hi) == Decimal("0.05")
    assert parse_percent(5, O, [], high=hi) == Decimal("0.05")
    assert parse_percent(0.05, O, [], high=hi) == Decimal("0.05")
    w: list = []
    assert parse_percent(0.5, O, w, high=hi) == Decimal("0.5") and [c for c, _ in w] == ["rate_unusually_high"]


@pytest.mark.parametrize("text", ["%", " % "])
def test_a_percent_sign_alone_is_a_cell_problem(text):
    # It used to reach None.value (an AttributeError that failed the whole extraction).
    with pytest.raises(CellProblem, match="is not a percentage"):
        parse_percent(text, O, [], high=Decimal("0.25"))


@pytest.mark.parametrize("text", ["months", "y", "yrs."])
def test_a_unit_alone_is_a_cell_problem(text):
    # It used to reach None.value (an AttributeError that failed the whole extraction).
    with pytest.raises(CellProblem, match="is not a whole number"):
        parse_int(text, O, [])


def test_whole_numbers_and_yes_no():
    assert parse_int("60 months", O, []) == 60
    assert parse_int(60.0, O, []) == 60
    assert parse_int("5 years", O, [], scale=12) == 60
    with pytest.raises(CellProblem):
        parse_int("7.5", O, [])
    assert parse_bool("Yes", O, []) is True and parse_bool("n", O, []) is False and parse_bool(1, O, []) is True
    with pytest.raises(CellProblem):
        parse_bool("maybe", O, [])


def test_column_letters():
    assert [col_letters(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]


def test_hostile_long_text_is_refused_fast():
    import time
    t = time.perf_counter()
    for text in ("1" + " " * 30_000 + "1", "1 jan" + "." * 30_000 + "!"):
        with pytest.raises(CellProblem):
            parse_number(text, O, [])
        with pytest.raises(CellProblem):
            parse_date(text, O, [])
    assert time.perf_counter() - t < 3.0  # a backtracking regex takes minutes; linear parsing milliseconds
