"""Add-in actions for the account mapping: pull it into a 'Mapping' sheet, edit the GL accounts, push it back.

Pull writes one row per engine account code (meaning, books, normal balance, the entity's GL account) with the
entity and the mapping version on every row. Push reads that sheet (the active one) and replaces the entity's
mapping through the same service as ``PUT /v1/entities/{code}/account-mapping``: same roles, same validation,
the version read guards against overwriting someone else's change (409), dimensions are kept.
"""
from __future__ import annotations

from backend.addin import bridge
from backend.addin.payload import BookPayload
from backend.addin.sheets import Column, ResultSheet, edited_sheet, write_result_sheet
from backend.services.ledger import account_codes, account_mapping
from backend.services.platform import tenancy
from backend.services.platform.context import Actor, Runtime

MAPPING_SHEET = "Mapping"
ENTITY, CODE, MEANING, BOOKS, BALANCE, GL, VERSION = (
    "Entity", "Engine code", "Meaning", "Books", "Normal balance", "GL account", "Mapping version")
COLUMNS = [Column(ENTITY), Column(CODE), Column(MEANING), Column(BOOKS), Column(BALANCE), Column(GL),
           Column(VERSION, "int")]


def _result(ok: bool, message: str, book=None, **extra) -> dict:
    return {"ok": ok, "message": message, "actions": bridge.actions(book) if book is not None else [], **extra}


def _entity(rt: Runtime, actor: Actor, args: dict) -> str | None:
    if args.get("entity"):
        return str(args["entity"])
    entities = tenancy.list_entities(rt, actor, limit=2, cursor=None, sort=None).data
    return entities[0]["code"] if len(entities) == 1 else None


def _write(rt: Runtime, payload: BookPayload, data: dict, mapping: dict):
    known = account_codes.list_codes()
    codes = [c["code"] for c in known] + sorted(set(mapping["accounts"]) - {c["code"] for c in known})
    info = {c["code"]: c for c in known}
    sheet = ResultSheet(MAPPING_SHEET, COLUMNS)
    for code in codes:
        c = info.get(code, {})
        sheet.rows.append([mapping["entity"], code, c.get("meaning", "(not an engine code)"),
                           ", ".join(c.get("standards", [])), c.get("normal_balance", ""),
                           mapping["accounts"].get(code, ""), mapping["version"]])
    book = bridge.open_book(rt.settings, data)
    write_result_sheet(book, payload, sheet)
    return book


def pull_mapping(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    entity = _entity(rt, actor, payload.args)
    if not entity:
        return _result(False, "Choose an entity in the pane, then pull its mapping.")
    mapping = account_mapping.get_mapping(rt, actor, entity)
    book = _write(rt, payload, data, mapping)
    missing = [c for c in mapping["unmapped"]]
    msg = (f"'{MAPPING_SHEET}': the GL accounts of {entity} (version {mapping['version']}). Fill the GL account "
           "column, then Push mapping.")
    if missing:
        msg += f" Used but not mapped yet: {', '.join(missing)}."
    return _result(True, msg, book, summary={"entity": entity, "version": mapping["version"],
                                             "unmapped": missing})


def push_mapping(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    sheet = edited_sheet(payload, MAPPING_SHEET, {ENTITY, CODE, GL, VERSION})
    if sheet is None:
        return _result(False, f"Open the '{MAPPING_SHEET}' sheet (Pull mapping first), edit the GL accounts, "
                              "then Push mapping.")
    at = sheet.at
    rows = [r for r in sheet.rows if at(r, CODE) not in (None, "")]
    entities = {str(at(r, ENTITY)).strip() for r in rows if at(r, ENTITY)}
    if len(entities) != 1:
        return _result(False, f"The '{MAPPING_SHEET}' sheet must hold one entity's mapping (found "
                              f"{', '.join(sorted(entities)) or 'none'}); pull it again.")
    (entity,) = entities
    versions = {int(float(at(r, VERSION))) for r in rows if at(r, VERSION) not in (None, "")}
    accounts = {}
    for r in rows:
        gl = at(r, GL)
        if gl not in (None, ""):
            # A GL account typed as a number (1610) arrives as 1610.0: keep it as the text the ERP knows.
            accounts[str(at(r, CODE)).strip()] = str(int(gl)) if isinstance(gl, float) and gl.is_integer() \
                else str(gl).strip()
    current = account_mapping.get_mapping(rt, actor, entity)
    version = versions.pop() if len(versions) == 1 else None
    # The service checks roles, codes and GL accounts, and the version (409 version_conflict when stale).
    saved = account_mapping.put_mapping(rt, actor, entity, accounts, current["dimensions"], version)
    book = _write(rt, payload, data, saved)
    msg = f"Saved the mapping of {entity}: {len(accounts)} GL accounts, version {saved['version']}."
    if saved["unmapped"]:
        msg += f" Still unmapped (the export refuses them): {', '.join(saved['unmapped'])}."
    return _result(True, msg, book, summary={"entity": entity, "version": saved["version"],
                                             "accounts": len(accounts), "unmapped": saved["unmapped"]})


__all__ = ["pull_mapping", "push_mapping"]
