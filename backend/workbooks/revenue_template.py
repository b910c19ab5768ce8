"""The revenue contract input template (``workbook_templates/revenue_contracts.xlsx``), generated.

Sheets: Instructions, Contracts (one contract per row), PerformanceObligations and Billing (rows
keyed by External ID), Lists (drop-down values). Examples: a SaaS subscription, hardware +
support, and a percent-complete project. Byte-for-byte deterministic (fixed timestamps).

    .venv/bin/python -m backend.workbooks.revenue_template [--out PATH]
"""
from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .revenue_extract import BILLING_COLS, CONTRACT_COLS, PO_COLS
from .template import FIXED_TIME, workbook_bytes

PATTERNS = ("point_in_time", "ratable", "percent_complete")
SSP_METHODS = ("observable", "adjusted_market_assessment", "expected_cost_plus_margin", "residual")
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF")
D = Decimal

CONTRACTS = [
    ["DEMO-US", "SAAS-001", "Acme Corp", "USD", date(2026, 1, 1), D("36000.00")],
    ["DEMO-US", "HWS-001", "Globex", "USD", date(2026, 1, 15), D("13000.00")],
    ["DEMO-US", "PROJ-001", "Initech", "USD", date(2026, 1, 1), D("100000.00")],
]
POS = [
    ["SAAS-001", "SUB", "Platform subscription, 36 months", "ratable", "observable", D("30000.00"), "SAAS-PLAT",
     date(2026, 1, 1), date(2028, 12, 31), None, None, None],
    ["SAAS-001", "ONB", "Onboarding", "point_in_time", "observable", D("8000.00"), "ONBOARD", None, None,
     date(2026, 1, 31), None, None],
    ["HWS-001", "HW", "Hardware appliance", "point_in_time", "observable", D("10000.00"), "HW-100", None, None,
     date(2026, 1, 20), None, None],
    ["HWS-001", "SUP", "Support, 24 months", "ratable", "observable", D("4800.00"), "SUPPORT-STD",
     date(2026, 2, 1), date(2028, 1, 31), None, None, None],
    ["PROJ-001", "IMPL", "Implementation project (input method: % complete)", "percent_complete", "observable",
     D("100000.00"), "PROJ", None, None, None, None, "2026-03-31=25; 2026-06-30=60; 2026-09-30=100"],
]
BILLING = [
    ["SAAS-001", date(2026, 1, 1), D("12000.00")], ["SAAS-001", date(2027, 1, 1), D("12000.00")],
    ["SAAS-001", date(2028, 1, 1), D("12000.00")],
    ["HWS-001", date(2026, 1, 20), D("13000.00")],
    ["PROJ-001", date(2026, 1, 1), D("30000.00")], ["PROJ-001", date(2026, 6, 30), D("40000.00")],
    ["PROJ-001", date(2026, 10, 31), D("30000.00")],
]
INSTRUCTIONS = [
    "Revenue contracts template (IFRS 15 / ASC 606)",
    "",
    "Contracts: one row per customer contract. Entity is the entity code (or name); Fixed price is the fixed",
    "transaction price. Amounts are numbers or text like 1234.50; dates are Excel dates or YYYY-MM-DD.",
    "PerformanceObligations: one row per PO, keyed by External ID. Pattern: point_in_time (give Delivered date),",
    "ratable (PO start/end date) or percent_complete (Progress as date=percent pairs separated by ';').",
    "SSP method is a judgement: observable, adjusted_market_assessment, expected_cost_plus_margin, residual.",
    "Leave SSP blank and give a SKU to use the entity's SSP matrix (PUT /v1/revenue/ssp-matrix).",
    "Billing: invoices (unconditional rights to consideration) by date, keyed by External ID.",
    "Upload: POST /v1/revenue/contracts/extract/file or the add-in's Extract button. Every issue names its cell.",
    "Rows whose External ID starts with # are ignored. Examples: SaaS subscription, hardware + support,",
    "a percent-complete project.",
]


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for c in ws[1]:
        c.font, c.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for r in rows:
        ws.append(r)
    for i, _h in enumerate(headers):
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = 18
    for r in range(2, len(rows) + 2):
        for c, _h in enumerate(headers, start=1):
            cell = ws.cell(r, c)
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, Decimal):
                cell.value = float(cell.value)  # Excel stores numbers as doubles; the reader re-reads them exactly
                cell.number_format = "#,##0.00"


def build_workbook() -> Workbook:
    wb = Workbook()
    ins = wb.active
    ins.title = "Instructions"
    for line in INSTRUCTIONS:
        ins.append([line])
    ins["A1"].font = Font(bold=True, size=14)
    _sheet(wb, "Contracts", list(CONTRACT_COLS.values()), CONTRACTS)
    _sheet(wb, "PerformanceObligations", list(PO_COLS.values()), POS)
    _sheet(wb, "Billing", list(BILLING_COLS.values()), BILLING)
    lists = wb.create_sheet("Lists")
    lists.append(["Pattern", "SSP method", "Currency"])
    for k in range(max(len(PATTERNS), len(SSP_METHODS), len(CURRENCIES))):
        lists.append([x[k] if k < len(x) else None for x in (PATTERNS, SSP_METHODS, CURRENCIES)])
    po = wb["PerformanceObligations"]
    for col, ref in (("D", f"Lists!$A$2:$A${len(PATTERNS) + 1}"), ("E", f"Lists!$B$2:$B${len(SSP_METHODS) + 1}")):
        dv = DataValidation(type="list", formula1=ref, allow_blank=True)
        po.add_data_validation(dv)
        dv.add(f"{col}2:{col}5000")
    dv = DataValidation(type="list", formula1=f"Lists!$C$2:$C${len(CURRENCIES) + 1}", allow_blank=True)
    wb["Contracts"].add_data_validation(dv)
    dv.add("D2:D5000")
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def build_template() -> bytes:
    return workbook_bytes(build_workbook())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "workbook_templates"
                                         / "revenue_contracts.xlsx"))
    args = ap.parse_args(argv)
    Path(args.out).write_bytes(build_template())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
