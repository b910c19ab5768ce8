"""Add-in actions on leases: Extract (store drafts), Validate and Confirm (selected rows).

All of them parse the sheet with the same parser as ``POST /v1/leases/extract-file`` and go
through the lease services, so the add-in cannot do anything the REST API would refuse.
"""
from __future__ import annotations

from backend.addin import annotate, bridge
from backend.addin.annotate import RowOutcome, issue_line
from backend.addin.lease_sheet import Extracted, LeaseSheet, blank_cell_of, extract, selected_rows
from backend.addin.payload import BookPayload
from backend.services.leases import workbook_import as lease_import
from backend.services.leases import drafts as leases
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, NotFound, ServiceError, Unprocessable
from backend.workbooks import ExtractResult
from backend.workbooks.extract_result import nearest


def _result(ok: bool, message: str, book=None, **extra) -> dict:
    return {"ok": ok, "message": message, "actions": bridge.actions(book) if book is not None else [], **extra}


def _no_lease_sheet(ex: Extracted) -> dict:
    why = "; ".join(i["message"] for i in ex.result.issues if i["draft_index"] is None) or ""
    return _result(False, "No lease table was found in this workbook. Use the Leases sheet of the template "
                          "(header row with Lease ID, Currency, Commencement date, End date). " + why)


def _row_lines(ex: Extracted, i: int, engine_issues: list[dict] | None = None) -> RowOutcome:
    """Messages and cells of draft ``i``: the parser's cell issues, then the engine's."""
    out = RowOutcome(status="")
    prov = ex.result.provenance[i]
    seen = set()
    issues = list(ex.result.issues_for(i))
    # An engine issue on a field whose cell is already reported is the same problem twice.
    reported = {x["field"] for x in issues if x.get("field") and x["severity"] == "error"}
    for issue in engine_issues or []:
        f = issue.get("field") or ""
        if any(f == r or f.startswith(r + ".") or f.startswith(r + "[") for r in reported):
            continue
        if not any(x["code"] == issue["code"] and x.get("field") == f for x in issues):
            issues.append(issue)
    row = int(prov["_row"].split("!")[1]) - 1
    for issue in sorted(issues, key=lambda x: x["severity"] != "error"):
        path = issue.get("field")
        blank = None if path in prov else blank_cell_of(ex.sheet, row, path)
        if blank:  # a missing value: point at its empty cell, not at the row's Lease ID
            msg = issue["message"].split(": ", 1)[1] if issue.get("cell") else issue["message"]
            issue = {**issue, "sheet": None, "cell": None, "message": msg}
        fallback = blank or (nearest(prov, path) if path else prov.get("external_id"))
        sheet, cell, line = issue_line(issue, fallback)
        if line in seen:
            continue
        seen.add(line)
        out.messages.append(line)
        out.errors += issue["severity"] == "error"
        if sheet and cell:
            out.cells.append((sheet, cell, issue["severity"], line))
    return out


def _draft_status(errors: int, warnings: int) -> str:
    if errors:
        return f"Draft: {errors} error{'s' * (errors > 1)}. Fix the red cells, then Validate"
    if warnings:
        return f"Draft: ready to confirm ({warnings} warning{'s' * (warnings > 1)} to review)"
    return "Draft: ready to confirm"


# ---------------------------------------------------------------- extract

def extract_leases(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    args = payload.args
    ex = extract(payload, data, locale=args.get("locale"))
    ls = ex.sheet
    if ls is None or not ex.result.drafts:
        return _no_lease_sheet(ex) if ls is None else _result(False, f"Sheet '{ls.name}' has no lease rows yet.")
    new = [(r, i) for r, i in sorted(ls.drafts_by_row.items()) if not ls.ledger_id(r)]
    linked = len(ls.drafts_by_row) - len(new)
    book = bridge.open_book(rt.settings, data)
    if not new:
        return _result(True, f"All {linked} lease rows are already in Ledger Layer. Edit them and use Validate.",
                       book, summary={"drafts": 0, "already_linked": linked})
    sub = _subset(ex.result, [i for _, i in new])
    outcomes: dict[int, RowOutcome] = {}
    try:
        stored = lease_import.store_extract(rt, actor, sub, default_entity=args.get("entity"), source="addin")
    except (Unprocessable, Conflict) as exc:
        if exc.code not in ("unknown_entity", "lease_exists"):
            raise
        for bad in exc.details.get("rows", []):
            r = int(str(bad.get("row") or "!0").split("!")[1]) - 1
            if r < 0:
                continue
            why = (f"entity '{bad.get('entity') or ''}' does not exist here" if exc.code == "unknown_entity"
                   else f"Lease ID '{bad.get('external_id')}' is already in Ledger Layer or repeats in the sheet")
            outcomes[r] = RowOutcome(status=f"Not imported: {why}", messages=[f"{bad['row']}: {why.capitalize()}."])
        annotate.apply(book, payload, ls, outcomes)
        return _result(False, exc.message, book, error={"code": exc.code, "details": exc.details})
    views = dict(zip(stored["draft_indexes"], stored["drafts"]))  # sub's draft k is new[k]
    for k, (r, i) in enumerate(new):
        view = views.get(k)
        if view is None:  # its Entity names no entity here: not stored (see workbooks.entity_resolution)
            why = next(iter(x["issues"] for x in stored["not_imported"] if x["draft_index"] == k), [])
            o = _row_lines(ex, i, why)
            o.status = "Not imported: " + (why[0]["message"].split(": ", 1)[-1] if why else "unknown entity")
            outcomes[r] = o
            continue
        o = _row_lines(ex, i, view["issues"])
        o.status = _draft_status(o.errors, len(o.messages) - o.errors)
        o.ledger_id, o.version = view["id"], view["version"]
        outcomes[r] = o
    annotate.apply(book, payload, ls, outcomes)
    s = stored["summary"]
    ready = s["drafts"] - s["drafts_with_errors"]
    msg = (f"Extracted {s['drafts']} lease{'s' * (s['drafts'] != 1)} from '{ls.name}': {ready} ready to confirm, "
           f"{s['drafts_with_errors']} with errors (red cells; see the {annotate.MESSAGES} column).")
    if linked:
        msg += f" {linked} row{'s were' if linked > 1 else ' was'} already in Ledger Layer and left as is."
    sheet_level = [x["message"] for x in ex.result.issues if x["draft_index"] is None]
    return _result(True, msg, book, summary={**s, "already_linked": linked}, notices=sheet_level,
                   leases=[{"row": r + 1, "lease_id": v["id"], "version": v["version"]}
                           for (r, _), v in zip(new, stored["drafts"])])


def _subset(result: ExtractResult, indexes: list[int]) -> ExtractResult:
    pos = {old: new for new, old in enumerate(indexes)}
    issues = [{**x, "draft_index": pos[x["draft_index"]]} for x in result.issues if x["draft_index"] in pos]
    return ExtractResult([result.drafts[i] for i in indexes], issues, [result.provenance[i] for i in indexes])


# ---------------------------------------------------------------- validate / confirm

def _selection(payload: BookPayload, ex: Extracted, verb: str) -> tuple[list[int], dict | None]:
    ls = ex.sheet
    if ls is None:
        return [], _no_lease_sheet(ex)
    if payload.active_sheet.name != ls.name:
        return [], _result(False, f"Select the rows to {verb} on the '{ls.name}' sheet, then try again.")
    rows = [r for r in selected_rows(payload, first_data_row=ls.header_row + 1) if r in ls.drafts_by_row]
    if not rows:
        return [], _result(False, f"Select the lease rows to {verb} (any cell in each row), then try again.")
    return rows, None


def _stale_rows(rt: Runtime, actor: Actor, ls: LeaseSheet, rows: list[int]) -> tuple[dict[int, dict], list[str]]:
    """The stored lease of each linked row, and a line per row the workbook is out of date for."""
    views, stale = {}, []
    for r in rows:
        lid = ls.ledger_id(r)
        if not lid:
            continue
        try:
            view = leases.get_lease(rt, actor, lid)
        except NotFound:
            stale.append(f"row {r + 1}: its lease is no longer in Ledger Layer (clear its Ledger ID to extract "
                         "it again)")
            continue
        if view["version"] != ls.version(r):
            stale.append(f"row {r + 1} ({view['external_id']}): changed in Ledger Layer since this sheet was "
                         f"synced (version {view['version']}, the sheet has {ls.version(r)})")
        views[r] = view
    return views, stale


def _changes(draft: dict, stored: dict) -> dict:
    """What the sheet says that differs from the stored draft; blanked cells remove the field."""
    want = {k: v for k, v in draft.items() if k != "entity"}
    changes = {k: v for k, v in want.items() if stored.get(k) != v}
    changes.update({k: None for k in stored if k not in want and stored[k] is not None})
    return changes


def _sync(rt: Runtime, actor: Actor, payload: BookPayload, data: dict, verb: str):
    ex = extract(payload, data, locale=payload.args.get("locale"))
    rows, refusal = _selection(payload, ex, verb)
    if refusal:
        return None, refusal
    ls = ex.sheet
    views, stale = _stale_rows(rt, actor, ls, rows)
    if stale:
        return None, _result(False, "This workbook is out of date, so nothing was changed: " + "; ".join(stale)
                             + ". Check the change in Ledger Layer, then update the row and its Ledger version.",
                             error={"code": "stale_workbook", "rows": stale})
    outcomes: dict[int, RowOutcome] = {}
    # The sheet may name entities by legal name or alias; compare the code each one resolves to.
    texts = {t for r in rows if r in views and (t := ex.result.drafts[ls.drafts_by_row[r]].get("entity"))
             and t != views[r]["entity"]}
    codes = lease_import.entity_codes(rt, actor, texts) if texts else {}
    for r in rows:
        if r not in views:
            o = _row_lines(ex, ls.drafts_by_row[r])
            o.status = "Not in Ledger Layer yet: use Extract leases first"
            outcomes[r] = o
            continue
        view = views[r]
        i = ls.drafts_by_row[r]
        entity = ex.result.drafts[i].get("entity")
        if entity and entity != view["entity"] and codes.get(entity) != view["entity"]:
            why = (f"the entity cannot be changed here (stored: {view['entity']}, sheet: {entity}); put it back, "
                   "or clear the row's Ledger ID and extract it as a new lease")
            outcomes[r] = RowOutcome(status=f"Not saved: {why}", messages=[f"{ls.name}!{r + 1}: {why.capitalize()}."])
            continue
        if view["status"] == "draft":
            changes = _changes(ex.result.drafts[i], view["lease"])
            if changes:
                try:
                    views[r] = leases.patch_lease(rt, actor, view["id"], view["version"], changes)
                except ServiceError as exc:
                    outcomes[r] = RowOutcome(status=f"Not saved: {exc.message}", messages=[exc.message])
    return (ex, ls, rows, views, outcomes), None


def validate_rows(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    state, refusal = _sync(rt, actor, payload, data, "validate")
    if refusal:
        return refusal
    ex, ls, rows, views, outcomes = state
    valid = 0
    for r in rows:
        if r in outcomes or r not in views:
            continue
        view = views[r]
        res = leases.validate(rt, actor, view["id"])
        o = _row_lines(ex, ls.drafts_by_row[r], res["errors"] + res["warnings"])
        errors = o.errors
        if view["status"] == "draft":
            o.status = _draft_status(errors, len(o.messages) - errors)
        else:
            o.status = f"{view['status'].capitalize()}: no longer editable here"
        valid += not errors
        o.ledger_id, o.version = view["id"], view["version"]
        outcomes[r] = o
    book = bridge.open_book(rt.settings, data)
    annotate.apply(book, payload, ls, outcomes)
    return _result(True, f"Validated {len(rows)} row{'s' * (len(rows) != 1)}: {valid} without errors.", book,
                   summary={"rows": len(rows), "valid": valid})


def confirm_rows(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    state, refusal = _sync(rt, actor, payload, data, "confirm")
    if refusal:
        return refusal
    ex, ls, rows, views, outcomes = state
    todo = {views[r]["id"]: r for r in rows if r in views and r not in outcomes}
    result = leases.confirm(rt, actor, list(todo)) if todo else {"results": [], "job_ids": [], "confirmed": 0}
    for item in result["results"]:
        r = todo[item["lease_id"]]
        view = leases.get_lease(rt, actor, item["lease_id"])
        o = _row_lines(ex, ls.drafts_by_row[r], item["errors"])
        status = item["status"]
        if status == "confirmed":
            o.status = "Confirmed: recognition queued"
        elif status == "refused":
            n = len(item["errors"])
            o.status = f"Not confirmed: {n} error{'s' * (n != 1)}. Fix the red cells, then Validate"
        else:
            o.status = status.replace("already_", "Already ").replace("_", " ")
        o.ledger_id, o.version = view["id"], view["version"]
        outcomes[r] = o
    book = bridge.open_book(rt.settings, data)
    annotate.apply(book, payload, ls, outcomes)
    refused = sum(1 for x in result["results"] if x["status"] == "refused")
    msg = f"Confirmed {result['confirmed']} lease{'s' * (result['confirmed'] != 1)}"
    msg += f", {refused} refused (see the {annotate.MESSAGES} column)." if refused else "."
    if result["job_ids"]:
        msg += " Schedules and journals are being computed; Pull schedule when the progress bar completes."
    return _result(True, msg, book, job_ids=result["job_ids"],
                   summary={"rows": len(rows), "confirmed": result["confirmed"], "refused": refused})
