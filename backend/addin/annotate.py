"""Writing row outcomes back to the lease sheet: status, messages, ids, highlighted cells.

A message line starts with the cell it is about ("Leases!F5: …"). That makes the messages
column self-describing for the accountant and lets the next run find the cells it coloured
last time and clear them, without keeping any state outside the workbook.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from backend.addin.bridge import emit
from backend.addin.lease_sheet import LEDGER_ID, MESSAGES, OURS, STATUS, VERSION, LeaseSheet, cell_refs
from backend.addin.payload import BookPayload
from backend.addin.sheets import cell

ERROR_FILL, WARNING_FILL = "#FFC7CE", "#FFEB9C"
NOTE_PREFIX = "Ledger Layer: "
MAX_MESSAGE_CHARS = 4000


@dataclass
class RowOutcome:
    status: str
    messages: list[str] = field(default_factory=list)
    ledger_id: str | None = None
    version: int | None = None
    errors: int = 0
    # (sheet, cell, severity, message) of cells to highlight
    cells: list[tuple[str, str, str, str]] = field(default_factory=list)


def issue_line(issue: dict, fallback_ref: str | None = None) -> tuple[str | None, str | None, str]:
    """(sheet, cell, line) for an issue; extraction issues carry their cell, engine issues get
    the cell of their field from the row's provenance."""
    sheet, cell_ = issue.get("sheet"), issue.get("cell")
    msg = issue["message"]
    if not (sheet and cell_) and fallback_ref and "!" in fallback_ref:
        sheet, _, cell_ = fallback_ref.partition("!")
        if cell_.isdigit():
            cell_ = None
    ref = f"{sheet}!{cell_}" if sheet and cell_ else None
    if ref and not msg.startswith(ref):
        msg = f"{ref}: {msg}"
    return sheet, cell_, msg


def apply(book, payload: BookPayload, ls: LeaseSheet, outcomes: dict[int, RowOutcome]) -> None:
    """Emit the actions for ``outcomes`` (0-based sheet row → outcome) on the lease sheet."""
    if not outcomes:
        return
    sheet = book.sheets[ls.position]
    if ls.missing:
        for label in ls.missing:
            c = ls.cols[label]
            sheet.range((ls.header_row + 1, c + 1)).value = label
            sheet.range((ls.header_row + 1, c + 1)).font.bold = True
    for label in (LEDGER_ID, VERSION):  # bookkeeping, not for reading
        c = ls.cols[label]
        sheet.range((1, c + 1)).columns.hidden = True
    _clear_old_marks(book, payload, ls, outcomes)
    _write_columns(sheet, ls, outcomes)
    _mark_cells(book, payload, outcomes)


def _write_columns(sheet, ls: LeaseSheet, outcomes: dict[int, RowOutcome]) -> None:
    lo, hi = min(outcomes), max(outcomes)
    for label in OURS:
        c = ls.cols[label]
        column = []
        for r in range(lo, hi + 1):
            o = outcomes.get(r)
            if o is None:
                column.append([cell(ls.value(r, label))])
            elif label == STATUS:
                column.append([o.status])
            elif label == MESSAGES:
                text = "\n".join(o.messages)
                column.append([cell(text[:MAX_MESSAGE_CHARS]) or None])
            elif label == LEDGER_ID:
                column.append([o.ledger_id if o.ledger_id is not None else ls.ledger_id(r)])
            else:
                column.append([o.version if o.version is not None else ls.version(r)])
        if label in (LEDGER_ID, MESSAGES, STATUS):
            sheet.range((lo + 1, c + 1), (hi + 1, c + 1)).number_format = "@"
        sheet.range((lo + 1, c + 1)).value = column
    msg_col = ls.cols[MESSAGES]
    sheet.range((lo + 1, msg_col + 1), (hi + 1, msg_col + 1)).wrap_text = False


def _positions(payload: BookPayload) -> dict[str, int]:
    return {s.name: i for i, s in enumerate(payload.sheets)}


def _notes_of(payload: BookPayload, pos: int) -> dict[str, str] | None:
    notes = payload.sheets[pos].notes
    if notes is None:
        return None
    return {str(n.get("address", "")).replace("$", "").split("!")[-1].upper(): str(n.get("text") or "")
            for n in notes}


def _clear_old_marks(book, payload: BookPayload, ls: LeaseSheet, outcomes: dict[int, RowOutcome]) -> None:
    pos = _positions(payload)
    keep = {(s, c) for o in outcomes.values() for s, c, _, _ in o.cells}
    for r in outcomes:
        for sheet_name, address in cell_refs(ls.value(r, MESSAGES)):
            if (sheet_name, address) in keep or sheet_name not in pos:
                continue
            p = pos[sheet_name]
            book.sheets[p].range(address).color = None
            notes = _notes_of(payload, p)
            if notes and notes.get(address, "").startswith(NOTE_PREFIX):
                emit(book, "deleteNote", [address], sheet_position=p)


def _mark_cells(book, payload: BookPayload, outcomes: dict[int, RowOutcome]) -> None:
    pos = _positions(payload)
    by_cell: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for o in outcomes.values():
        for s, c, severity, msg in o.cells:
            by_cell.setdefault((s, c), []).append((severity, msg))
    for (sheet_name, address), items in by_cell.items():
        if sheet_name not in pos:
            continue
        p = pos[sheet_name]
        rng = book.sheets[p].range(address)
        rng.color = ERROR_FILL if any(sev == "error" for sev, _ in items) else WARNING_FILL
        if payload.sheets[p].notes is not None:
            text = NOTE_PREFIX + "\n".join(dict.fromkeys(m for _, m in items))
            # Our client replaces an existing note at the address instead of failing on it.
            emit(book, "addNote", [address, text[:MAX_MESSAGE_CHARS]], sheet_position=p)
