"""Add-in actions for entity aliases: pull the entities into an 'Entities' sheet, edit the names lease
registers use for each one, push them back.

Aliases are what a register's Entity cell may say instead of the code ("Northwind Retail Ltd",
"NW Retail"). Pull writes one row per entity (code, legal name, functional currency, books, the
aliases in one cell separated by ";", and a fingerprint of the aliases as pulled). Push reads that
sheet, checks every row before writing anything, and saves the changed rows through the same
service as ``PATCH /v1/entities/{code}`` (same role, same checks, audited). A row whose aliases
someone changed since the pull is a conflict (409), never overwritten.
"""
from __future__ import annotations

import hashlib

from backend.addin import bridge
from backend.addin.payload import BookPayload
from backend.addin.sheets import Column, ResultSheet, edited_sheet, write_result_sheet
from backend.services.platform import tenancy
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput
from backend.workbooks.entity_resolution import EntityRecord, EntityResolver

ENTITIES_SHEET = "Entities"
CODE, NAME, CURRENCY, BOOKS, ALIASES, PULLED = (
    "Code", "Name", "Functional currency", "Books", "Aliases (separate with ;)", "Pulled as")
COLUMNS = [Column(CODE), Column(NAME), Column(CURRENCY), Column(BOOKS), Column(ALIASES), Column(PULLED)]


def fingerprint(aliases: list[str]) -> str:
    """A short mark of the aliases as pulled: the optimistic-concurrency check entities lack a version for."""
    return hashlib.sha256("\x1f".join(aliases).encode()).hexdigest()[:12]


def split_aliases(cell) -> list[str]:
    return [a.strip() for a in str(cell or "").split(";") if a.strip()]


def _result(ok: bool, message: str, book=None, **extra) -> dict:
    return {"ok": ok, "message": message, "actions": bridge.actions(book) if book is not None else [], **extra}


def _all_entities(rt: Runtime, actor: Actor) -> list[dict]:
    out, cursor = [], None
    while True:
        page = tenancy.list_entities(rt, actor, limit=200, cursor=cursor, sort="code")
        out += page.data
        if not page.has_more:
            return out
        cursor = page.next_cursor


def _write(rt: Runtime, payload: BookPayload, data: dict, entities: list[dict]):
    sheet = ResultSheet(ENTITIES_SHEET, COLUMNS)
    for e in entities:
        sheet.rows.append([e["code"], e["name"], e["functional_currency"], ", ".join(e["enabled_standards"]),
                           "; ".join(e["aliases"]), fingerprint(e["aliases"])])
    book = bridge.open_book(rt.settings, data)
    write_result_sheet(book, payload, sheet)
    return book


def pull_entities(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    entities = _all_entities(rt, actor)
    book = _write(rt, payload, data, entities)
    return _result(True, f"'{ENTITIES_SHEET}': {len(entities)} entities. Add the names your registers use in the "
                         "Aliases column (separate with ;), then Push entities.", book,
                   summary={"entities": len(entities)})


def push_entities(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    sheet = edited_sheet(payload, ENTITIES_SHEET, {CODE, ALIASES, PULLED})
    if sheet is None:
        return _result(False, f"Open the '{ENTITIES_SHEET}' sheet (Pull entities first), edit the aliases, "
                              "then Push entities.")
    at, cell = sheet.at, sheet.ref

    current = {e["code"]: e for e in _all_entities(rt, actor)}
    changes: list[tuple[str, list[str]]] = []
    problems: list[dict] = []
    for r, row in enumerate(sheet.rows):
        code = str(at(row, CODE) or "").strip()
        if not code:
            continue
        if code not in current:
            problems.append({"field": cell(r, CODE), "code": "entity_not_found",
                             "message": f"no entity {code}; entities are created in the dashboard or API"})
            continue
        aliases, pulled = split_aliases(at(row, ALIASES)), str(at(row, PULLED) or "").strip()
        if aliases == current[code]["aliases"]:
            continue
        if pulled != fingerprint(current[code]["aliases"]):
            raise Conflict(f"The aliases of {code} changed since this sheet was pulled; pull entities again and "
                           "redo the edit.", code="version_conflict",
                           details=[{"field": cell(r, ALIASES), "code": "stale", "message": "pulled before a change"}])
        try:
            tenancy.check_entity_fields({"aliases": aliases})
        except InvalidInput as exc:
            problems += [{**d, "field": cell(r, ALIASES)} for d in exc.details]
            continue
        changes.append((code, aliases))
    # The sheet's aliases all together must still name one entity each (rows checked against each other).
    final = {**{c: e["aliases"] for c, e in current.items()}, **dict(changes)}
    resolver = EntityResolver(EntityRecord(c, current[c]["name"], tuple(a)) for c, a in final.items())
    rows = {code: r for r, row in enumerate(sheet.rows) if (code := str(at(row, CODE) or "").strip())}
    for code, aliases in changes:
        for a in aliases:
            others = [c for c in resolver.resolve(a) if c != code]
            if others:
                problems.append({"field": cell(rows[code], ALIASES), "code": "alias_in_use",
                                 "message": f"{a!r} also names {', '.join(others)}"})
    if problems:  # nothing is written while any row is wrong
        raise InvalidInput("Some rows of the Entities sheet need a fix; nothing was saved.", details=problems)
    for code, aliases in changes:
        tenancy.update_entity(rt, actor, code, {"aliases": aliases})
    book = _write(rt, payload, data, _all_entities(rt, actor))
    saved = [c for c, _ in changes]
    msg = (f"Saved the aliases of {', '.join(saved)}." if saved else "No aliases changed; nothing to save.")
    return _result(True, msg, book, summary={"updated": saved})


__all__ = ["pull_entities", "push_entities"]
