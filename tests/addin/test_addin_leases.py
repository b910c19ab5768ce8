"""Extract, Validate and Confirm through the add-in routes, with Office.js payloads built from the
template (dates as ISO strings, blanks as "", error cells as "#N/A")."""
from __future__ import annotations

from backend.addin.annotate import ERROR_FILL, NOTE_PREFIX
from backend.addin.lease_sheet import LEDGER_ID, VERSION
from tests.addin.helpers import col_of, header, ours, template_book


def _leases(client, demo) -> dict[str, dict]:
    r = client.get("/v1/leases", headers=demo.headers(), params={"limit": 200})
    return {x["external_id"]: x for x in r.json()["data"]}


def test_extract_stores_drafts_and_marks_the_offending_cells(client, demo, post_book):
    wb = template_book()
    end = col_of(wb, "End date")
    ccy = col_of(wb, "Currency")
    wb.set("Leases", f"{end}3", "#N/A")          # an error cell from a broken lookup
    wb.set("Leases", f"{ccy}4", None)            # a blank required cell
    body = post_book("leases/extract", wb)

    assert body["ok"] and body["summary"]["drafts"] == 3 and body["summary"]["drafts_with_errors"] == 2
    stored = _leases(client, demo)
    assert set(stored) == {"AD-1", "AD-2", "AD-3"} and {x["source"] for x in stored.values()} == {"addin"}
    assert stored["AD-1"]["issues"] == [] or all(i["severity"] != "error" for i in stored["AD-1"]["issues"])

    h = header(wb)
    assert h[LEDGER_ID] > h["Lease ID"] and {h[LEDGER_ID], h[VERSION]} <= wb.sheet("Leases").hidden_columns
    good, bad_end, bad_ccy = ours(wb, 2), ours(wb, 3), ours(wb, 4)
    assert good["Ledger ID"] == stored["AD-1"]["id"] and good["Ledger version"] == 1
    assert good["Ledger status"].startswith("Draft: ready")
    assert bad_end["Ledger status"].startswith("Draft: 1 error")
    assert f"Leases!{end}3:" in bad_end["Ledger messages"] and "#N/A" in bad_end["Ledger messages"]
    assert f"Leases!{ccy}4:" in bad_ccy["Ledger messages"]
    sheet = wb.sheet("Leases")
    assert sheet.colors[(2, h["End date"])] == ERROR_FILL and sheet.colors[(3, h["Currency"])] == ERROR_FILL
    assert (1, h["End date"]) not in sheet.colors  # the good row is not coloured
    assert sheet.notes[f"{end}3"].startswith(NOTE_PREFIX) and "#N/A" in sheet.notes[f"{end}3"]

    # Extracting again stores nothing twice.
    again = post_book("leases/extract", wb)
    assert again["ok"] and again["summary"]["drafts"] == 0 and len(_leases(client, demo)) == 3


def test_extract_without_notes_support_still_marks_cells(client, demo, post_book):
    wb = template_book(notes_supported=False)
    wb.set("Leases", f"{col_of(wb, 'End date')}2", "#REF!")
    body = post_book("leases/extract", wb)
    assert body["ok"] and "addNote" not in wb.applied and "setRangeColor" in wb.applied


def test_unknown_entity_row_is_not_imported_and_the_others_are(client, demo, post_book):
    wb = template_book()
    wb.set("Leases", f"{col_of(wb, 'Entity')}3", "NOPE")
    body = post_book("leases/extract", wb)
    assert body["ok"]
    stored = _leases(client, demo)
    assert ours(wb, 3)["Ledger status"].startswith("Not imported") and ours(wb, 3)["Ledger ID"] is None
    assert ours(wb, 2)["Ledger ID"] in {x["id"] for x in stored.values()}
    assert "AD-2" not in stored and len(stored) == 2  # the template book's three rows, less the NOPE one


def test_fix_in_the_sheet_then_validate_sends_the_edit_and_clears_the_mark(client, demo, post_book):
    wb = template_book()
    end = col_of(wb, "End date")
    wb.set("Leases", f"{end}3", "#N/A")
    post_book("leases/extract", wb)
    lease_id = ours(wb, 3)["Ledger ID"]
    wb.set("Leases", f"{end}3", "2028-12-31T00:00:00.000Z")  # the accountant types the date
    wb.select("Leases", "B3:C3")
    body = post_book("leases/validate", wb)
    assert body["ok"] and body["summary"] == {"rows": 1, "valid": 1}
    lease = client.get(f"/v1/leases/{lease_id}", headers=demo.headers()).json()
    assert lease["version"] == 2 and lease["lease"]["end_date"] == "2028-12-31"
    row = ours(wb, 3)
    assert row["Ledger version"] == 2 and row["Ledger status"].startswith("Draft: ready")
    h = header(wb)
    assert (2, h["End date"]) not in wb.sheet("Leases").colors and f"{end}3" not in wb.sheet("Leases").notes
    assert ours(wb, 2)["Ledger version"] == 1  # not selected: untouched


def test_a_stale_workbook_changes_nothing(client, demo, post_book):
    wb = template_book()
    post_book("leases/extract", wb)
    lease_id = ours(wb, 2)["Ledger ID"]
    # Someone edits the draft over REST meanwhile.
    r = client.patch(f"/v1/leases/{lease_id}", headers=demo.headers(), json={"version": 1, "description": "HQ"})
    assert r.status_code == 200
    wb.set("Leases", f"{col_of(wb, 'Description')}2", "Office (sheet edit)")
    wb.select("Leases", "A2:A3")
    for route in ("leases/validate", "leases/confirm"):
        body = post_book(route, wb, apply=False)
        assert not body["ok"] and body["actions"] == [] and body["error"]["code"] == "stale_workbook"
        assert "nothing was changed" in body["message"] and "row 2 (AD-1)" in body["message"]
    lease = client.get(f"/v1/leases/{lease_id}", headers=demo.headers()).json()
    assert lease["version"] == 2 and lease["lease"]["description"] == "HQ" and lease["status"] == "draft"
    other = client.get(f"/v1/leases/{ours(wb, 3)['Ledger ID']}", headers=demo.headers()).json()
    assert other["status"] == "draft" and other["version"] == 1


def test_confirm_selected_rows_only(client, demo, post_book):
    wb = template_book()
    post_book("leases/extract", wb)
    wb.select("Leases", "A2:D2,A4")
    body = post_book("leases/confirm", wb)
    assert body["ok"] and body["summary"]["confirmed"] == 2 and body["job_ids"]
    stored = _leases(client, demo)
    assert {k: v["status"] for k, v in stored.items()} == {"AD-1": "confirmed", "AD-2": "draft", "AD-3": "confirmed"}
    assert ours(wb, 2)["Ledger status"] == "Confirmed: recognition queued"
    assert ours(wb, 2)["Ledger version"] == stored["AD-1"]["version"]
    assert ours(wb, 3)["Ledger status"].startswith("Draft")


def test_confirm_refuses_a_row_with_errors_and_says_why(client, demo, post_book):
    wb = template_book()
    post_book("leases/extract", wb)
    wb.set("Leases", f"{col_of(wb, 'Currency')}2", None)
    wb.select("Leases", "A2:A3")
    body = post_book("leases/confirm", wb)
    assert body["summary"]["confirmed"] == 1 and body["summary"]["refused"] == 1
    assert ours(wb, 2)["Ledger status"].startswith("Not confirmed")
    assert _leases(client, demo)["AD-1"]["status"] == "draft"


def test_selection_outside_the_lease_rows_is_explained(client, demo, post_book):
    wb = template_book()
    post_book("leases/extract", wb)
    wb.select("Leases", "A1")
    body = post_book("leases/validate", wb, apply=False)
    assert not body["ok"] and "Select the lease rows" in body["message"]
    wb.select("Instructions", "A5")
    body = post_book("leases/confirm", wb, apply=False)
    assert not body["ok"] and "'Leases' sheet" in body["message"]


def test_the_checked_in_template_reads_the_same_as_an_upload_and_as_a_workbook_in_excel():
    """workbook_templates/leases.xlsx is both the upload format and the add-in's sheet layout."""
    from pathlib import Path

    from backend.addin.lease_sheet import extract
    from backend.addin.payload import BookPayload
    from backend.workbooks import extract_workbook
    from tests.addin.fake_workbook import FakeWorkbook

    data = (Path(__file__).resolve().parents[2] / "workbook_templates" / "leases.xlsx").read_bytes()
    uploaded = extract_workbook(data)
    wb = FakeWorkbook.from_xlsx(data)
    wb.select("Leases", "A1")
    payload = wb.payload()
    in_excel = extract(BookPayload.model_validate(payload), payload)
    assert uploaded.drafts and in_excel.result.drafts == uploaded.drafts
    assert in_excel.result.provenance == uploaded.provenance
    assert [i["message"] for i in in_excel.result.issues] == [i["message"] for i in uploaded.issues]
    assert in_excel.sheet.name == "Leases" and in_excel.sheet.missing == ["Ledger status", "Ledger messages",
                                                                          "Ledger ID", "Ledger version"]


def test_changing_the_entity_of_a_stored_row_is_not_saved_silently(client, demo, post_book):
    wb = template_book()
    post_book("leases/extract", wb)
    wb.set("Leases", f"{col_of(wb, 'Entity')}2", "DEMO-UK")
    wb.select("Leases", "A2")
    body = post_book("leases/validate", wb)
    assert ours(wb, 2)["Ledger status"].startswith("Not saved: the entity cannot be changed")
    assert _leases(client, demo)["AD-1"]["entity"] == "DEMO-US" and body["summary"]["valid"] == 0


def test_rows_naming_the_entity_by_its_name_extract_and_validate(client, demo, post_book):
    wb = template_book()
    wb.set("Leases", f"{col_of(wb, 'Entity')}2", "demo holdings inc")  # DEMO-US by its name
    body = post_book("leases/extract", wb)
    assert body["ok"]
    lease_id = ours(wb, 2)["Ledger ID"]
    assert client.get(f"/v1/leases/{lease_id}", headers=demo.headers()).json()["entity"] == "DEMO-US"
    wb.select("Leases", "A2:B2")
    body = post_book("leases/validate", wb)
    assert body["ok"] and not ours(wb, 2)["Ledger status"].startswith("Not saved"), ours(wb, 2)
