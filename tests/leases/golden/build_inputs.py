"""Builds the fixed registers of the bulk-draft golden test (run once; the bytes are committed).

    PYTHONPATH=. python tests/leases/golden/build_inputs.py

The inputs are committed as files so the golden test never depends on today's builders:
- ``corpus_*``: the messy real-world registers of tests/workbooks/corpus_registers.py (#15);
- ``mixed.xlsx``: 120 generated leases (bench_extract's generator) naming entities by code,
  legal name and in other case, monthly/quarterly/annual, advance/arrears, escalations, IDC,
  a Payments sheet with second streams;
- ``issues.xlsx``: good rows and rows with cell issues (bad and impossible dates, an end before
  the start, negative and unparseable amounts, unknown frequency and timing, amounts and rates in
  several notations, blank and unknown entities, an alias).
"""
from __future__ import annotations

import io
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "workbooks")]

import corpus_registers  # noqa: E402
from bench_extract import build_workbook  # noqa: E402

CORPUS = ("uk_rent_roll", "de_fleet_csv", "windows_1252_csv", "mixed_currency_register", "signs_register",
          "rate_columns", "rate_columns_percent", "annual_and_periodic", "entity_names",
          "currency_formatted_export", "peer_tool_csv")


def issues_register() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Leases"
    ws.append(["Lease ID", "Entity", "Description", "Asset class", "Currency", "Commencement date", "End date",
               "Payment amount", "Frequency", "Timing", "Discount rate", "Initial direct costs"])
    rows = [
        ["G-001", "UK01", "Office, good", "property", "GBP", date(2026, 1, 1), date(2030, 12, 31), 1250.5,
         "monthly", "advance", 0.05, None],
        ["G-002", "Demo US LLC", "Van, good", "vehicle", "USD", datetime(2026, 3, 15), date(2029, 3, 14), "1,250.00",
         "quarterly", "arrears", "6.25%", "2,000"],
        ["G-003", "demo gmbh", "Forklift", "equipment", "EUR", "01.02.2026", "31.01.2031", "1.250,75", "Monthly",
         "In advance", "4,5 %", None],
        ["G-004", "Demo Deutschland", "Store (alias)", "property", "EUR", "2026-07-01", "2036-06-30", "€ 12.000,00",
         "annual", "advance", 0.045, "(500)"],
        ["B-001", "UK01", "Bad date", "property", "GBP", "31/02/2026", date(2030, 12, 31), 900, "monthly",
         "advance", 0.05, None],
        ["B-002", "US01", "End before start", "property", "USD", date(2027, 1, 1), date(2026, 1, 1), 900, "monthly",
         "advance", 0.05, None],
        ["B-003", "US01", "Negative rent", "vehicle", "USD", date(2026, 1, 1), date(2028, 12, 31), -450,
         "monthly", "arrears", 0.07, None],
        ["B-004", "DE01", "Unparseable amount", "equipment", "EUR", date(2026, 1, 1), date(2028, 12, 31),
         "twelve hundred", "monthly", "advance", 0.04, None],
        ["B-005", "UK01", "Unknown frequency", "property", "GBP", date(2026, 1, 1), date(2028, 12, 31), 800,
         "fortnightly", "advance", 0.05, None],
        ["B-006", "UK01", "Unknown timing", "property", "GBP", date(2026, 1, 1), date(2028, 12, 31), 800,
         "monthly", "whenever", 0.05, None],
        ["B-007", "UK01", "No currency, no rate", "property", None, date(2026, 1, 1), date(2028, 12, 31), 800,
         "monthly", "advance", None, None],
        ["B-008", "UK01", "Rate out of range", "property", "GBP", date(2026, 1, 1), date(2028, 12, 31), 800,
         "monthly", "advance", 45, None],
        ["B-009", None, "Blank entity (default)", "vehicle", "USD", date(2026, 5, 1), date(2028, 4, 30), 610.1,
         "monthly", "advance", 0.055, None],
        ["B-010", "Acme Holdings", "Unknown entity", "vehicle", "USD", date(2026, 5, 1), date(2028, 4, 30), 610.1,
         "monthly", "advance", 0.055, None],
        ["B-011", "US01", "Short-term", "equipment", "USD", date(2026, 1, 1), date(2026, 10, 31), 300, "monthly",
         "advance", 0.05, None],
        ["B-012", "US01", "Mid-month, currency mismatch", "property", "JPY", date(2026, 1, 17), date(2031, 1, 16),
         "1 250 000", "monthly", "advance", "3%", None],
    ]
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    out = HERE / "inputs"
    out.mkdir(exist_ok=True)
    for name in CORPUS:
        data = getattr(corpus_registers, name)()
        ext = "csv" if data[:4] != b"PK\x03\x04" else "xlsx"
        (out / f"corpus_{name}.{ext}").write_bytes(data)
    (out / "mixed.xlsx").write_bytes(build_workbook(120, seed=22, entities=("UK01", "Demo US LLC", "DEMO GMBH",
                                                                            "Demo UK Ltd", "US01")))
    (out / "issues.xlsx").write_bytes(issues_register())


if __name__ == "__main__":
    main()
