"""Real-world variants of the lease sheet: synonyms, dates, amounts, payments, merges, errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from wb_builders import book_json, openpyxl_xlsx, xlsxwriter_xlsx

from backend.engine.leases import parse_lease
from backend.workbooks import extract_grid, extract_workbook, grid_from_book_json


def codes(result, severity=None):
    return {(i["code"], i["cell"]) for i in result.issues if severity in (None, i["severity"])}


def only(result):
    assert len(result.drafts) == 1, result.issues
    return result.drafts[0]


SYNONYM_HEADER = ["Contract #", "Company", "Asset", "Ccy", "Start date", "Lease end", "Monthly rent", "Paid",
                  "IBR", "Annual increase", "Notes"]


def test_header_synonyms_and_implied_values():
    rows = [SYNONYM_HEADER,
            ["C-77", "UK01", "Warehouse 4", "gbp", "2026-01-01", "2030-12-31", "£1,250.00", "in arrears", "5.5%",
             "2.5%", "renewal option ignored"]]
    r = extract_workbook(openpyxl_xlsx({"Lease register": rows}))
    d = only(r)
    assert d["external_id"] == "C-77" and d["entity"] == "UK01" and d["description"] == "Warehouse 4"
    assert d["currency"] == "GBP" and d["discount_rate"] == "0.055"
    assert d["payments"] == [{"amount": "1250.00", "timing": "arrears", "frequency": "monthly",
                              "escalation": {"percent": "2.5", "every_months": 12},
                              "from": "2026-01-01", "to": "2030-12-31"}]
    assert codes(r) == {("unknown_column", "K1")}  # only the user's own Notes column is mentioned
    assert r.provenance[0]["payments[0].amount"] == "Lease register!G2"
    parse_lease(d)


def test_header_below_title_rows_and_case_punctuation():
    rows = [["ACME plc — lease register FY2026"], [],
            ["LEASE-ID", "currency", "COMMENCEMENT", "end_date", "Payment Amount", "FREQUENCY", "timing",
             "Discount Rate (%)"],
            ["A1", "EUR", date(2026, 1, 1), date(2028, 12, 31), 1000, "Quarterly", "Advance", 4]]
    r = extract_workbook(xlsxwriter_xlsx({"Leases": rows}))
    d = only(r)
    assert d["commencement_date"] == "2026-01-01" and d["discount_rate"] == "0.04"
    assert d["payments"][0]["frequency"] == "quarterly" and d["payments"][0]["amount"] == "1000"
    assert r.provenance[0]["_row"] == "Leases!4" and r.provenance[0]["currency"] == "Leases!B4"
    assert not r.issues


HEADER = ["Lease ID", "Currency", "Commencement date", "End date", "Payment amount", "Frequency", "Timing",
          "Discount rate"]


@pytest.mark.parametrize("start,end", [
    (46023, 47848),                                  # serial numbers without a date format
    ("2026-01-01", "2030-12-31"),                    # ISO text
    ("2026-01-01T00:00:00.000Z", "2030-12-31T00:00:00.000Z"),  # what the add-in sends
    ("1 Jan 2026", "December 31, 2030"),             # month names
    ("01.01.2026", "31.12.2030"),                    # dotted: always day first
    (20260101, 20301231),                            # YYYYMMDD numbers
    (datetime(2026, 1, 1), datetime(2030, 12, 31)),  # real date cells
])
def test_date_forms_all_read_the_same(start, end):
    rows = [HEADER, ["L1", "EUR", start, end, 100, "monthly", "advance", 0.05]]
    r = extract_workbook(xlsxwriter_xlsx({"Leases": rows}))
    d = only(r)
    assert (d["commencement_date"], d["end_date"]) == ("2026-01-01", "2030-12-31")
    assert not r.errors, r.issues


def test_invalid_and_ambiguous_text_dates():
    rows = [HEADER,
            ["L1", "EUR", "31/02/2026", "2030-12-31", 100, "monthly", "advance", 0.05],
            ["L2", "EUR", "03/04/2026", "2030-12-31", 100, "monthly", "advance", 0.05],
            ["L3", "EUR", 60, "2030-12-31", 100, "monthly", "advance", 0.05]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    bad = [i for i in r.issues if i["cell"] == "C2"]
    assert [(i["code"], i["severity"], i["field"], i["lease_ref"], i["draft_index"]) for i in bad] == \
        [("invalid_date", "error", "commencement_date", "L1", 0)]
    assert bad[0]["message"] == "Leases!C2: Commencement date: the date '31/02/2026' is not a real date."
    amb = [i for i in r.issues if i["cell"] == "C3"]
    assert [(i["code"], i["severity"]) for i in amb] == [("ambiguous_date", "warning")]
    assert "3 April 2026" in amb[0]["message"] and "4 March 2026" in amb[0]["message"]
    assert r.drafts[1]["commencement_date"] == "2026-04-03"
    assert ("invalid_date", "C4") in codes(r, "error")  # serial 60 = the phantom 29 Feb 1900
    # the engine's own "required" error for the unreadable date is not repeated
    assert [i["code"] for i in r.issues if i["draft_index"] == 0] == ["invalid_date"]


def test_ambiguous_dates_follow_the_files_other_dates_or_the_locale():
    rows = [HEADER,
            ["L1", "EUR", "03/04/2026", "12/31/2030", 100, "monthly", "advance", 0.05]]
    grid = grid_from_book_json(book_json({"Leases": rows}))
    r = extract_grid(grid)
    assert r.drafts[0]["commencement_date"] == "2026-03-04"  # 12/31/2030 shows month-first
    (w,) = [i for i in r.issues if i["code"] == "ambiguous_date"]
    assert "month-first" in w["message"] and "Leases!D2" in w["message"]
    r = extract_grid(grid, locale="en-US")
    assert r.drafts[0]["commencement_date"] == "2026-03-04" and not r.issues
    rows[1][3] = "2030-12-31"
    r = extract_grid(grid_from_book_json(book_json({"Leases": rows})), locale="de-DE")
    assert r.drafts[0]["commencement_date"] == "2026-04-03" and not r.issues


@pytest.mark.parametrize("shown,amount", [
    ("$1,234.50", "1234.50"), ("1.234,50 €", "1234.50"), ("EUR 1 234,50", "1234.50"), ("1234,5", "1234.5"),
    ("1,234,567.00", "1234567.00"), ("(1,000.00)", "-1000.00"), ("-99", "-99"), (1234.56, "1234.56"),
    (0.1 + 0.2, "0.3"), ("1'234.50", "1234.50"),
])
def test_amount_forms(shown, amount):
    rows = [["Lease ID", "Currency", "Initial direct costs"], ["L1", "EUR", shown]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    if amount.startswith("-"):  # costs cannot be negative: an error at the cell, the value is not used
        assert "initial_direct_costs" not in r.drafts[0]
        assert ("negative_amount", "C2") in codes(r, "error")
    else:
        assert r.drafts[0]["initial_direct_costs"] == amount


def test_ambiguous_thousands_and_currency_mismatch_are_errors_at_the_cell():
    rows = [["Lease ID", "Currency", "Initial direct costs", "Restoration costs", "Fair value"],
            ["L1", "EUR", "1.234", "US$ 50", "5,000"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    # EUR has two decimals, so "1.234" can only be 1234 (amounts.py); without a currency it is an error.
    assert r.drafts[0]["initial_direct_costs"] == "1234" and r.drafts[0]["fair_value"] == "5000"
    assert ("currency_mismatch", "D2") in codes(r, "error") and ("ambiguous_number", "C2") not in codes(r)
    r = extract_workbook(openpyxl_xlsx({"Leases": [rows[0], ["L1", None, "1.234", None, None]]}))
    assert "initial_direct_costs" not in r.drafts[0] and ("ambiguous_number", "C2") in codes(r, "error")
    r = extract_grid(grid_from_book_json(book_json({"Leases": rows})), locale="de-DE")
    assert r.drafts[0]["initial_direct_costs"] == "1234" and r.drafts[0]["fair_value"] == "5.000"
    assert ("currency_mismatch", "D2") in codes(r, "error") and ("ambiguous_number", "C2") not in codes(r)


@pytest.mark.parametrize("shown,rate", [("5%", "0.05"), (0.05, "0.05"), (5, "0.05"), ("4.75 %", "0.0475"),
                                        ("0,5%", "0.005")])
def test_percent_forms(shown, rate):
    rows = [["Lease ID", "Currency", "IBR"], ["L1", "EUR", shown]]
    assert extract_workbook(openpyxl_xlsx({"Leases": rows})).drafts[0]["discount_rate"] == rate


def test_payments_sheet_with_two_streams_and_one_off():
    leases = [["Lease ID", "Currency", "Commencement date", "End date", "Discount rate"],
              ["L1", "EUR", "2026-01-01", "2030-12-31", "5%"],
              ["L2", "EUR", "2026-01-01", "2027-12-31", "5%"]]
    payments = [["Lease ID", "Kind", "From", "To", "Amount", "Frequency", "Timing", "Escalation %",
                 "Escalation every (months)"],
                ["L1", "fixed", "2026-01-01", "2027-12-01", "1,000.00", "monthly", "advance"],
                [],
                ["L1", "index-linked", "2028-01-01", None, "1100", "monthly", "advance", "2%", 12],
                ["L1", "incentive receivable", "2026-01-15", None, "(5,000)"],
                ["L9", "fixed", "2026-01-01", "2027-12-01", 1, "monthly", "advance"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": leases, "Payments": payments}))
    d = r.drafts[0]
    assert d["payments"] == [
        {"kind": "fixed", "from": "2026-01-01", "to": "2027-12-01", "amount": "1000.00", "frequency": "monthly",
         "timing": "advance"},
        {"kind": "index_linked", "from": "2028-01-01", "to": "2030-12-31", "amount": "1100", "frequency": "monthly",
         "timing": "advance", "escalation": {"percent": "2", "every_months": 12}}]
    assert d["other_payments"] == [{"kind": "incentive_receivable", "date": "2026-01-15", "amount": "-5000"}]
    assert r.provenance[0]["payments[1].amount"] == "Payments!E4"
    assert r.provenance[0]["other_payments[0].date"] == "Payments!C5"
    assert "payments" not in r.drafts[1]
    assert codes(r) == {("unknown_lease", "A6"), ("no_payments", "A3")}
    parse_lease(d)


def test_renamed_sheets_are_found_by_their_headers():
    leases = [["Lease ID", "Currency", "Commencement date", "End date"], ["L1", "EUR", "2026-01-01", "2030-12-31"]]
    payments = [["Lease ID", "From", "Amount", "Frequency", "Timing"], ["L1", "2026-01-01", 10, "annual", "advance"]]
    summary = [["Lease ID", "Amount"], ["L1", 10]]
    r = extract_workbook(openpyxl_xlsx({"Summary": summary, "FY26 register": leases, "Streams FY26": payments}))
    assert r.provenance[0]["_row"] == "FY26 register!2"
    assert r.drafts[0]["payments"][0]["frequency"] == "annual"
    assert r.provenance[0]["payments[0].amount"] == "Streams FY26!C2"


def test_engine_errors_point_at_the_cells():
    rows = [HEADER + ["Restoration costs"],
            ["L1", "EUR", "2026-01-01", "2025-12-31", 100, "weekly", "advance", 150, -10]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    got = {(i["code"], i["cell"], i["field"]) for i in r.errors}
    assert got == {
        ("invalid_choice", "F2", "payments[0].frequency"),          # ours: 'weekly' is not a frequency
        ("end_before_commencement", "D2", "end_date"),              # the engine's, mapped back
        ("stream_end_before_start", "D2", "payments[0].to"),        # the stream's end defaulted from D2
        ("rate_out_of_range", "H2", "discount_rate"),               # 150 %: refused by the engine
        ("negative_amount", "I2", "restoration_costs"),
    }
    assert not any(i["code"] == "rate_unusually_high" for i in r.issues)  # 150 is plainly 150 %
    rows[1][7] = 0.3
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    (w,) = [i for i in r.issues if i["code"] == "rate_unusually_high"]
    assert w["cell"] == "H2" and "0.3 was read as 30 %" in w["message"]


def test_blank_rows_totals_and_duplicates():
    rows = [HEADER, [], ["L1", "EUR", "2026-01-01", "2026-12-31", 100, "monthly", "advance", 0.05], [None] * 8,
            ["L1", "EUR", "2026-01-01", "2026-12-31", 100, "monthly", "advance", 0.05], [],
            ["Total", None, None, None, 200]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    assert [p["_row"] for p in r.provenance] == ["Leases!3", "Leases!5"]
    assert codes(r) == {("duplicate_lease_id", "A5"), ("row_skipped", "A7")}


def test_merged_header_cells():
    rows = [["Lease ID", "Currency", "Dates", None, "Payment", None, None],
            [None, None, "Commencement", "End", "Amount", "Frequency", "Timing"],
            ["L1", "EUR", "2026-01-01", "2026-12-31", 100, "monthly", "arrears"]]
    data = openpyxl_xlsx({"Leases": rows}, merges={"Leases": ["A1:A2", "B1:B2", "C1:D1", "E1:G1"]})
    r = extract_workbook(data)
    d = only(r)
    assert d["payments"][0] == {"amount": "100", "frequency": "monthly", "timing": "arrears",
                                "from": "2026-01-01", "to": "2026-12-31"}
    assert d["currency"] == "EUR" and r.provenance[0]["end_date"] == "Leases!D3"
    assert not r.issues
    # the add-in sends no merge information: labels sit in the top-left cell only
    r2 = extract_grid(grid_from_book_json(book_json({"Leases": rows})))
    assert r2.drafts == r.drafts and r2.provenance == r.provenance and not r2.issues


def test_merged_data_cell_spanning_several_leases():
    rows = [["Lease ID", "Currency", "Commencement date"], ["L1", "EUR", "2026-01-01"], ["L2", None, "2026-02-01"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}, merges={"Leases": ["B2:B3"]}))
    assert [d["currency"] for d in r.drafts] == ["EUR", "EUR"]


def test_error_cells_and_formulas_without_results():
    rows = [HEADER, ["L1", "EUR", "2026-01-01", "#REF!", "=100*12", "monthly", "advance", "#N/A"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    errs = {(i["code"], i["cell"]) for i in r.errors}
    assert errs == {("cell_error", "D2"), ("cell_error", "H2"), ("formula_without_value", "E2")}
    msg = next(i["message"] for i in r.errors if i["cell"] == "H2")
    assert "#N/A" in msg
    # the same through the add-in: Office.js sends errors as text
    r = extract_grid(grid_from_book_json(book_json({"Leases": [HEADER, ["L1", "EUR", "2026-01-01", "#REF!"]]})))
    assert ("cell_error", "D2") in {(i["code"], i["cell"]) for i in r.errors}


def test_implied_frequency_points_at_the_amount_cell():
    rows = [["Lease ID", "Currency", "Commencement date", "End date", "Monthly rent", "Timing"],
            ["L1", "EUR", "2026-01-01", "2026-12-31", 100, "advance"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": rows}))
    assert r.drafts[0]["payments"][0]["frequency"] == "monthly"
    assert r.provenance[0]["payments[0].frequency"] == "Leases!E2"


def test_1904_date_system():
    import io

    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Leases"
    ws.append(["Lease ID", "Currency", "Commencement date", "End date"])
    ws.append(["L1", "EUR", datetime(2026, 1, 1), 44_561])  # a date cell, and a bare 1904 serial
    buf = io.BytesIO()
    wb.save(buf)
    d = extract_workbook(buf.getvalue()).drafts[0]
    assert (d["commencement_date"], d["end_date"]) == ("2026-01-01", "2026-01-01")


def test_xlsm_with_a_macro_part_is_read_not_run():
    import io
    import os
    import zipfile

    from backend.workbooks.template import build_template
    src = zipfile.ZipFile(io.BytesIO(build_template()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            zf.writestr(info.filename, data)
        zf.writestr("xl/vbaProject.bin", os.urandom(4096))
    r = extract_workbook(buf.getvalue())
    assert len(r.drafts) == 4 and r.issues == []


def test_one_off_payment_ignores_stream_columns():
    leases = [["Lease ID", "Currency", "Commencement date", "End date"], ["L1", "EUR", "2026-01-01", "2030-12-31"]]
    payments = [["Lease ID", "Kind", "Date", "Amount", "Frequency"], ["L1", "penalty", "2030-12-31", 500, "monthly"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": leases, "Payments": payments}))
    assert r.drafts[0]["other_payments"] == [{"kind": "termination_penalty", "date": "2030-12-31", "amount": "500"}]
    assert codes(r) == {("value_ignored", "E2")}


def test_no_lease_table_and_missing_required_columns():
    r = extract_workbook(openpyxl_xlsx({"Sheet1": [["hello", "world"], [1, 2]]}))
    assert r.drafts == [] and [i["code"] for i in r.issues] == ["no_lease_sheet"]
    r = extract_workbook(openpyxl_xlsx({"Leases": [["Lease ID", "Description"], ["L1", "Office"]]}))
    assert {i["code"] for i in r.issues if i["cell"] is None} == {"missing_column"}
    assert {i["message"] for i in r.issues if i["cell"] is None} >= {
        "Leases: There is no 'Currency' column (looked for it in the header row 1)."}


def test_book_json_equals_file_extraction():
    rows = [HEADER, ["L1", "EUR", datetime(2026, 1, 1), datetime(2030, 12, 31), 99.5, "monthly", "advance", 0.05]]
    from_file = extract_workbook(xlsxwriter_xlsx({"Leases": rows}))
    as_json = [[v.strftime("%Y-%m-%dT00:00:00.000Z") if isinstance(v, datetime) else v for v in row] for row in rows]
    from_addin = extract_grid(grid_from_book_json(book_json({"Leases": as_json})))
    assert from_file.drafts == from_addin.drafts and from_file.provenance == from_addin.provenance
    assert from_file.issues == from_addin.issues == []


def test_payments_sheet_currency_hint_and_unreadable_lease_id():
    leases = [["Lease ID", "Currency", "Commencement date", "End date"], ["L1", "EUR", "2026-01-01", "2030-12-31"]]
    payments = [["Lease ID", "From", "Amount", "Frequency", "Timing"],
                ["L1", "2026-01-01", "US$ 1,000", "monthly", "advance"],
                ["#REF!", "2026-01-01", 5, "monthly", "advance"]]
    r = extract_workbook(openpyxl_xlsx({"Leases": leases, "Payments": payments}))
    assert r.drafts[0]["payments"] == [{"from": "2026-01-01", "frequency": "monthly",  # the amount contradicts
                                        "timing": "advance", "to": "2030-12-31"}]
    got = {(i["sheet"], i["cell"], i["code"], i["field"]) for i in r.issues}
    assert got == {("Payments", "C2", "currency_mismatch", "payments[0].amount"),
                   ("Payments", "A3", "cell_error", None)}


def test_a_rate_or_term_cell_with_only_a_unit_is_an_issue_on_its_cell():
    # "%" alone in a rate column (or "months" alone in a months column) used to fail the whole
    # extraction with an AttributeError; it is an error on the cell, like any unreadable value.
    rows = [HEADER + ["Useful life (months)"],
            ["L1", "EUR", "2026-01-01", "2030-12-31", 100, "monthly", "advance", "%", "months"]]
    r = extract_grid(grid_from_book_json(book_json({"Leases": rows})))
    assert len(r.drafts) == 1
    assert {("invalid_number", "H2"), ("invalid_integer", "I2")} <= codes(r, "error")
