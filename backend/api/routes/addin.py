"""Excel add-in routes: the task pane posts xlwings book JSON, gets xlwings actions back.

Every route authenticates with the same bearer token and permission matrix as REST (the actor's
channel is ``addin`` in the audit trail), takes an Idempotency-Key like every POST, refuses a
body over the size cap while reading it, and answers 503 ``addin_not_configured`` when
``XLWINGS_LICENSE_KEY`` is not set. The manifest and the static task pane are public: Office
fetches them before anyone has signed in.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from backend.addin import (bridge, disclosure_actions, entity_actions, lease_actions, manifest, mapping_actions, payload,
                          result_actions)
from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.schemas.common import ERROR_RESPONSES, ErrorBody
from backend.api.schemas.results import AddinActionsOut, AddinSessionOut
from backend.services.platform import identity
from backend.services.platform import tenancy
from backend.services.platform.context import Actor
from backend.services.platform.errors import Unavailable

ADDIN_DIR = Path(__file__).resolve().parents[3] / "addin"


def addin_channel(request: Request) -> None:
    """Runs before ``require``: marks the actor (and its audit rows) as coming from the add-in."""
    request.state.channel = "addin"


NOT_CONFIGURED = {503: {"model": ErrorBody, "description": "`addin_not_configured`: XLWINGS_LICENSE_KEY is not set"}}
router = APIRouter(prefix="/v1/addin", responses={**ERROR_RESPONSES, **NOT_CONFIGURED}, tags=["excel add-in"],
                   dependencies=[Depends(addin_channel)])
public = APIRouter()

BOOK_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "xlwings book JSON from the task pane (client 'Office.js', sheets with values "
                                     "from A1, tables/pictures/charts/shapes/pivot_tables lists) plus `args`.",
    "required": ["client", "version", "book", "names", "sheets"]}, "examples": {"extract": {
    "summary": "A lease sheet with one row", "value": {
        "client": "Office.js", "version": "0.33.0", "book": {"name": "leases.xlsx", "active_sheet_index": 0,
                                                           "selection": "A2"},
        "names": [], "sheets": [{"name": "Leases", "values": [
            ["Lease ID", "Entity", "Description", "Asset class", "Currency", "Commencement date", "End date",
             "Payment amount", "Frequency", "Timing", "Discount rate"],
            ["HQ-1", "DEMO-US", "Head office", "property", "USD", "2026-01-01", "2030-12-31", "10000.00",
             "monthly", "advance", "0.06"]],
            "pictures": [], "tables": [], "charts": [], "shapes": [], "pivot_tables": []}],
        "args": {"entity": "DEMO-US"}}}}}}}}
ACTIONS_OUT = {"model": AddinActionsOut,
               "description": "`{ok, message, actions: [xlwings actions, apply in order], ...}`"}


async def _run(request: Request, actor: Actor, work: Callable[..., dict], idempotency_key: str | None) -> Response:
    rt = runtime(request)
    bridge.require_licence(rt.settings)
    raw = await payload.read_capped(request)
    model, data = payload.parse(raw)
    fingerprint = {"sha256": hashlib.sha256(raw).hexdigest()}
    return await run_in_threadpool(respond, request, actor, lambda: work(rt, actor, model, data),
                                   body=fingerprint, idempotency_key=idempotency_key)


def book_route(target: APIRouter, path: str, operation_id: str, action: str, work: Callable[..., dict],
               summary: str) -> None:
    """One add-in action route on ``target``: book JSON in (capped), the action's xlwings actions out."""
    # A default, not Annotated: the annotation would be resolved from module globals, not this closure.
    async def endpoint(request: Request, idempotency_key: IdempotencyKeyHeader = None,
                       actor: Actor = Depends(require(action))):
        return await _run(request, actor, work, idempotency_key)

    endpoint.__name__ = operation_id
    target.add_api_route(path, endpoint, methods=["POST"], operation_id=operation_id, summary=summary,
                         openapi_extra=BOOK_BODY, responses={200: ACTIONS_OUT})


def _book_route(path: str, operation_id: str, action: str, work: Callable[..., dict], summary: str) -> None:
    book_route(router, path, operation_id, action, work, summary)


_book_route("/leases/extract", "addin_extract_leases", "leases.write", lease_actions.extract_leases,
            "Extract leases from the workbook's lease sheet: drafts stored, cells with problems marked")
_book_route("/leases/validate", "addin_validate_leases", "leases.write", lease_actions.validate_rows,
            "Send the selected rows' edits (version-checked) and validate them")
_book_route("/leases/confirm", "addin_confirm_leases", "leases.confirm", lease_actions.confirm_rows,
            "Confirm the selected rows (version-checked); returns the recognition job ids")
_book_route("/leases/schedule", "addin_pull_schedule", "leases.read", result_actions.pull_schedule,
            "Write the schedules of the selected leases (or a filter) to 'Schedule <standard>'")
_book_route("/journals/pull", "addin_pull_journals", "journals.read", result_actions.pull_journals,
            "Write journal lines matching the filter in `args` to the 'Journals' sheet")
_book_route("/journals/approve", "addin_approve_journals", "journals.approve", result_actions.approve_selected,
            "Approve the entries of the selected 'Journals' rows (human, four eyes, open period)")
_book_route("/journals/export", "addin_export_journals", "journals.export", result_actions.export_sheet,
            "Write the ERP export (approved lines with GL accounts) to the 'Journal export' sheet")
_book_route("/disclosures/lease", "addin_disclosure_pack", "disclosures.read", disclosure_actions.write_pack,
            "Write the lease disclosure pack (args: entity, period, standard) as sheets, with its tie-out status")
_book_route("/disclosures/revenue", "addin_revenue_disclosure_pack", "disclosures.read",
            disclosure_actions.write_revenue_pack,
            "Write the revenue disclosure pack (args: entity, period, scope IFRS15 | ASC606 | COMBINED) as sheets")


_book_route("/entities/pull", "addin_pull_entities", "entities.read", entity_actions.pull_entities,
            "Write every entity (code, name, currency, books, aliases) to the 'Entities' sheet")
_book_route("/entities/push", "addin_push_entities", "entities.update", entity_actions.push_entities,
            "Save the aliases edited on the 'Entities' sheet (all rows checked first; a stale row is a 409)")
_book_route("/mapping/pull", "addin_pull_mapping", "account_mapping.read", mapping_actions.pull_mapping,
            "Write the entity's account mapping (every engine code, its meaning, the GL account) to 'Mapping'")
_book_route("/mapping/push", "addin_push_mapping", "account_mapping.write", mapping_actions.push_mapping,
            "Save the GL accounts edited on the 'Mapping' sheet (version-checked) as the entity's mapping")


@router.get("/session", operation_id="addin_session", response_model=AddinSessionOut, summary="Who is signed in, and whether the add-in is enabled")
def session(request: Request, actor: Annotated[Actor, Depends(require("me.read"))]) -> dict[str, Any]:
    rt = runtime(request)
    user = identity.get_user(rt, actor, actor.user_id)
    entities = tenancy.list_entities(rt, actor, limit=200, cursor=None, sort=None).data
    return {"user": {"name": user["name"], "email": user["email"]}, "role": actor.role,
            "actor_kind": actor.actor_kind, "tenant_kind": actor.tenant_kind, "tenant_id": actor.tenant_id,
            "entities": [e["code"] for e in entities], "addin_enabled": bool(bridge.licence_key(rt.settings)),
            "message": None if bridge.licence_key(rt.settings) else bridge.LICENCE_HELP}


@public.get("/addin/manifest.xml", include_in_schema=False)
def manifest_xml(request: Request) -> Response:
    try:
        xml = manifest.render(runtime(request).settings)
    except manifest.ManifestError as exc:
        raise Unavailable(str(exc), code="addin_not_configured") from None
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": 'inline; filename="manifest.xml"'})
