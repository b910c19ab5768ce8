"""Add-in actions on revenue contracts: Extract (store drafts), Validate, Confirm, Pull schedules
and RPO. Journals are pulled and approved with the shared journal actions (source-neutral).

The workbook is read with the same extractor as ``POST /v1/revenue/contracts/extract/file`` and
every action goes through the revenue services, so the add-in cannot do what REST would refuse.
The drafts' status lands on a 'Revenue contracts' sheet (Ledger ID, version, issues with their
cells); Validate and Confirm act on its selected rows (or all of them).
"""
from __future__ import annotations

from datetime import date

from backend.addin import bridge
from backend.addin.lease_sheet import selected_rows
from backend.addin.payload import BookPayload
from backend.addin.sheets import Column, ResultSheet, money, write_result_sheet
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput, NotFound
from backend.services.revenue import contracts, workbook_import
from backend.services.revenue import runs as revenue_runs
from backend.workbooks import WorkbookRejected, grid_from_book_json
from backend.workbooks.revenue_extract import extract_revenue

STATUS_SHEET = "Revenue contracts"
STATUS_COLUMNS = [Column("External ID"), Column("Entity"), Column("Customer"), Column("Status"),
                  Column("Issues"), Column("Ledger ID"), Column("Version", "int")]
BOOKS = ("IFRS15", "ASC606")


def _result(ok: bool, message: str, book=None, **extra) -> dict:
    return {"ok": ok, "message": message, "actions": bridge.actions(book) if book is not None else [], **extra}


def _issue_text(issues: list[dict]) -> str:
    return "; ".join(f"{i.get('cell') or i.get('field') or ''}: {i['message']}".lstrip(": ") for i in issues)


def _write_status(rt: Runtime, payload: BookPayload, data: dict, views: list[dict], note: dict | None = None):
    sheet = ResultSheet(STATUS_SHEET, STATUS_COLUMNS)
    for v in views:
        sheet.rows.append([v["external_id"], v["entity"], v.get("customer"), (note or {}).get(v["id"], v["status"]),
                           _issue_text(v["issues"]), v["id"], v["version"]])
    book = bridge.open_book(rt.settings, data)
    write_result_sheet(book, payload, sheet)
    return book


def extract_contracts(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    try:
        grid = grid_from_book_json(data)
    except WorkbookRejected as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    result = extract_revenue(grid)
    if not result.drafts:
        return _result(False, "No contracts found. Use the Contracts, PerformanceObligations and Billing sheets of "
                              "revenue_contracts.xlsx (header rows as in the template).")
    stored = workbook_import.store_extract(rt, actor, result, default_entity=payload.args.get("entity") or None,
                                           source="addin")
    book = _write_status(rt, payload, data, stored["drafts"])
    s = stored["summary"]
    return _result(True, f"Extracted {s['drafts']} contract(s): {s['drafts'] - s['drafts_with_errors']} ready, "
                         f"{s['drafts_with_errors']} with issues (see '{STATUS_SHEET}').", book, summary=s,
                   contracts=[{"contract_id": v["id"], "external_id": v["external_id"]} for v in stored["drafts"]])


def _chosen_ids(payload: BookPayload) -> list[str]:
    sheet = next((s for s in payload.sheets if s.name.lower() == STATUS_SHEET.lower()), None)
    if sheet is None or not sheet.values:
        return []
    header = [str(h or "") for h in sheet.values[0]]
    if "Ledger ID" not in header:
        return []
    col = header.index("Ledger ID")
    rows = (selected_rows(payload) if payload.active_sheet.name.lower() == STATUS_SHEET.lower() else []) \
        or range(1, len(sheet.values))
    return [str(sheet.values[r][col]) for r in rows
            if r < len(sheet.values) and col < len(sheet.values[r]) and sheet.values[r][col]]


def validate_contracts(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    ids = _chosen_ids(payload)
    if not ids:
        return _result(False, f"Extract first: Validate works on the rows of the '{STATUS_SHEET}' sheet.")
    results = [contracts.validate(rt, actor, cid) for cid in ids]
    views = [contracts.get_contract(rt, actor, cid) for cid in ids]
    note = {r["contract_id"]: "valid" if r["valid"] else "errors: " + _issue_text(r["errors"]) for r in results}
    book = _write_status(rt, payload, data, views, note)
    ok = sum(r["valid"] for r in results)
    return _result(True, f"{ok} of {len(results)} contract(s) valid.", book, results=results)


def confirm_contracts(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    ids = _chosen_ids(payload)
    if not ids:
        return _result(False, f"Extract first: Confirm works on the rows of the '{STATUS_SHEET}' sheet.")
    out = contracts.confirm(rt, actor, ids)
    views = [contracts.get_contract(rt, actor, cid) for cid in ids if any(
        r["contract_id"] == cid and r["status"] != "not_found" for r in out["results"])]
    book = _write_status(rt, payload, data, views, {r["contract_id"]: r["status"] for r in out["results"]})
    return _result(True, f"Confirmed {out['confirmed']} contract(s); {out['refused']} refused. Recognition runs "
                         "for every book of the entity's policy.", book, job_ids=out["job_ids"],
                   results=out["results"])


def pull_schedules(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    """'Revenue <standard>' (periods × contracts) and 'Revenue RPO' (as of args.as_of, default today)."""
    standard = str(payload.args.get("standard") or "IFRS15")
    if standard not in BOOKS:
        raise InvalidInput("Choose IFRS15 or ASC606 as the standard.", code="invalid_standard")
    as_of = date.fromisoformat(str(payload.args.get("as_of") or rt.clock().date().isoformat()))
    ids = _chosen_ids(payload)
    if not ids:
        page = contracts.list_contracts(rt, actor, limit=200, cursor=None, sort=None, status="confirmed",
                                        entity=payload.args.get("entity") or None)
        ids = [x["id"] for x in page.data]
    sched = ResultSheet(f"Revenue {standard}", [
        Column("External ID"), Column("Currency"), Column("Period"), Column("Period end", "date"),
        Column("Revenue", "money", total=True), Column("Billed", "money", total=True), Column("Receivable", "money"),
        Column("Contract asset", "money"), Column("Contract liability", "money"), Column("Run ID", hidden=True)])
    rpo = ResultSheet("Revenue RPO", [Column("External ID"), Column("Standard"), Column("As of", "date"),
                                      Column("RPO total", "money", total=True),
                                      Column("Within 12 months", "money", total=True),
                                      Column("After 12 months", "money", total=True)])
    missing = 0
    for cid in ids:
        try:
            s = revenue_runs.get_schedule(rt, actor, cid, standard)
        except NotFound:
            missing += 1
            continue
        for p in s["periods"]:
            sched.rows.append([s["external_id"], s["currency"], p["period"], p["period_end"],
                               money(p["revenue_total"]), money(p["billed"]), money(p["receivable"]),
                               money(p["contract_asset"]), money(p["contract_liability"]), s["run"]["id"]])
        r = revenue_runs.get_rpo(rt, actor, cid, as_of, standard)["rpo"][standard]
        tb = r.get("time_bands", {})
        rpo.rows.append([s["external_id"], standard, as_of, money(r["total"]), money(tb.get("within_12_months")),
                         money(tb.get("after_12_months"))])
    if not sched.rows:
        return _result(False, "No revenue schedule yet: confirm contracts first (or wait for their runs).")
    book = bridge.open_book(rt.settings, data)
    write_result_sheet(book, payload, sched)
    write_result_sheet(book, payload, rpo)
    return _result(True, f"'{sched.name}' and '{rpo.name}': {len(rpo.rows)} contract(s)"
                         + (f", {missing} without a schedule yet." if missing else "."), book,
                   summary={"contracts": len(rpo.rows), "rows": len(sched.rows), "without_schedule": missing})
