"""The committed template is what the generator writes, and it extracts without a single issue."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import openpyxl

from backend.engine.leases import LeasePolicy, compute_schedules, parse_lease
from backend.workbooks import extract_grid, extract_workbook, grid_from_book_json, read_xlsx
from backend.workbooks.columns import LEASE_COLUMNS, PAYMENT_COLUMNS
from backend.workbooks.template import EXAMPLE_LEASES, TEMPLATE_PATH, build_template

ROOT = Path(__file__).resolve().parents[2]


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _same_file(fresh: bytes, committed: bytes) -> None:
    """Every part's XML must match exactly; the zip bytes match too unless this machine's
    zlib deflates differently from the one that wrote the committed file."""
    assert _parts(fresh) == _parts(committed), \
        "workbook_templates/leases.xlsx is stale: run .venv/bin/python -m backend.workbooks.template"
    if fresh != committed:
        warnings.warn(f"template parts match but the zip bytes differ (zlib {zlib.ZLIB_RUNTIME_VERSION})",
                      stacklevel=2)


def test_committed_template_is_regenerated_identically():
    assert TEMPLATE_PATH == ROOT / "workbook_templates" / "leases.xlsx"
    _same_file(build_template(), TEMPLATE_PATH.read_bytes())
    assert build_template() == build_template()  # deterministic within a machine, byte for byte


def test_generator_command_writes_the_same_file(tmp_path):
    out = tmp_path / "leases.xlsx"
    subprocess.run([sys.executable, "-m", "backend.workbooks.template", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    _same_file(out.read_bytes(), TEMPLATE_PATH.read_bytes())


def test_template_extracts_cleanly_to_the_examples():
    r = extract_workbook(TEMPLATE_PATH.read_bytes())
    assert r.issues == []
    assert [d["external_id"] for d in r.drafts] == [x["external_id"] for x in EXAMPLE_LEASES]
    for draft, example in zip(r.drafts, EXAMPLE_LEASES):
        assert parse_lease(draft) == parse_lease(example)
        compute_schedules(parse_lease(draft), LeasePolicy())  # the examples are complete leases
    assert r.provenance[0]["payments[0].escalation.percent"] == "Leases!N2"
    assert r.provenance[3]["payments[1].amount"] == "Payments!E3"


def test_template_layout():
    wb = openpyxl.load_workbook(io.BytesIO(TEMPLATE_PATH.read_bytes()))
    assert wb.sheetnames == ["Instructions", "Leases", "Payments", "Lists", "Synonyms"]
    synonyms = {row[0].value: row[1].value for row in wb["Synonyms"].iter_rows() if len(row) > 1}
    assert "premises" in synonyms["Description"] and "rent p.a." in synonyms["Annual rent"]
    assert "CHF 12'500" in synonyms["Amounts"]
    leases, payments = wb["Leases"], wb["Payments"]
    assert [c.value for c in leases[1]] == [c.label for c in LEASE_COLUMNS]
    assert [c.value for c in payments[1]] == [c.label for c in PAYMENT_COLUMNS]
    assert leases.freeze_panes == "B2" and payments.freeze_panes == "B2"
    lists = {str(dv.sqref).split(":")[0][:-1]: dv.formula1 for dv in leases.data_validations.dataValidation}
    letter = {c.label: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(LEASE_COLUMNS)}
    for label in ("Frequency", "Timing", "Payment kind", "Rate convention", "Asset class", "Transfer of ownership"):
        rng = lists[letter[label]]
        sheet, cells = rng.split("!")
        values = [c.value for row in wb[sheet][cells.replace("$", "")] for c in row]
        assert values == list(next(c for c in LEASE_COLUMNS if c.label == label).list_values)
    assert leases["F2"].number_format == "yyyy-mm-dd" and leases["P2"].number_format == "0.00%"
    assert leases.column_dimensions["C"].width > 20
    assert wb.properties.created == datetime(2026, 1, 1) and wb.properties.modified == datetime(2026, 1, 1)
    assert {i.date_time for i in zipfile.ZipFile(TEMPLATE_PATH).infolist()} == {(2026, 1, 1, 0, 0, 0)}
    assert "Payments sheet" in [c.value for c in wb["Instructions"]["A"]]


def test_template_as_addin_book_json_gives_the_same_drafts():
    grid = read_xlsx(TEMPLATE_PATH.read_bytes())
    sheets = []
    for name, rows in grid.sheets.items():
        width = max(len(r) for r in rows)
        values = [[(v.strftime("%Y-%m-%dT00:00:00.000Z") if isinstance(v, datetime) or hasattr(v, "isoformat")
                    else "" if v is None else v) for v in r] + [""] * (width - len(r)) for r in rows]
        sheets.append({"name": name, "values": values})
    r = extract_grid(grid_from_book_json({"client": "Office.js", "book": {}, "sheets": sheets}))
    assert r.issues == [] and r.drafts == extract_workbook(TEMPLATE_PATH.read_bytes()).drafts


def test_text_that_looks_like_a_formula_is_written_as_text():
    lease = dict(EXAMPLE_LEASES[2], description='=HYPERLINK("http://evil","x")', entity="+SUM(1)")
    data = build_template([lease])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    assert b"<f>" not in sheet
    d = extract_workbook(data).drafts[0]
    assert d["description"] == '=HYPERLINK("http://evil","x")' and d["entity"] == "+SUM(1)"
