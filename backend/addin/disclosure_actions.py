"""Add-in actions "Disclosure pack": write a lease or revenue pack into the open workbook.

Two sheets per pack, named for it (``Disclosures – IFRS 16 – 2026-12`` with every note: table,
number formats, narrative as finally worded; ``Tie-out – IFRS 16 – 2026-12`` with every check and
both numbers). Only these two names are replaced on a new run; the user's own sheets are never
touched. The task pane shows the tie-out status as the action's message (an error style when a
check fails). The packs come from the same services as ``GET /v1/lease/disclosures`` and
``GET /v1/revenue/disclosures`` (IFRS 15, ASC 606, or COMBINED, sheets named ``15+606``).
"""
from __future__ import annotations

from decimal import Decimal

from backend.addin import bridge
from backend.addin.payload import BookPayload
from backend.addin.sheets import MONEY_FORMAT, cell, replace_sheet
from backend.services.disclosures import lease as lease_packs
from backend.services.disclosures import revenue as revenue_packs
from backend.services.disclosures.packs import PackOut
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput
from backend.services.revenue import disclosure_facts

LEASE_LABELS = {"IFRS16": "IFRS 16", "ASC842": "ASC 842"}
REVENUE_LABELS = {"IFRS15": "IFRS 15", "ASC606": "ASC 606", "COMBINED": "15+606"}
LABELS = {**LEASE_LABELS, **REVENUE_LABELS}


def sheet_names(standard: str, period_label: str) -> tuple[str, str]:
    std = LABELS[standard]
    return f"Disclosures – {std} – {period_label}"[:31], f"Tie-out – {std} – {period_label}"[:31]


def _num(v):
    try:
        return Decimal(str(v))
    except Exception:  # noqa: BLE001 - text
        return None


def pack_grid(pack: dict) -> tuple[list[list], list[int], list[tuple[int, int, int]], list[int]]:
    """The note sheet as rows of cells, plus the bold rows, the money blocks (row, first col, last
    col) and the narrative rows."""
    width = max(len(s["table"]["columns"]) for s in pack["sections"])
    grid: list[list] = []
    bold, money, narrative = [], [], []

    def add(row):
        grid.append(list(row) + [None] * (width - len(row)))
        return len(grid) - 1

    failing = [c for c in pack["checks"] if not c["ok"]]
    kind = "Revenue" if pack.get("source") == "revenue" else "Lease"
    key = pack.get("standard") or pack["scope"]
    title = (f"{kind} disclosures – {pack['entity']} – {LABELS[key]} – {pack['period']} "
             f"({pack['window']['first_period']} to {pack['window']['last_period']}, {pack['currency']})")
    bold.append(add([title]))
    add(["Tie-out: " + ("all checks pass" if not failing else f"{len(failing)} check(s) fail – see the Tie-out sheet")])
    for sec in pack["sections"]:
        add([])
        bold.append(add([sec["title"]]))
        cols = sec["table"]["columns"]
        bold.append(add([c["label"] for c in cols]))
        for r in sec["table"]["rows"]:
            vals = []
            for c in cols:
                v = r.get(c["key"])
                vals.append(_num(v) if c["type"] == "money" and v is not None and _num(v) is not None else v)
            k = add(vals)
            for j, c in enumerate(cols):
                if c["type"] == "money":
                    money.append((k, j, j))
        nar = sec["narrative"]
        narrative.append(add([nar["final"] + ("  [auditor override]" if nar.get("override") else "")]))
    return grid, bold, money, narrative


def _entity_and_period(payload: BookPayload) -> tuple[str, str]:
    args = payload.args
    entity, period = str(args.get("entity") or ""), str(args.get("period") or "").strip()
    if not entity or not period:
        raise InvalidInput("Choose an entity and a period (YYYY-MM, or YYYY for a fiscal year) in the pane.",
                           code="entity_and_period_required")
    return entity, period


def write_pack(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    standard = str(payload.args.get("standard") or "IFRS16")
    if standard not in LEASE_LABELS:
        raise InvalidInput("Choose IFRS16 or ASC842 as the standard.", code="invalid_standard")
    entity, period = _entity_and_period(payload)
    out = lease_packs.lease_pack(rt, actor, entity=entity, period=period, standard=standard, fmt="addin")
    return _write(rt, payload, data, out, standard)


def write_revenue_pack(rt: Runtime, actor: Actor, payload: BookPayload, data: dict) -> dict:
    scope = str(payload.args.get("scope") or payload.args.get("standard") or "IFRS15")
    if scope not in REVENUE_LABELS:
        raise InvalidInput("Choose IFRS15, ASC606 or COMBINED as the revenue pack.", code="invalid_scope")
    entity, period = _entity_and_period(payload)
    out = revenue_packs.revenue_pack(rt, actor, entity=entity, period=period, scope=scope, fmt="addin",
                                     load_contracts=disclosure_facts.load_contracts)
    return _write(rt, payload, data, out, scope)


def _write(rt: Runtime, payload: BookPayload, data: dict, out: PackOut, standard: str) -> dict:
    pack = out.pack
    notes_name, tie_name = sheet_names(standard, pack["period"])
    book = bridge.open_book(rt.settings, data)
    grid, bold, money, narrative = pack_grid(pack)
    sheet = replace_sheet(book, payload, notes_name)
    ncols = len(grid[0])
    sheet.range((1, 1)).value = [[cell(v) for v in row] for row in grid]
    for r in bold:
        sheet.range((r + 1, 1), (r + 1, ncols)).font.bold = True
    for r, c0, c1 in money:
        sheet.range((r + 1, c0 + 1), (r + 1, c1 + 1)).number_format = MONEY_FORMAT
    for r in narrative:
        sheet.range((r + 1, 1)).wrap_text = True
    sheet.freeze_panes.freeze_at("A3")
    # the tie-out sheet: every check with both numbers
    tie = replace_sheet(book, payload, tie_name)
    head = ["Check", "OK", "Expected (books)", "Actual (pack)", "Source", "Section", "Detail"]
    rows = [head] + [[c["name"], "OK" if c["ok"] else "FAIL", _num(c["expected"]) if isinstance(c["expected"], str)
                      and _num(c["expected"]) is not None else str(c["expected"]),
                      _num(c["actual"]) if isinstance(c["actual"], str) and _num(c["actual"]) is not None
                      else str(c["actual"]), c.get("source") or "", c.get("section") or "", c.get("detail") or ""]
                     for c in pack["checks"]]
    tie.range((1, 1)).value = [[cell(v) for v in r] for r in rows]
    tie.range((1, 1), (1, len(head))).font.bold = True
    tie.range((2, 3), (len(rows), 4)).number_format = MONEY_FORMAT
    tie.freeze_panes.freeze_at("A2")
    sheet.activate()
    failing = [c for c in pack["checks"] if not c["ok"]]
    status = (f"Tie-out: all {len(pack['checks'])} checks pass." if not failing else
              f"Tie-out: {len(failing)} of {len(pack['checks'])} checks fail ("
              + "; ".join(f"{c['name']}: books {c['expected']} vs pack {c['actual']}" for c in failing[:3]) + ").")
    return {"ok": not failing, "message": f"'{notes_name}' written. {status}", "actions": bridge.actions(book),
            "sheets": [notes_name, tie_name], "checks_ok": not failing,
            "failing_checks": [{k: c[k] for k in ("name", "expected", "actual")} for c in failing],
            "stored": out.stored, "content_sha256": out.content_sha256}
