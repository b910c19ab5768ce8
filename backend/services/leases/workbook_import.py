"""Lease drafts from a workbook or CSV file (REST upload or the add-in's book JSON), stored atomically.

Every row whose entity is known is saved as a draft, each with its issues and cell provenance,
in one transaction. A row's Entity cell may give the entity's code, name or an alias; a row
naming no known entity (or none, without an ``entity=`` default) is not stored and comes back
in ``not_imported`` with an error at its Entity cell and the closest names
(``backend.workbooks.entity_resolution`` explains why it is not filed under the default). An
external id already in use stops the whole import with the list of offending rows, so the
accountant fixes the file and uploads it again; so does a default entity that does not exist.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from backend.db.models import Entity, Lease
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput, Unprocessable
from backend.services.leases.drafts import create_drafts, lease_view
from backend.workbooks import (EntityRecord, EntityResolver, ExtractResult, WorkbookRejected, extract_upload,
                               resolve_entities)


class WorkbookRefused(InvalidInput):
    """A file refused before extraction (not a workbook, bomb, protected, too large)."""

    def __init__(self, rejected: WorkbookRejected):
        super().__init__(rejected.message, code=rejected.code)
        self.http_status = rejected.http_status


def import_workbook(rt: Runtime, actor: Actor, data: bytes, *, default_entity: str | None = None,
                    locale: str | None = None, source: str = "workbook") -> dict:
    try:
        result = extract_upload(data, locale=locale)
    except WorkbookRejected as exc:
        raise WorkbookRefused(exc) from None
    return store_extract(rt, actor, result, default_entity=default_entity, source=source)


def store_extract(rt: Runtime, actor: Actor, result: ExtractResult, *, default_entity: str | None,
                  source: str) -> dict:
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        entities = {e.code: e for e in s.scalars(select(Entity))}
        if default_entity and default_entity not in entities:
            raise Unprocessable(f"The default entity '{default_entity}' does not exist in this tenant. Nothing was "
                                "imported.", code="unknown_entity",
                                details={"rows": [], "entity": default_entity, "known_entities": sorted(entities)})
        texts = [d.get("entity") for d in result.drafts]  # as written, before resolution replaces them
        skipped = resolve_entities(result, _records(s), default_entity)
        by_entity: dict[str, list[int]] = defaultdict(list)
        for i, draft in enumerate(result.drafts):
            if i not in skipped:
                by_entity[draft["entity"]].append(i)
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
    # The summary counts every issue of the response: each stored draft's (its cells' and the checks
    # run on the whole lease) and those of rows or of the file that did not become a draft.
    stored_indexes = {i for i, _, _ in stored}
    counted = [x for v in views for x in v["issues"]] + [
        x for x in result.issues if x.get("draft_index") not in stored_indexes]
    errors = sum(1 for i in counted if i["severity"] == "error")
    infos = sum(1 for i in counted if i["severity"] == "info")
    not_imported = [{"draft_index": i, "row": result.provenance[i].get("_row"), "cell": result.provenance[i].get(
        "entity"), "entity": texts[i], "external_id": result.drafts[i].get("external_id"),
        "issues": [_cell_issue(x) for x in result.issues_for(i) if x["field"] == "entity"]} for i in sorted(skipped)]
    return {"drafts": views, "draft_indexes": [i for i, _, _ in stored], "not_imported": not_imported,
            "issues": result.issues,
            "summary": {"drafts": len(views), "not_imported": len(not_imported), "errors": errors,
                        "warnings": len(counted) - errors - infos, "infos": infos,
                        "drafts_with_errors": sum(1 for v in views if any(x["severity"] == "error"
                                                                          for x in v["issues"]))}}


def entity_codes(rt: Runtime, actor: Actor, texts: set[str]) -> dict[str, str | None]:
    """Each Entity cell text → the one entity code it names (code, name or alias), else None."""
    with rt.db.session(actor.tenant_id) as s:
        resolver = EntityResolver(_records(s))
    out = {}
    for t in texts:
        codes = resolver.resolve(t)
        out[t] = codes[0] if len(codes) == 1 else None
    return out


def _records(s) -> list[EntityRecord]:
    return [EntityRecord(e.code, e.name, tuple(e.aliases or ())) for e in s.scalars(select(Entity))]


def _cell_issue(issue: dict) -> dict:
    out = {"severity": issue["severity"], "field": issue.get("field"), "code": issue["code"],
           "message": issue["message"], "sheet": issue.get("sheet"), "cell": issue.get("cell")}
    if "suggestions" in issue:
        out["suggestions"] = issue["suggestions"]
    return out


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
