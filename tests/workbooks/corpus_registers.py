"""Messy real-world lease registers, built in code at test time (no binary blobs committed).

Each builder returns the uploaded bytes; ``test_corpus.py`` holds the answer key of every
field of every lease and every issue cell. The shapes are those of issue #15: registers
exported from other tools and kept by hand.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import xlsxwriter


def _openpyxl(rows, *, title="Register", merges=(), hidden=(), more=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    for col in hidden:
        ws.column_dimensions[col].hidden = True
    for name, extra in (more or {}).items():
        other = wb.create_sheet(name)
        for row in extra:
            other.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# 1. A UK property rent roll: title rows, legal entity names, "Rent p.a." converted to the
#    monthly/quarterly payment (one with a rounding remainder), merged group headings, a
#    spacer row, a Total row, an incentive in brackets, amounts written "£45,000".
def uk_rent_roll() -> bytes:
    rows = [
        ["Northwind Group plc — Property lease register"],
        ["As at 31 December 2025 (GBP unless stated)"],
        [],
        ["Lease ref", "Legal entity", "Premises", "Asset category", "Ccy", "Lease start", "Lease expiry",
         "Rent p.a.", "Payment frequency", "In advance/arrears", "Discount rate %", "Lease incentives"],
        ["Warehouses — North"],
        ["NW-001", "Northwind Retail Ltd", "Unit 4, Leeds DC", "Property", "GBP", date(2026, 1, 1),
         date(2035, 12, 31), "£120,000", "Monthly", "In advance", "5.5%", "(7,500)"],
        ["NW-002", "northwind retail ltd.", "Unit 9, York", "Property", "GBP", date(2026, 4, 1),
         date(2031, 3, 31), "£100,000", "Monthly", "Advance", "5.25%", None],
        [],
        ["Offices — South"],
        ["NW-003", "Northwind Logistics Limited", "2nd floor, 1 Bank St, London", "Property", "GBP",
         date(2026, 1, 1), date(2030, 12, 31), "£45,000", "Quarterly", "In arrears", "6%", "£5,000"],
        ["Total", None, None, None, None, None, None, "£265,000", None, None, None, "£12,500"],
    ]
    return _openpyxl(rows, title="Lease register", merges=("A5:L5", "A9:L9"))


# 2. A German fleet list exported as semicolon CSV with a BOM: decimal commas, day-first
#    dotted dates, a "1.250" that only the column's other cells can decide, rates as "4,5 %".
def de_fleet_csv() -> bytes:
    text = (
        "Vertrag;Gesellschaft;Fahrzeug;Currency;Start date;End date;Monthly rent;Timing;Discount rate\n"
        "F-01;DE01;VW Passat B-XY 101;EUR;01.03.2026;28.02.2030;\"1.250,00 €\";advance;4,5%\n"
        "F-02;DE01;Audi A4 B-XY 202;EUR;15.04.2026;14.04.2029;1.250;arrears;4,75%\n"
        "F-03;DE01;Transporter B-XY 303;EUR;01.05.2026;30.04.2030;\"899,5\";advance;5%\n")
    return "\ufeff".encode() + text.encode("utf-8")


# 3. A hand-kept CSV saved by Excel on Windows (Windows-1252, commas): "£" and accents in
#    that code page, quoted amounts with thousands commas, a missing payment amount and an
#    unknown frequency, each an error at its cell.
def windows_1252_csv() -> bytes:
    text = (
        "Lease ID,Entity,Description,Currency,Commencement date,End date,Payment amount,Frequency,Timing,IBR\n"
        "W-1,UK01,Caf\u00e9 kiosk \u2013 St Pancras,GBP,2026-02-01,2029-01-31,\"\u00a32,400.00\",Monthly,Advance,6.1%\n"
        "W-2,UK01,Printer fleet,GBP,2026-02-01,2028-01-31,,Monthly,Advance,6.1%\n"
        "W-3,UK01,Archive storage,GBP,2026-02-01,2028-01-31,\"\u00a3900.00\",Bi-monthly,Arrears,6.1%\n")
    return text.encode("cp1252")


# 4. A group register mixing currencies in one amount column: the symbol or code in each
#    amount confirms the currency column, fills it where blank, and is an error where it
#    contradicts it. The column uses both decimal marks, so "2,500" is settled only by its
#    row's currency (GBP has no third decimal); "4,750" with no currency at all is an error.
def mixed_currency_register() -> bytes:
    rows = [
        ["Lease ID", "Company", "Asset", "Currency", "Start date", "End date", "Instalment", "Frequency", "Timing",
         "Rate"],
        ["M-1", "CH01", "Zurich office", "CHF", "2026-01-01", "2030-12-31", "CHF 12'500", "Quarterly", "Advance",
         0.03],
        ["M-2", "US01", "Dallas yard", "USD", "2026-01-01", "2028-12-31", "USD 1,200.50", "Monthly", "Arrears",
         0.065],
        ["M-3", "JP01", "Osaka showroom", "JPY", "2026-01-01", "2029-12-31", "¥980,000", "Monthly", "Advance",
         0.015],
        ["M-4", "DE01", "Berlin store", None, "2026-01-01", "2030-12-31", "€ 1.250,00", "Monthly", "Advance", 0.04],
        ["M-5", "UK01", "Bristol depot", "GBP", "2026-01-01", "2030-12-31", "USD 1,000.00", "Monthly", "Advance",
         0.05],
        ["M-6", "UK01", "Bath kiosk", "GBP", "2026-01-01", "2027-12-31", "2,500", "Monthly", "Advance", 0.05],
        ["M-7", "CH01", "Basel lab", None, "2026-01-01", "2027-12-31", "4,750", "Monthly", "Advance", 0.03],
    ]
    return _openpyxl(rows, title="Group leases")


# 5. Signs: incentives received written negative or with a trailing minus are read as their
#    magnitude (info); a negative rent or cost cannot be meant and is an error at its cell.
def signs_register() -> bytes:
    rows = [
        ["Lease ID", "Entity", "Currency", "Commencement", "Expiry", "Payment", "Frequency", "Timing", "IBR",
         "Incentives received", "Initial direct costs"],
        ["S-1", "UK01", "GBP", "2026-01-01", "2030-12-31", "2,000.00", "Monthly", "Advance", "5%", "7,500-", "1,000"],
        ["S-2", "UK01", "GBP", "2026-01-01", "2030-12-31", "-2,000.00", "Monthly", "Advance", "5%", "-3,000",
         None],
        ["S-3", "UK01", "GBP", "2026-01-01", "2030-12-31", "2,000.00", "Monthly", "Advance", "5%", None, "(250)"],
    ]
    return _openpyxl(rows)


# 6. Rates read against their column: 48 among 0.045 and 0.052 is an error at its cell;
#    0.05 among rates written 4.5 and 5.2 is too. Escalations typed as 3 and 0.03 likewise.
def rate_columns() -> bytes:
    head = ["Lease ID", "Entity", "Currency", "Start", "End", "Monthly rent", "Timing", "Discount rate"]
    a = [head,
         ["R-1", "UK01", "GBP", "2026-01-01", "2030-12-31", 1000, "Advance", 0.045],
         ["R-2", "UK01", "GBP", "2026-01-01", "2030-12-31", 1000, "Advance", 0.052],
         ["R-3", "UK01", "GBP", "2026-01-01", "2030-12-31", 1000, "Advance", 48],
         ["R-4", "UK01", "GBP", "2026-01-01", "2030-12-31", 1000, "Advance", "4.9%"]]
    return _openpyxl(a)


def rate_columns_percent() -> bytes:
    head = ["Lease ID", "Entity", "Currency", "Start", "End", "Monthly rent", "Timing", "Borrowing rate",
            "Escalation %"]
    a = [head,
         ["P-1", "UK01", "GBP", "2026-01-01", "2030-12-31", 1000, "Advance", 4.5, 3],
         ["P-2", "UK01", "GBP", "2026-01-01", "2030-12-31", 1000, "Advance", 5.2, 2.5],
         ["P-3", "UK01", "GBP", "2026-01-01", "2030-12-31", 1000, "Advance", 0.05, 0.03]]
    return _openpyxl(a)


# 7. Rent both per year and per period: the periodic payment is used and the annual figure
#    checks it; annual only is converted (JPY has no minor unit); annual with no frequency
#    is an error.
def annual_and_periodic() -> bytes:
    rows = [
        ["Lease ID", "Entity", "Currency", "Start date", "End date", "Annual rent", "Rent per period", "Frequency",
         "Timing", "IBR"],
        ["A-1", "UK01", "GBP", "2026-01-01", "2030-12-31", "24,000.00", "2,000.00", "Monthly", "Advance", "5%"],
        ["A-2", "UK01", "GBP", "2026-01-01", "2030-12-31", "24,000.00", "2,100.00", "Monthly", "Advance", "5%"],
        ["A-3", "JP01", "JPY", "2026-01-01", "2030-12-31", "1,000,000", None, "Quarterly", "Advance", "1.5%"],
        ["A-4", "UK01", "GBP", "2026-01-01", "2030-12-31", "10,000.00", None, None, "Advance", "5%"],
    ]
    return _openpyxl(rows)


# 8. A two-row header with a merged "Payment" group, a hidden column the author no longer
#    uses, and a Useful life in years.
def hidden_and_two_row_header() -> bytes:
    rows = [
        ["Lease ID", "Entity", "Currency", "Term", None, "Payment", None, None, "IBR", "Life in years"],
        [None, None, None, "Start", "End", "Amount", "Frequency", "Timing", None, None],
        ["H-1", "UK01", "GBP", "2026-01-01", "2030-12-31", 1500, "Quarterly", "Arrears", 0.05, 8],
        ["H-2", "UK01", "GBP", "2026-07-01", "2029-06-30", 800, "Monthly", "Advance", 0.055, "10 years"],
    ]
    return _openpyxl(rows, merges=("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:H1", "I1:I2", "J1:J2"),
                     hidden=("I",))


# 9. Two rows that could each be the header (a pasted block from another register): a tie
#    is an issue, not a guess.
def header_tie() -> bytes:
    rows = [
        ["Lease ID", "Currency", "Start date", "Amount"],
        ["Reference", "Entity", "End date", "Frequency"],
        ["T-1", "GBP", "2026-01-01", 100],
    ]
    return _openpyxl(rows)


# 10. Entities named by legal name, case and punctuation aside, by alias and by code; an
#     unknown name gets suggestions; a blank one takes the upload's default.
def entity_names() -> bytes:
    rows = [
        ["Lease ID", "Lessee name", "Currency", "Start date", "End date", "Monthly rent", "Timing", "IBR"],
        ["E-1", "Northwind Retail Ltd", "GBP", "2026-01-01", "2028-12-31", 500, "Advance", "5%"],
        ["E-2", "NORTHWIND  RETAIL LTD.", "GBP", "2026-01-01", "2028-12-31", 500, "Advance", "5%"],
        ["E-3", "NWR", "GBP", "2026-01-01", "2028-12-31", 500, "Advance", "5%"],
        ["E-4", "nl01", "GBP", "2026-01-01", "2028-12-31", 500, "Advance", "5%"],
        ["E-5", "Northwnd Retail", "GBP", "2026-01-01", "2028-12-31", 500, "Advance", "5%"],
        ["E-6", None, "GBP", "2026-01-01", "2028-12-31", 500, "Advance", "5%"],
    ]
    return _openpyxl(rows)


# 11. An export with currency-formatted number cells, numbers stored as text, a
#     "Life in years" column and real date cells (XlsxWriter).
def currency_formatted_export() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Export")
    gbp = wb.add_format({"num_format": "£#,##0.00"})
    eur = wb.add_format({"num_format": "#,##0.00 [$€-407]"})
    pct = wb.add_format({"num_format": "0.00%"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Agreement no", "Entity code", "Asset description", "Asset class", "Currency",
                        "Commencement date", "Expiry date", "Lease payment", "Payment frequency", "Payment timing",
                        "Incremental borrowing rate", "Useful life (years)"])
    data = [("X-1", "UK01", "Forklift", "Equipment", "GBP", date(2026, 1, 1), date(2029, 12, 31), (1850.5, gbp),
             "Monthly", "Arrears", (0.061, pct), 7),
            ("X-2", "DE01", "Server rack", "IT equipment", "EUR", date(2026, 2, 1), date(2029, 1, 31),
             (1200, eur), "Quarterly", "Advance", (0.04, pct), "5"),
            ("X-3", "UK01", "Van", "Vehicle", "GBP", date(2026, 3, 1), date(2030, 2, 28), "650.00", "Monthly",
             "Advance", "0.058", "6")]
    for r, row in enumerate(data, start=1):
        for c, v in enumerate(row):
            if isinstance(v, tuple):
                ws.write_number(r, c, v[0], v[1])
            elif isinstance(v, date):
                ws.write_datetime(r, c, v, day)
            else:
                ws.write_string(r, c, str(v)) if isinstance(v, str) else ws.write_number(r, c, v)
    wb.close()
    return buf.getvalue()


# 12. A peer tool's ASC 842 export as plain comma CSV (UTF-8, no BOM): its own headings, the
#     header repeated after a page break, a blank line and a grand total.
def peer_tool_csv() -> bytes:
    head = ("Contract ID,Lessee Name,Underlying Asset,Asset Class,Currency,Commencement Date,Expiration Date,"
            "Payment Amount,Payment Frequency,Payment Timing,Incremental Borrowing Rate,Useful Life (Years)\n")
    text = (head
            + "PT-1,US01,Dallas HQ,property,USD,2026-01-01,2035-12-31,\"25,000.00\",Monthly,Advance,0.062,40\n"
            + head
            + "PT-2,US01,Delivery truck,vehicle,USD,2026-02-01,2030-01-31,\"1,100.00\",Monthly,Arrears,0.071,8\n"
            + ",,,,,,,,,,,\n"
            + "Grand total,,,,,,,\"26,100.00\",,,,\n")
    return text.encode("utf-8")
