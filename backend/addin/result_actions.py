"""Add-in actions that write result sheets: Pull schedule, Pull journals, Approve selected, Export.

Each reads through the same services as the REST routes (``get_schedule``, ``list_entries``,
``batch_approve``, the ERP export) and writes a sheet that is replaced on every run.
"""
from __future__ import annotations

import json
from dataclasses import replace

from backend.addin import bridge
from backend.addin.lease_sheet import extract, selected_rows
from backend.addin.payload import BookPayload
from backend.addin.sheets import Column, ResultSheet, money, sheet_position, write_result_sheet
from backend.engine.leases.result import PERIOD_FIELDS
from backend.services.ledger import export as journal_export
from backend.services.ledger import queries as journal_queries
from backend.services.ledger import journals
from backend.services.leases import run_reads
from backend.services.leases import drafts as leases
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput, NotFound
from backend.services.ledger.queries import Filters

MAX_LEASES = 500          # per Pull schedule
MAX_ENTRIES = 5000        # per Pull journals
FLOWS = {"interest", "payment", "depreciation", "lease_cost", "gain_loss", "fx_gain_loss"}
JOURNALS_SHEET = "Journals"
ENTRY_ID, OUTCOME = "Entry ID", "Approval result"


def _result(ok: bool, message: str, book=None, **extra) -> dict:
    return {"ok": ok, "message": message, "actions": bridge.actions(book) if book is not None else [], **extra}


def _label(field: str) -> str:
    text = field.replace("_", " ").capitalize()
    return " ".join({"rou": "ROU", "fx": "FX", "gl": "GL", "id": "ID"}.get(w.lower(), w) for w in text.split(" "))


# ---------------------------------------------------------------- schedule

def _lease_ids(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> list[str]:
    """Leases of the selected rows on the lease sheet, else ``args.lease_ids``, else every confirmed lease
    (of ``args.entity`` when given)."""
    args = payload.args
    ex = extract(payload, data)
    ls = ex.sheet
    if ls is not None and payload.active_sheet.name == ls.name:
        rows = selected_rows(payload, first_data_row=ls.header_row + 1)
        ids = [ls.ledger_id(r) for r in rows if ls.ledger_id(r)]
        if ids:
            return list(dict.fromkeys(ids))
    if args.get("lease_ids"):
        ids = [str(x) for x in args["lease_ids"]][:MAX_LEASES]
        return list(dict.fromkeys(ids))
    out, cursor = [], None
    while len(out) < MAX_LEASES:
        page = leases.list_leases(rt, actor, limit=200, cursor=cursor, sort="external_id:asc",
                                  entity=args.get("entity"), status="confirmed")
        out += [x["id"] for x in page.data]
        if not page.has_more:
            break
        cursor = page.next_cursor
    return out[:MAX_LEASES]


def pull_schedule(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    standard = str(payload.args.get("standard") or "IFRS16")
    if standard not in run_reads.STANDARDS:
        raise InvalidInput("Choose IFRS16 or ASC842 as the standard.", code="invalid_standard")
    ids = _lease_ids(rt, actor, payload, data)
    if not ids:
        return _result(False, "No confirmed leases to show. Select rows on the lease sheet (after Confirm), or "
                              "confirm some leases first.")
    schedules, missing = [], []
    for lid in ids:
        try:
            schedules.append((leases.get_lease(rt, actor, lid), run_reads.get_schedule(rt, actor, lid, standard)))
        except NotFound as exc:
            missing.append(exc.message)
    if not schedules:
        return _result(False, "No schedule to show yet: " + " ".join(missing[:5]))
    fields = [f for f in PERIOD_FIELDS if any(f in p for _, s in schedules for p in s["periods"][:1])]
    columns = [Column("Lease ID"), Column("Entity"), Column("Currency"), Column("Period"),
               Column("Period end", "date")]
    columns += [Column(_label(f), "money", total=f in FLOWS) for f in fields]
    columns += [Column("Ledger ID", hidden=True), Column("Run ID", hidden=True)]
    result = ResultSheet(f"Schedule {standard}", columns)
    for lease, sched in schedules:
        for p in sched["periods"]:
            result.rows.append([lease["external_id"], lease["entity"], sched["currency"], p["period"],
                                p["period_end"], *(money(p.get(f)) for f in fields), lease["id"], sched["run_id"]])
    book = bridge.open_book(rt.settings, data)
    write_result_sheet(book, payload, result)
    msg = f"'{result.name}': {len(schedules)} lease{'s' * (len(schedules) != 1)}, {len(result.rows)} rows."
    if missing:
        msg += f" {len(missing)} without a schedule yet (not confirmed, or still computing)."
    return _result(True, msg, book, summary={"leases": len(schedules), "rows": len(result.rows),
                                             "without_schedule": len(missing)})


# ---------------------------------------------------------------- journals

def _filters(args: dict) -> Filters:
    status = args.get("status") or ()
    status = (status,) if isinstance(status, str) else tuple(status)
    return Filters(entity=args.get("entity") or None, period=args.get("period") or None,
                   period_from=args.get("period_from") or None, period_to=args.get("period_to") or None,
                   standard=args.get("standard") or None, status=status, lease_id=args.get("lease_id") or None)


JOURNAL_COLUMNS = [Column(ENTRY_ID), Column("Status"), Column("Entity"), Column("Standard"), Column("Period"),
                   Column("Entry date", "date"), Column("Source"), Column("Event"), Column("Lease ID"),
                   Column("Line", "int"), Column("Account"), Column("Debit", "money", total=True),
                   Column("Credit", "money", total=True), Column("Currency"), Column("Memo"), Column(OUTCOME)]


def pull_journals(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    filters = _filters(payload.args)
    entries, cursor = [], None
    while len(entries) < MAX_ENTRIES:
        page = journal_queries.list_entries(rt, actor, limit=200, cursor=cursor, sort="created_at:asc",
                                            filters=filters)
        entries += page.data
        if not page.has_more:
            break
        cursor = page.next_cursor
    external = _external_ids(rt, actor, {e["lease_id"] for e in entries if e["lease_id"]})
    result = ResultSheet(JOURNALS_SHEET, JOURNAL_COLUMNS)
    for e in entries[:MAX_ENTRIES]:
        for ln in e["lines"]:
            result.rows.append([e["id"], e["status"], e["entity"], e["standard"], e["period"], e["entry_date"],
                                e["source_operation"], e["event"], external.get(e["lease_id"], e["lease_id"]),
                                ln["line_no"], ln["account"], money(ln["debit"]), money(ln["credit"]),
                                ln["currency"], e["memo"], None])
    book = bridge.open_book(rt.settings, data)
    write_result_sheet(book, payload, result)
    more = " (the first 5,000; narrow the filter for the rest)" if len(entries) >= MAX_ENTRIES else ""
    return _result(True, f"'{JOURNALS_SHEET}': {len(entries)} entries, {len(result.rows)} lines{more}. "
                         "To approve, select their rows and click Approve selected.", book,
                   summary={"entries": len(entries), "lines": len(result.rows)})


def _external_ids(rt: Runtime, actor: Actor, lease_ids: set[str]) -> dict[str, str]:
    out = {}
    for lid in lease_ids:
        try:
            out[lid] = leases.get_lease(rt, actor, lid)["external_id"]
        except NotFound:
            pass
    return out


def approve_selected(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    sheet = payload.active_sheet
    values = sheet.values
    head = values[0] if values else []
    cols = {str(v).strip(): c for c, v in enumerate(head) if isinstance(v, str)}
    if ENTRY_ID not in cols:
        return _result(False, f"Select journal rows on the '{JOURNALS_SHEET}' sheet (use Pull journals first), "
                              "then click Approve selected.")
    id_col = cols[ENTRY_ID]
    rows = [r for r in selected_rows(payload) if r < len(values) and id_col < len(values[r]) and values[r][id_col]]
    ids = list(dict.fromkeys(str(values[r][id_col]) for r in rows))
    if not ids:
        return _result(False, "Select the rows of the journal entries to approve, then click Approve selected.")
    results = {}
    for k in range(0, len(ids), journals.BATCH_MAX):
        # The service enforces the role, human actor, four eyes and locked periods, as over REST.
        for item in journals.batch_approve(rt, actor, ids[k:k + journals.BATCH_MAX])["results"]:
            results[item["id"]] = item
    book = bridge.open_book(rt.settings, data)
    pos = sheet_position(payload, sheet.name)
    status_col, out_col = cols.get("Status"), cols.get(OUTCOME)
    for r in range(1, len(values)):
        entry_id = values[r][id_col] if id_col < len(values[r]) else None
        item = results.get(str(entry_id)) if entry_id else None
        if item is None:
            continue
        if item["outcome"] == "approved":
            text = f"Approved by you ({actor.role})"
            if status_col is not None:
                book.sheets[pos].range((r + 1, status_col + 1)).value = "approved"
        else:
            text = "Refused: " + item["error"]["message"]
        if out_col is not None:
            book.sheets[pos].range((r + 1, out_col + 1)).value = text
    approved = sum(1 for x in results.values() if x["outcome"] == "approved")
    refused = [x for x in results.values() if x["outcome"] != "approved"]
    msg = f"Approved {approved} of {len(ids)} entr{'ies' if len(ids) != 1 else 'y'}."
    if refused:
        msg += f" {len(refused)} refused: " + "; ".join(sorted({x['error']['message'] for x in refused})[:3])
    return _result(not refused, msg, book, results=[{"id": k, "outcome": v["outcome"],
                                                     "error": v["error"]} for k, v in results.items()])


# ---------------------------------------------------------------- export

def export_sheet(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    """The ERP export (approved, posted and reversed lines with GL accounts) as a sheet."""
    filters = _filters(payload.args)
    plan = journal_export.prepare(rt, actor, replace(filters, status=()), "json")
    doc = json.loads(b"".join(plan.body))
    money_cols = {"debit", "credit"}
    columns = [Column(_label(c), "money" if c in money_cols else "text", total=c in money_cols)
               for c in doc["columns"]]
    result = ResultSheet("Journal export", columns)
    for line in doc["lines"]:
        row = []
        for c in doc["columns"]:
            v = line.get(c)
            row.append(money(v) if c in money_cols else (json.dumps(v) if isinstance(v, (dict, list)) else v))
        result.rows.append(row)
    book = bridge.open_book(rt.settings, data)
    write_result_sheet(book, payload, result)
    return _result(True, f"'{result.name}': {doc['line_count']} lines with GL accounts, as sent to the ERP.", book,
                   summary={"lines": doc["line_count"], "totals_by_currency": doc["totals_by_currency"]})


__all__ = ["approve_selected", "export_sheet", "pull_journals", "pull_schedule"]
