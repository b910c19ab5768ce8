"""The parts behind the corpus: CSV reading, column notations, annual rent, skipped rows, hidden columns."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from wb_builders import raw_xlsx

from backend.workbooks import Limits, WorkbookRejected, read_csv, read_xlsx
from backend.workbooks.amounts import column_notation, parse_money
from backend.workbooks.rates import check_rate_fits, rate_notation
from backend.workbooks.rent import settle_annual_rent
from backend.workbooks.row_kinds import skip_reason
from backend.workbooks.values import CellProblem, ReadOptions


@pytest.mark.parametrize("data,sep_rows", [
    (b"Lease ID,Amount\nL1,\"1,000.00\"\n", [["Lease ID", "Amount"], ["L1", "1,000.00"]]),
    ("\ufeffLease ID;Amount\nL1;1.000,00\n".encode(), [["Lease ID", "Amount"], ["L1", "1.000,00"]]),
    ("Lease ID;Description\nL1;Caf\u00e9 \u2013 \u00a3\n".encode("cp1252"), [["Lease ID", "Description"],
                                                                          ["L1", "Caf\u00e9 \u2013 \u00a3"]]),
    (b"Lease ID\tAmount\r\nL1\t5\r\n", [["Lease ID", "Amount"], ["L1", "5"]]),
    (b"sep=;\nLease ID;Amount\nL1;5,5\n", [["sep=", None], ["Lease ID", "Amount"], ["L1", "5,5"]]),
    # Unquoted decimal commas in every row must not make the comma the separator.
    (b"Lease ID;Amount, excl VAT;Rate\nL1;1250,00;4,5\nL2;900,50;4,0\n",
     [["Lease ID", "Amount, excl VAT", "Rate"], ["L1", "1250,00", "4,5"], ["L2", "900,50", "4,0"]]),
])
def test_csv_encodings_and_separators_are_sniffed(data, sep_rows):
    grid = read_csv(data)
    assert grid.csv and grid.sheets["CSV"] == sep_rows


@pytest.mark.parametrize("data,code", [
    (b"a,b\n" + b"1,2\n" * 11, "too_many_rows"),
    (b"," * 20 + b"\n", "too_many_columns"),
    (b"\x00\x01binary", "not_a_workbook"),
    (b"   \n", "unreadable_csv"),
    (b"no separators here\n", "unreadable_csv"),
    (b"a,b\n\"" + b"x" * 200_000 + b"\",1\n", "unreadable_csv"),  # a field over the csv module's limit
])
def test_csv_caps_and_refusals(data, code):
    with pytest.raises(WorkbookRejected) as exc:
        read_csv(data, Limits(max_rows=10, max_columns=10))
    assert exc.value.code == code


def test_decimal_mark_is_decided_by_the_column():
    de = column_notation([(2, "1.250,00"), (3, "1.250"), (4, 17.5)], str)
    assert de.decimal_comma is True and not de.mixed
    assert parse_money("1.250", de, ReadOptions(), []).value == Decimal("1250")
    en = column_notation([(2, "1,200.50"), (3, "1,250")], str)
    assert parse_money("1,250", en, ReadOptions(), []).value == Decimal("1250")
    mixed = column_notation([(2, "1.250,00"), (3, "1,200.50")], str)
    assert mixed.mixed
    with pytest.raises(CellProblem) as exc:
        parse_money("1,250", mixed, ReadOptions(), [])
    assert exc.value.code == "ambiguous_number"
    assert parse_money("1,250", mixed, ReadOptions(), [], row_currency="GBP").value == Decimal("1250")
    assert parse_money("¥980,000", mixed, ReadOptions(), []).value == Decimal("980000")


@pytest.mark.parametrize("shown,value,ccy", [
    ("£45,000", "45000", "GBP"), ("€ 1.250,00", "1250.00", "EUR"), ("1 250,00 €", "1250.00", "EUR"),
    ("CHF 12'500", "12500", "CHF"), ("USD 1,200.50", "1200.50", "USD"), ("¥980,000", "980000", "JPY"),
    ("(7,500)", "-7500", None), ("7,500-", "-7500", None), ("12500.00", "12500.00", None),
])
def test_amount_notations(shown, value, ccy):
    amt = parse_money(shown, column_notation([(1, shown)], str), ReadOptions(), [])
    assert (amt.value, amt.currency) == (Decimal(value), ccy)


def test_rate_columns_vote_and_an_even_split_trusts_no_plain_number():
    col = rate_notation([0.045, 0.052, 48, "4.9%"])
    check_rate_fits(0.045, col)
    check_rate_fits("4.9%", col)
    with pytest.raises(CellProblem):
        check_rate_fits(48, col)
    split = rate_notation([0.05, 5])
    for v in (0.05, 5):
        with pytest.raises(CellProblem) as exc:
            check_rate_fits(v, split)
        assert exc.value.code == "rate_notation_unclear"


def test_annual_rent_conversion_rounds_to_the_minor_unit_and_says_what_is_left():
    d = settle_annual_rent(Decimal("100000"), None, "monthly", "GBP", "Rent p.a.")
    assert d.amount == Decimal("8333.33") and d.issues[0][:2] == ("annual_rent_converted", "info")
    assert "0.04 a year less" in d.issues[0][2]
    d = settle_annual_rent(Decimal("1000000"), None, "monthly", "JPY", "Rent p.a.")
    assert d.amount == Decimal("83333") and "4 a year less" in d.issues[0][2]
    assert settle_annual_rent(Decimal("100000"), Decimal("8333.33"), "monthly", "GBP", "x").issues == []
    assert settle_annual_rent(Decimal("100000"), Decimal("8400"), "monthly", "GBP", "x").issues[0][0] \
        == "annual_rent_mismatch"
    assert settle_annual_rent(Decimal("100000"), None, None, "GBP", "x").issues[0][:2] == \
        ("frequency_required", "error")


@pytest.mark.parametrize("row,skipped", [
    (["Total", None, 100], True), ([None, "Grand total", 100], True), (["Sub-total North", None, 5], True),
    (["L-1", "Total Energies depot", 100], False), (["Warehouses — North"] * 3, True),
    ([None, "Offices", None], True), (["Lease ID", "Description", "Amount"], True), (["L-1", "Shop", 5], False),
])
def test_rows_that_are_not_leases(row, skipped):
    keys = {0: "leaseid", 1: "description", 2: "amount"}
    assert (skip_reason(row, [0, 1, 2], 0, keys) is not None) is skipped


def test_hidden_columns_come_from_the_cols_part_clipped_to_the_cap():
    cols = b'<cols><col min="2" max="2" hidden="1"/><col min="4" max="16384" hidden="true"/></cols>'
    data = raw_xlsx([b'<row r="1"><c r="A1"><v>1</v></c></row>'])
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                body = body.replace(b"<sheetData>", cols + b"<sheetData>")
            zf.writestr(info, body)
    grid = read_xlsx(out.getvalue(), Limits(max_columns=30))
    assert grid.hidden_columns["Leases"] == {1} | set(range(3, 30))


def test_a_shared_symbol_fits_each_of_its_currencies():
    from wb_builders import openpyxl_xlsx

    from backend.workbooks import extract_workbook

    rows = [["Lease ID", "Currency", "Fair value"], ["L1", "CNY", "¥98,000.50"], ["L2", "JPY", "¥98,000"],
            ["L3", "EUR", "¥98,000"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    assert [d.get("fair_value") for d in r.drafts] == ["98000.50", "98000", None]
    assert [(i["code"], i["cell"]) for i in r.issues if i["code"] == "currency_mismatch"] == [("currency_mismatch", "C4")]
