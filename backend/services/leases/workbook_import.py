"""Lease drafts from a workbook (REST upload or the add-in's book JSON), stored atomically.

Either every draft of the file is saved, each with its issues and cell provenance, or nothing
is: an unknown entity or an external id already in use stops the whole import with the list of
offending rows, so the accountant fixes the file and uploads it again.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from backend.db.models import Entity, Lease
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput, Unprocessable
from backend.services.leases.drafts import create_drafts, lease_view
from backend.workbooks import ExtractResult, WorkbookRejected, extract_workbook


class WorkbookRefused(InvalidInput):
    """A file refused before extraction (not a workbook, bomb, protected, too large)."""

    def __init__(self, rejected: WorkbookRejected):
        super().__init__(rejected.message, code=rejected.code)
        self.http_status = rejected.http_status


def import_workbook(rt: Runtime, actor: Actor, data: bytes, *, default_entity: str | None = None,
                    locale: str | None = None, source: str = "workbook") -> dict:
    try:
        result = extract_workbook(data, locale=locale)
    except WorkbookRejected as exc:
        raise WorkbookRefused(exc) from None
    return store_extract(rt, actor, result, default_entity=default_entity, source=source)


def store_extract(rt: Runtime, actor: Actor, result: ExtractResult, *, default_entity: str | None,
                  source: str) -> dict:
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        entities = {e.code: e for e in s.scalars(select(Entity))}
        by_entity: dict[str, list[int]] = defaultdict(list)
        unknown = []
        for i, draft in enumerate(result.drafts):
            code = draft.get("entity") or default_entity
            if code not in entities:
                unknown.append({"row": result.provenance[i].get("_row"), "entity": code,
                                "cell": result.provenance[i].get("entity")})
            else:
                by_entity[code].append(i)
        if unknown:
            raise Unprocessable(
                "Some rows name an entity that does not exist in this tenant (or none is given). "
                "Fix the Entity column, or upload with entity=<code>. Nothing was imported.",
                code="unknown_entity", details={"rows": unknown, "known_entities": sorted(entities)})
        _refuse_taken_ids(s, result, entities, by_entity)
        stored: list[tuple[int, Lease, str]] = []
        for code, indexes in by_entity.items():
            leases = create_drafts(
                s, actor, now, entities[code], [result.drafts[i] for i in indexes], source=source,
                issues_by_index={n: [_cell_issue(x) for x in result.issues_for(i)] for n, i in enumerate(indexes)},
                provenance_by_index={n: result.provenance[i] for n, i in enumerate(indexes)})
            stored.extend((i, lease, code) for i, lease in zip(indexes, leases))
        stored.sort(key=lambda t: t[0])
        views = [lease_view(lease, code) for _, lease, code in stored]
    errors = sum(1 for i in result.issues if i["severity"] == "error")
    return {"drafts": views, "issues": result.issues,
            "summary": {"drafts": len(views), "errors": errors, "warnings": len(result.issues) - errors,
                        "drafts_with_errors": sum(1 for v in views if any(x["severity"] == "error"
                                                                          for x in v["issues"]))}}


def _cell_issue(issue: dict) -> dict:
    return {"severity": issue["severity"], "field": issue.get("field"), "code": issue["code"],
            "message": issue["message"], "sheet": issue.get("sheet"), "cell": issue.get("cell")}


def _refuse_taken_ids(s, result: ExtractResult, entities: dict, by_entity: dict[str, list[int]]) -> None:
    taken = []
    for code, indexes in by_entity.items():
        ids = [str(result.drafts[i].get("external_id") or "") for i in indexes]
        existing = set()
        for k in range(0, len(ids), 900):
            existing.update(s.scalars(select(Lease.external_id).where(
                Lease.entity_id == entities[code].id, Lease.external_id.in_(ids[k:k + 900]))))
        taken += [{"row": result.provenance[i].get("_row"), "external_id": ext, "entity": code}
                  for i, ext in zip(indexes, ids) if ext in existing]
        seen: dict[str, int] = {}
        for i, ext in zip(indexes, ids):
            if ext in seen:
                taken.append({"row": result.provenance[i].get("_row"), "external_id": ext, "entity": code,
                              "duplicate_of_row": result.provenance[seen[ext]].get("_row")})
            seen.setdefault(ext, i)
    if taken:
        raise Conflict("Some lease ids in the file already exist (or repeat within the file). "
                       "Nothing was imported; change or remove those rows.", code="lease_exists",
                       details={"rows": taken})
