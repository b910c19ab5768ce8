"""The header synonym table: broad, unambiguous, and what the README and template list."""

from __future__ import annotations

import pytest
from wb_builders import openpyxl_xlsx

from backend.workbooks import extract_workbook
from backend.workbooks.columns import LEASE_ALIASES, LEASE_COLUMNS
from backend.workbooks.synonyms import REGISTER_SYNONYMS
from backend.workbooks.values import key


def test_no_normalised_header_names_two_fields():
    owners: dict[str, set[str]] = {}
    for col in LEASE_COLUMNS + LEASE_ALIASES:
        for k in col.keys:
            owners.setdefault(k, set()).add(col.path)
    clashes = {k: paths for k, paths in owners.items() if len(paths) > 1}
    assert clashes == {}


def test_every_synonym_field_is_a_template_column():
    paths = {c.path for c in LEASE_COLUMNS}
    assert set(REGISTER_SYNONYMS) <= paths
    assert sum(len(v) for v in REGISTER_SYNONYMS.values()) >= 300


@pytest.mark.parametrize("header,path,value,expected", [
    ("Asset description", "description", "Shop", "Shop"),
    ("Premises", "description", "Shop", "Shop"),
    ("Item", "description", "Shop", "Shop"),
    ("Asset category", "asset_class", "property", "property"),
    ("Class", "asset_class", "property", "property"),
    ("Discount rate %", "discount_rate", "5%", "0.05"),
    ("Borrowing rate", "discount_rate", "5%", "0.05"),
    ("Instalment", "payments", "100", "100"),
    ("Life in years", "useful_life_months", 5, 60),
    ("Useful life", "useful_life_months", "5 years", 60),
    ("Lessee name", "entity", "Northwind Retail Ltd", "Northwind Retail Ltd"),
    ("Lease expiry", "end_date", "2030-12-31", "2030-12-31"),
    ("Vertragsbeginn", "commencement_date", "01.01.2026", "2026-01-01"),
])
def test_issue_headers_map_to_their_field(header, path, value, expected):
    rows = [["Lease ID", "Currency", header], ["L1", "GBP", value]]
    d = extract_workbook(openpyxl_xlsx({"Register": rows})).drafts[0]
    got = d["payments"][0]["amount"] if path == "payments" else d[path]
    assert got == expected


def test_rent_pa_is_the_annual_figure_not_the_payment():
    rows = [["Lease ID", "Currency", "Start", "End", "Rent p.a.", "Frequency", "Timing"],
            ["L1", "GBP", "2026-01-01", "2026-12-31", "120,000", "Monthly", "Advance"]]
    r = extract_workbook(openpyxl_xlsx({"Register": rows}))
    assert r.drafts[0]["payments"][0]["amount"] == "10000.00"
    assert [(i["code"], i["cell"], i["severity"]) for i in r.issues] == [("annual_rent_converted", "E2", "info")]


def test_key_ignores_case_spacing_and_punctuation():
    assert key("Rent p.a.") == key("RENT  PA") == "rentpa"


def test_readme_and_template_list_the_same_vocabulary():
    from pathlib import Path

    from backend.workbooks.vocabulary import markdown

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert markdown() in readme  # regenerate with: python -m backend.workbooks.vocabulary
