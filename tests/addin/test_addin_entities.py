"""The add-in's entities sheet (#15: aliases settable in the add-in): pull every entity, type the names
lease registers use for each, push them back through the same service as PATCH /v1/entities/{code} —
same role, same checks, all rows checked before anything is written, a stale row refused."""
from __future__ import annotations

from backend.addin.entity_actions import ALIASES, CODE, ENTITIES_SHEET
from tests.addin.helpers import template_book


def _grid(wb):
    values = wb.sheet(ENTITIES_SHEET).values()
    head = values[0]
    return head, {r[head.index(CODE)]: i + 1 for i, r in enumerate(values[1:])}


def _set_aliases(wb, code: str, text: str) -> None:
    head, rows = _grid(wb)
    wb.sheet(ENTITIES_SHEET).cells[(rows[code], head.index(ALIASES))] = text
    wb.select(ENTITIES_SHEET, "A1")


def _aliases(client, demo, code: str) -> list[str]:
    return client.get(f"/v1/entities/{code}", headers=demo.headers()).json()["aliases"]


def test_pull_edit_push_aliases_then_a_register_row_names_the_entity_by_alias(client, demo, post_book, make_user):
    wb = template_book()
    body = post_book("entities/pull", wb)
    head, rows = _grid(wb)
    codes = [e["code"] for e in client.get("/v1/entities", headers=demo.headers()).json()["data"]]
    assert body["ok"] and sorted(rows) == sorted(codes) and body["summary"] == {"entities": len(codes)}

    _set_aliases(wb, "DEMO-US", "Northwind Retail Inc; NW Retail ")
    _, reviewer = make_user("REVIEWER")
    assert client.post("/v1/addin/entities/push", headers=demo.headers(reviewer), json=wb.payload()).status_code == 403
    body = post_book("entities/push", wb)
    assert body["ok"] and body["summary"] == {"updated": ["DEMO-US"]}, body
    assert _aliases(client, demo, "DEMO-US") == ["Northwind Retail Inc", "NW Retail"]
    audit = client.get("/v1/audit-events", headers=demo.headers(), params={"action": "entities.update"}).json()["data"]
    (change,) = [a for a in audit if "after" in a["details"]]
    assert change["details"]["after"]["aliases"] == ["Northwind Retail Inc", "NW Retail"]
    assert change["details"]["channel"] == "addin"

    # The alias now resolves a register's Entity cell (case and punctuation ignored).
    csv = ("Lease ID;Legal entity;Currency;Start date;End date;Monthly rent;Timing;IBR\n"
           "A-1;n.w. retail;USD;01.01.2026;31.12.2028;1.250,00;advance;5%\n").encode()
    r = client.post("/v1/leases/extract-file", headers=demo.headers(), files={"file": ("r.csv", csv, "text/csv")})
    assert r.status_code == 201 and [d["entity"] for d in r.json()["drafts"]] == ["DEMO-US"], r.text


def test_every_row_is_checked_before_anything_is_saved(client, demo, post_book):
    wb = template_book()
    post_book("entities/pull", wb)
    _set_aliases(wb, "DEMO-US", "Shared Name")
    other = next(c for c in _grid(wb)[1] if c != "DEMO-US")
    _set_aliases(wb, other, "shared  name")  # the same name, spaced and cased differently
    r = client.post("/v1/addin/entities/push", headers=demo.headers(), json=wb.payload())
    assert r.status_code == 400 and r.json()["error"]["code"] == "validation_error", r.text
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert all(f.startswith(f"{ENTITIES_SHEET}!E") for f in fields) and len(fields) == 2
    assert _aliases(client, demo, "DEMO-US") == [] and _aliases(client, demo, other) == []

    _set_aliases(wb, other, "x" * 201)
    r = client.post("/v1/addin/entities/push", headers=demo.headers(), json=wb.payload())
    assert r.status_code == 400 and r.json()["error"]["details"][0]["code"] == "invalid_alias"
    assert _aliases(client, demo, "DEMO-US") == []


def test_a_row_changed_since_the_pull_is_a_conflict(client, demo, post_book):
    wb = template_book()
    post_book("entities/pull", wb)
    assert client.patch("/v1/entities/DEMO-US", headers=demo.headers(),
                        json={"aliases": ["Set Elsewhere"]}).status_code == 200
    _set_aliases(wb, "DEMO-US", "Mine")
    r = client.post("/v1/addin/entities/push", headers=demo.headers(), json=wb.payload())
    assert r.status_code == 409 and r.json()["error"]["code"] == "version_conflict"
    assert _aliases(client, demo, "DEMO-US") == ["Set Elsewhere"]


def test_an_alias_naming_another_entity_is_refused_by_the_api_too(client, demo):
    names = {e["code"]: e["name"] for e in client.get("/v1/entities", headers=demo.headers()).json()["data"]}
    other = next(c for c in names if c != "DEMO-US")
    r = client.patch("/v1/entities/DEMO-US", headers=demo.headers(), json={"aliases": [names[other].upper()]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "alias_in_use", r.text
    assert other in r.json()["error"]["details"][0]["message"]


def test_push_needs_the_entities_sheet(post_book):
    body = post_book("entities/push", template_book())
    assert not body["ok"] and ENTITIES_SHEET in body["message"]
