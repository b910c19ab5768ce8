"""Hostile or broken uploads to POST /v1/leases/extract-file: the documented error, and nothing stored."""
from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.db.models import AuditEvent, IdempotencyRecord, Lease
from backend.workbooks.template import build_template

# The workbook tests' builders import each other as top-level modules; reuse them as they are.
sys.path.insert(0, str(Path(__file__).parent.parent / "workbooks"))
from test_workbook_hostile import LOL, _rows  # noqa: E402
from wb_builders import raw_xlsx  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(200):
                fh.write(bytes(1 << 20))
    return buf.getvalue()


CASES = {
    "not_a_workbook": (lambda: os.urandom(4096), 400, "not_a_workbook"),
    # CSV is accepted (sniffed from content), under the same caps; binary that is not a zip is not.
    "csv_too_wide": (lambda: ("," * 300 + "\n").encode(), 413, "too_many_columns"),
    "csv_binary": (lambda: bytes(range(256)) * 8, 400, "not_a_workbook"),
    "password_protected": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048), 400,
                           "password_protected_or_legacy"),
    "zip_bomb": (_zip_bomb, 413, "zip_bomb_suspected"),
    "xml_bomb": (lambda: raw_xlsx([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
                                  extra={"xl/sharedStrings.xml": LOL.encode()}), 400, "xml_entities_refused"),
    "million_rows": (lambda: raw_xlsx(_rows(1_000_001)), 413, "too_many_rows"),
    "truncated": (lambda: build_template()[:3000], 400, "not_a_workbook"),
}


def _state(rt, tenant_id):
    with rt.db.session(tenant_id) as s:
        return (s.scalar(select(func.count()).select_from(Lease)),
                s.scalar(select(func.count()).select_from(IdempotencyRecord)),
                s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "change")))


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_upload_is_refused_and_nothing_is_stored(client, demo, rt, case):
    make, status, code = CASES[case]
    before = _state(rt, demo.sandbox_tenant_id)
    r = client.post("/v1/leases/extract-file", headers={**demo.headers(), "Idempotency-Key": f"up-{case}"},
                    files={"file": ("upload.xlsx", make(), XLSX)})
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["request_id"] and "Traceback" not in r.text
    assert _state(rt, demo.sandbox_tenant_id) == before


def test_oversized_upload_is_413_without_reading_it_all(client, demo, rt):
    before = _state(rt, demo.sandbox_tenant_id)
    r = client.post("/v1/leases/extract-file", headers=demo.headers(),
                    files={"file": ("big.xlsx", b"PK\x03\x04" + bytes(26 * 1024 * 1024), XLSX)})
    assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large"
    assert _state(rt, demo.sandbox_tenant_id) == before


def test_unknown_entity_row_is_not_stored_and_taken_id_stores_nothing(client, demo, rt):
    leases = [{"external_id": "U-1", "entity": "NOPE", "currency": "USD", "commencement_date": "2026-01-01",
               "end_date": "2027-12-31", "discount_rate": "0.05",
               "payments": [{"from": "2026-01-01", "to": "2027-12-01", "amount": "100", "frequency": "monthly",
                             "timing": "advance", "kind": "fixed"}]},
              {"external_id": "U-2", "entity": "DEMO-US", "currency": "USD", "commencement_date": "2026-01-01",
               "end_date": "2027-12-31", "discount_rate": "0.05",
               "payments": [{"from": "2026-01-01", "to": "2027-12-01", "amount": "100", "frequency": "monthly",
                             "timing": "advance", "kind": "fixed"}]}]
    before = _state(rt, demo.sandbox_tenant_id)
    # A default entity that does not exist refuses the upload as a whole.
    r = client.post("/v1/leases/extract-file", headers=demo.headers(), data={"entity": "NOPE"},
                    files={"file": ("l.xlsx", build_template(leases), XLSX)})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_entity"
    assert _state(rt, demo.sandbox_tenant_id) == before
    # A row naming an unknown entity is not stored (an error at its cell); the other row is.
    r = client.post("/v1/leases/extract-file", headers=demo.headers(),
                    files={"file": ("l.xlsx", build_template(leases), XLSX)})
    assert r.status_code == 201, r.text
    body = r.json()
    assert [d["lease"]["external_id"] for d in body["drafts"]] == ["U-2"] and body["draft_indexes"] == [1]
    (skipped,) = body["not_imported"]
    assert skipped["entity"] == "NOPE" and skipped["external_id"] == "U-1" and skipped["cell"] == "Leases!B2"
    assert skipped["issues"][0]["code"] == "unknown_entity" and skipped["issues"][0]["cell"] == "B2"
    # With the entity fixed, the file goes in; uploading it again is refused as a whole.
    leases = leases[:1]
    leases[0]["entity"] = "DEMO-US"
    data = build_template(leases)
    assert client.post("/v1/leases/extract-file", headers=demo.headers(),
                       files={"file": ("l.xlsx", data, XLSX)}).status_code == 201
    mid = _state(rt, demo.sandbox_tenant_id)
    r = client.post("/v1/leases/extract-file", headers=demo.headers(), files={"file": ("l.xlsx", data, XLSX)})
    assert r.status_code == 409 and {x["external_id"] for x in r.json()["error"]["details"]["rows"]} == {"U-1"}
    assert _state(rt, demo.sandbox_tenant_id) == mid


def test_the_template_examples_upload_and_replay_returns_the_same_drafts(client, demo):
    # The demo sandbox has the entities the template's example rows name, so it uploads as-is.
    data = build_template()
    h = {**demo.headers(), "Idempotency-Key": "upload-1"}
    r1 = client.post("/v1/leases/extract-file", headers=h, files={"file": ("t.xlsx", data, XLSX)},
                     data={"entity": "DEMO-US"})
    assert r1.status_code == 201, r1.text
    assert r1.json()["summary"]["drafts"] == 4 and r1.json()["summary"]["errors"] == 0
    r2 = client.post("/v1/leases/extract-file", headers=h, files={"file": ("t.xlsx", data, XLSX)},
                     data={"entity": "DEMO-US"})
    assert r2.status_code == 200 and r2.headers["X-Idempotent-Replayed"] == "true" and r2.content == r1.content
