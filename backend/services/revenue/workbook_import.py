"""Revenue contract drafts from a workbook (template), CSV or the add-in's book JSON, stored
atomically: every contract is saved as a draft with its cell-level issues, or none is."""
from __future__ import annotations

from sqlalchemy import select

from backend.db.models import Entity, RevenueContract
from backend.engine.revenue import InvalidRevenueInput, parse_contract
from backend.services.leases.workbook_import import WorkbookRefused
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, Unprocessable
from backend.services.revenue.contracts import contract_view, create_drafts
from backend.workbooks import WorkbookRejected, read_csv, read_xlsx
from backend.workbooks.grid import Grid
from backend.workbooks.revenue_extract import RevenueExtract, extract_revenue


def read_upload(data: bytes, filename: str = "") -> Grid:
    if filename.lower().endswith(".csv") or not data.startswith(b"PK"):
        return read_csv(data)
    return read_xlsx(data)


def import_file(rt: Runtime, actor: Actor, data: bytes, *, filename: str = "", default_entity: str | None = None,
                source: str = "workbook") -> dict:
    try:
        grid = read_upload(data, filename)
    except WorkbookRejected as exc:
        raise WorkbookRefused(exc) from None
    return store_extract(rt, actor, extract_revenue(grid), default_entity=default_entity, source=source)


def _cell_issues(result: RevenueExtract, i: int) -> list[dict]:
    """Extraction issues plus the engine's input problems, each at its cell."""
    out = [{k: x[k] for k in ("severity", "field", "code", "message", "sheet", "cell")} for x in result.issues_for(i)]
    prov = result.provenance[i]
    try:
        parse_contract({**result.drafts[i], "entity": result.drafts[i].get("entity") or "E"})
    except InvalidRevenueInput as exc:
        for e in exc.errors:
            cell = prov.get(e["field"]) or next((v for k, v in prov.items()
                                                 if e["field"].startswith(k + ".") or e["field"].startswith(k + "[")),
                                                None)
            out.append({"severity": "error", "field": e["field"], "code": e["code"], "message": e["message"],
                        "sheet": cell.split("!")[0] if cell else None, "cell": cell})
    return out


def store_extract(rt: Runtime, actor: Actor, result: RevenueExtract, *, default_entity: str | None,
                  source: str) -> dict:
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        entities = {e.code: e for e in s.scalars(select(Entity))}
        names = {e.name: e.code for e in entities.values()}
        groups: dict[str, list[int]] = {}
        not_imported = []
        for i, d in enumerate(result.drafts):
            code = d.get("entity") or default_entity
            if code not in entities:
                code = names.get(code) if code is not None else None
            if code is None:
                not_imported.append({"draft_index": i, "row": result.provenance[i].get("_row"),
                                     "cell": result.provenance[i].get("entity"), "entity": d.get("entity"),
                                     "external_id": d.get("external_id"), "issues": [{
                                         "severity": "error", "field": "entity", "code": "unknown_entity",
                                         "message": "no entity with this code or name", "known": sorted(entities)}]})
                continue
            groups.setdefault(code, []).append(i)
        taken = []
        for code, idx in groups.items():
            ids = [str(result.drafts[i].get("external_id")) for i in idx]
            existing = set(s.scalars(select(RevenueContract.external_id).where(
                RevenueContract.entity_id == entities[code].id, RevenueContract.external_id.in_(ids))))
            taken += [{"row": result.provenance[i].get("_row"), "external_id": e, "entity": code}
                      for i, e in zip(idx, ids) if e in existing]
        if taken:
            raise Conflict("Some contract ids in the file already exist. Nothing was imported; change or remove "
                           "those rows.", code="contract_exists", details={"rows": taken})
        if default_entity and default_entity not in entities:
            raise Unprocessable(f"The default entity '{default_entity}' does not exist. Nothing was imported.",
                                code="unknown_entity", details={"known_entities": sorted(entities)})
        stored = []
        for code, idx in groups.items():
            made = create_drafts(s, actor, now, entities[code],
                                 [{k: v for k, v in result.drafts[i].items() if k != "entity"} for i in idx],
                                 source=source,
                                 issues_by_index={n: _cell_issues(result, i) for n, i in enumerate(idx)},
                                 provenance_by_index={n: result.provenance[i] for n, i in enumerate(idx)})
            stored += [(i, c, code) for i, c in zip(idx, made)]
        stored.sort(key=lambda t: t[0])
        views = [contract_view(c, code) for _, c, code in stored]
    errors = sum(1 for v in views for x in v["issues"] if x["severity"] == "error")
    return {"drafts": views, "not_imported": not_imported, "issues": result.issues,
            "summary": {"drafts": len(views), "not_imported": len(not_imported), "errors": errors,
                        "drafts_with_errors": sum(1 for v in views if any(x["severity"] == "error"
                                                                          for x in v["issues"]))}}
