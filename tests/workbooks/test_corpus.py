"""The messy-register corpus of issue #15: every field of every lease and every issue cell.

Each case is (builder, answer key of the drafts, answer key of the issues as
``(severity, code, cell)``); the comparison is exact both ways, so an extra issue or a
field read that the key does not name fails as surely as a missing one.
"""

from __future__ import annotations

import corpus_registers as reg
import pytest

from backend.engine.leases import parse_lease
from backend.workbooks import EntityRecord, extract_upload, resolve_entities


def lease(ref, entity, ccy, start, end, amount=None, freq=None, timing=None, rate=None, **extra):
    stream = {k: v for k, v in (("amount", amount), ("frequency", freq), ("timing", timing)) if v is not None}
    stream.update({"from": start, "to": end})
    out = {"external_id": ref, "currency": ccy, "commencement_date": start, "end_date": end, "payments": [stream]}
    if entity is not None:
        out["entity"] = entity
    if rate is not None:
        out["discount_rate"] = rate
    esc = extra.pop("escalation", None)
    if esc is not None:
        stream["escalation"] = {"percent": esc, "every_months": 12}
    out.update(extra)
    return out


def _no_ccy(d):
    del d["currency"]
    return d


CORPUS = {
    "uk_rent_roll": (reg.uk_rent_roll, [
        lease("NW-001", "Northwind Retail Ltd", "GBP", "2026-01-01", "2035-12-31", "10000.00", "monthly", "advance",
              "0.055", description="Unit 4, Leeds DC", asset_class="Property", lease_incentives_received="7500"),
        lease("NW-002", "northwind retail ltd.", "GBP", "2026-04-01", "2031-03-31", "8333.33", "monthly", "advance",
              "0.0525", description="Unit 9, York", asset_class="Property"),
        lease("NW-003", "Northwind Logistics Limited", "GBP", "2026-01-01", "2030-12-31", "11250.00", "quarterly",
              "arrears", "0.06", description="2nd floor, 1 Bank St, London", asset_class="Property",
              lease_incentives_received="5000"),
    ], {("info", "row_skipped", "A5"), ("info", "sign_ignored", "L6"), ("info", "annual_rent_converted", "H6"),
        ("info", "annual_rent_converted", "H7"), ("info", "row_skipped", "A9"),
        ("info", "annual_rent_converted", "H10"), ("info", "row_skipped", "A11")}),
    "de_fleet_csv": (reg.de_fleet_csv, [
        lease("F-01", "DE01", "EUR", "2026-03-01", "2030-02-28", "1250.00", "monthly", "advance", "0.045",
              description="VW Passat B-XY 101"),
        lease("F-02", "DE01", "EUR", "2026-04-15", "2029-04-14", "1250", "monthly", "arrears", "0.0475",
              description="Audi A4 B-XY 202"),
        lease("F-03", "DE01", "EUR", "2026-05-01", "2030-04-30", "899.5", "monthly", "advance", "0.05",
              description="Transporter B-XY 303"),
    ], set()),
    "windows_1252_csv": (reg.windows_1252_csv, [
        lease("W-1", "UK01", "GBP", "2026-02-01", "2029-01-31", "2400.00", "monthly", "advance", "0.061",
              description="Café kiosk – St Pancras"),
        lease("W-2", "UK01", "GBP", "2026-02-01", "2028-01-31", None, "monthly", "advance", "0.061",
              description="Printer fleet"),
        lease("W-3", "UK01", "GBP", "2026-02-01", "2028-01-31", "900.00", None, "arrears", "0.061",
              description="Archive storage"),
    ], {("error", "required", "3:7"), ("error", "invalid_choice", "4:8")}),
    "mixed_currency_register": (reg.mixed_currency_register, [
        lease("M-1", "CH01", "CHF", "2026-01-01", "2030-12-31", "12500", "quarterly", "advance", "0.03",
              description="Zurich office"),
        lease("M-2", "US01", "USD", "2026-01-01", "2028-12-31", "1200.50", "monthly", "arrears", "0.065",
              description="Dallas yard"),
        lease("M-3", "JP01", "JPY", "2026-01-01", "2029-12-31", "980000", "monthly", "advance", "0.015",
              description="Osaka showroom"),
        lease("M-4", "DE01", "EUR", "2026-01-01", "2030-12-31", "1250.00", "monthly", "advance", "0.04",
              description="Berlin store"),
        lease("M-5", "UK01", "GBP", "2026-01-01", "2030-12-31", None, "monthly", "advance", "0.05",
              description="Bristol depot"),
        lease("M-6", "UK01", "GBP", "2026-01-01", "2027-12-31", "2500", "monthly", "advance", "0.05",
              description="Bath kiosk"),
        _no_ccy(lease("M-7", "CH01", None, "2026-01-01", "2027-12-31", None, "monthly", "advance", "0.03",
                      description="Basel lab")),
    ], {("info", "currency_from_amount", "G5"), ("error", "currency_mismatch", "G6"),
        ("error", "ambiguous_number", "G8"), ("error", "required", "D8")}),
    "signs_register": (reg.signs_register, [
        lease("S-1", "UK01", "GBP", "2026-01-01", "2030-12-31", "2000.00", "monthly", "advance", "0.05",
              lease_incentives_received="7500", initial_direct_costs="1000"),
        lease("S-2", "UK01", "GBP", "2026-01-01", "2030-12-31", None, "monthly", "advance", "0.05",
              lease_incentives_received="3000"),
        lease("S-3", "UK01", "GBP", "2026-01-01", "2030-12-31", "2000.00", "monthly", "advance", "0.05"),
    ], {("info", "sign_ignored", "J2"), ("error", "negative_amount", "F3"), ("info", "sign_ignored", "J3"),
        ("error", "negative_amount", "K4")}),
    "rate_columns": (reg.rate_columns, [
        lease("R-1", "UK01", "GBP", "2026-01-01", "2030-12-31", "1000", "monthly", "advance", "0.045"),
        lease("R-2", "UK01", "GBP", "2026-01-01", "2030-12-31", "1000", "monthly", "advance", "0.052"),
        lease("R-3", "UK01", "GBP", "2026-01-01", "2030-12-31", "1000", "monthly", "advance"),
        lease("R-4", "UK01", "GBP", "2026-01-01", "2030-12-31", "1000", "monthly", "advance", "0.049"),
    ], {("error", "rate_does_not_fit_column", "H4")}),
    "rate_columns_percent": (reg.rate_columns_percent, [
        lease("P-1", "UK01", "GBP", "2026-01-01", "2030-12-31", "1000", "monthly", "advance", "0.045", escalation="3"),
        lease("P-2", "UK01", "GBP", "2026-01-01", "2030-12-31", "1000", "monthly", "advance", "0.052",
              escalation="2.5"),
        lease("P-3", "UK01", "GBP", "2026-01-01", "2030-12-31", "1000", "monthly", "advance"),
    ], {("warning", "escalation_interval_assumed", "I2"), ("warning", "escalation_interval_assumed", "I3"),
        ("error", "rate_does_not_fit_column", "H4"), ("error", "rate_does_not_fit_column", "I4")}),
    "annual_and_periodic": (reg.annual_and_periodic, [
        lease("A-1", "UK01", "GBP", "2026-01-01", "2030-12-31", "2000.00", "monthly", "advance", "0.05"),
        lease("A-2", "UK01", "GBP", "2026-01-01", "2030-12-31", "2100.00", "monthly", "advance", "0.05"),
        lease("A-3", "JP01", "JPY", "2026-01-01", "2030-12-31", "250000", "quarterly", "advance", "0.015"),
        lease("A-4", "UK01", "GBP", "2026-01-01", "2030-12-31", None, None, "advance", "0.05"),
    ], {("warning", "annual_rent_mismatch", "F3"), ("info", "annual_rent_converted", "F4"),
        ("error", "frequency_required", "F5")}),
    "hidden_and_two_row_header": (reg.hidden_and_two_row_header, [
        lease("H-1", "UK01", "GBP", "2026-01-01", "2030-12-31", "1500", "quarterly", "arrears",
              useful_life_months=96),
        lease("H-2", "UK01", "GBP", "2026-07-01", "2029-06-30", "800", "monthly", "advance",
              useful_life_months=120),
    ], {("warning", "hidden_column", "I2")}),
    "header_tie": (reg.header_tie, [], {("error", "header_ambiguous", None)}),
    "currency_formatted_export": (reg.currency_formatted_export, [
        lease("X-1", "UK01", "GBP", "2026-01-01", "2029-12-31", "1850.5", "monthly", "arrears", "0.061",
              description="Forklift", asset_class="Equipment", useful_life_months=84),
        lease("X-2", "DE01", "EUR", "2026-02-01", "2029-01-31", "1200", "quarterly", "advance", "0.04",
              description="Server rack", asset_class="IT equipment", useful_life_months=60),
        lease("X-3", "UK01", "GBP", "2026-03-01", "2030-02-28", "650.00", "monthly", "advance", "0.058",
              description="Van", asset_class="Vehicle", useful_life_months=72),
    ], set()),
    "peer_tool_csv": (reg.peer_tool_csv, [
        lease("PT-1", "US01", "USD", "2026-01-01", "2035-12-31", "25000.00", "monthly", "advance", "0.062",
              description="Dallas HQ", asset_class="property", useful_life_months=480),
        lease("PT-2", "US01", "USD", "2026-02-01", "2030-01-31", "1100.00", "monthly", "arrears", "0.071",
              description="Delivery truck", asset_class="vehicle", useful_life_months=96),
    ], {("info", "row_skipped", "3:1"), ("info", "row_skipped", "6:1")}),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_register_extracts_to_its_answer_key(name):
    build, drafts, issues = CORPUS[name]
    r = extract_upload(build())
    assert r.drafts == drafts
    assert {(i["severity"], i["code"], i["cell"]) for i in r.issues} == issues, r.issues
    for i, d in enumerate(r.drafts):
        if not any(x["severity"] == "error" for x in r.issues_for(i)):
            parse_lease(d)  # what extracted cleanly is a valid engine input


def test_converted_rent_points_at_the_annual_cell_and_documents_the_remainder():
    r = extract_upload(reg.uk_rent_roll())
    assert r.provenance[1]["payments[0].amount"] == "Lease register!H7"
    (note,) = [i for i in r.issues if i["cell"] == "H7"]
    assert "8,333.33" in note["message"] and "99,999.96" in note["message"] and "0.04 a year less" in note["message"]


def test_csv_cells_are_row_column():
    r = extract_upload(reg.windows_1252_csv())
    assert r.provenance[0]["payments[0].amount"] == "CSV!2:7" and r.provenance[0]["_row"] == "CSV!2"


ENTITIES = [EntityRecord("NR01", "Northwind Retail Ltd", ("NWR",)),
            EntityRecord("NL01", "Northwind Logistics Limited")]


def test_entities_by_code_name_alias_default_and_unknown_with_suggestions():
    r = extract_upload(reg.entity_names())
    skipped = resolve_entities(r, ENTITIES, default="UK01")
    assert [d.get("entity") for d in r.drafts] == ["NR01", "NR01", "NR01", "NL01", "Northwnd Retail", "UK01"]
    assert skipped == {4}
    (issue,) = r.issues
    assert (issue["severity"], issue["code"], issue["cell"]) == ("error", "unknown_entity", "B6")
    assert issue["suggestions"] == ["Northwind Retail Ltd (NR01)"]
    for i, d in enumerate(r.drafts):
        expected = lease(f"E-{i + 1}", d.get("entity"), "GBP", "2026-01-01", "2028-12-31", "500", "monthly",
                         "advance", "0.05")
        assert d == {**expected, "entity": d.get("entity")}


def test_no_entity_and_no_default_is_a_cell_issue_and_ambiguous_names_are_not_guessed():
    r = extract_upload(reg.entity_names())
    twins = ENTITIES + [EntityRecord("NR02", "NWR")]  # one's alias is the other's name
    skipped = resolve_entities(r, twins, default=None)
    got = {(i["code"], i["cell"]) for i in r.issues}
    assert skipped == {2, 4, 5}
    assert got == {("ambiguous_entity", "B4"), ("unknown_entity", "B6"), ("entity_required", "A7")}  # no cell: its Lease ID
