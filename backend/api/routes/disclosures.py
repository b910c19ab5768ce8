"""Disclosure packs (JSON or XLSX) and auditor narrative overrides."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from backend.api.deps import require, runtime
from backend.api.schemas.common import ERROR_RESPONSES
from backend.api.schemas.disclosures import LeaseOverrideIn, OverrideListOut, OverrideOut, RevenueOverrideIn
from backend.services.disclosures import lease as lease_packs
from backend.services.disclosures import overrides
from backend.services.disclosures import revenue as revenue_packs
from backend.services.disclosures.xlsx import pack_xlsx
from backend.services.revenue import disclosure_facts
from backend.services.platform.context import Actor

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["disclosures"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Entity = Annotated[str, Query(description="Entity code")]
Period = Annotated[str, Query(description="YYYY-MM (a month) or YYYY / FYYYYY (the fiscal year ending then)")]


def _respond(out, fmt: str, name: str) -> Response:
    headers = {"X-Content-SHA256": out.content_sha256, "X-Pack-Stored": "true" if out.stored else "false"}
    if fmt == "xlsx":
        headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return Response(pack_xlsx(out.pack), media_type=XLSX, headers=headers)
    return Response(out.body, media_type="application/json", headers=headers)


@router.get("/lease/disclosures", operation_id="lease_disclosure_pack",
            summary="Lease disclosure pack (IFRS 16 / ASC 842) from stored runs, tied out to approved journals",
            response_class=Response, responses={200: {"content": {"application/json": {}, XLSX: {}}}})
async def lease_pack(request: Request, actor: Annotated[Actor, Depends(require("disclosures.read"))],
                     entity: Entity, period: Period, standard: Literal["IFRS16", "ASC842"],
                     format: Literal["pack", "xlsx"] = "pack"):
    rt = runtime(request)
    out = await run_in_threadpool(lease_packs.lease_pack, rt, actor, entity=entity, period=period,
                                  standard=standard, fmt=format)
    return _respond(out, format, f"disclosures-{entity}-{standard}-{out.pack['period']}")


@router.get("/revenue/disclosures", operation_id="revenue_disclosure_pack",
            summary="Revenue disclosure pack (IFRS 15 / ASC 606 / COMBINED), tied out to approved journals",
            response_class=Response, responses={200: {"content": {"application/json": {}, XLSX: {}}}})
async def revenue_pack(request: Request, actor: Annotated[Actor, Depends(require("disclosures.read"))],
                       entity: Entity, period: Period, scope: Literal["IFRS15", "ASC606", "COMBINED"],
                       format: Literal["pack", "xlsx"] = "pack"):
    """Disaggregation of revenue, contract balances roll-forward, RPO with time bands and expedients, significant
    judgements, costs to obtain and practical expedients; COMBINED shows both books side by side with the
    divergences explained. Every figure that can be is tied out to the approved journals."""
    rt = runtime(request)
    out = await run_in_threadpool(revenue_packs.revenue_pack, rt, actor, entity=entity, period=period, scope=scope,
                                  fmt=format, load_contracts=disclosure_facts.load_contracts)
    return _respond(out, format, f"disclosures-{entity}-{scope}-{out.pack['period']}")


@router.get("/lease/disclosures/narrative-override", operation_id="list_lease_narrative_overrides",
            response_model=OverrideListOut, summary="Narrative overrides of a lease pack (in force and history)")
def list_lease_overrides(request: Request, actor: Annotated[Actor, Depends(require("disclosures.read"))],
                         entity: Entity, period: Period, standard: Literal["IFRS16", "ASC842"],
                         section: str | None = None):
    return overrides.list_overrides(runtime(request), actor, source="lease", entity=entity, standard=standard,
                                    period=period, section=section)


@router.put("/lease/disclosures/narrative-override", operation_id="put_lease_narrative_override",
            response_model=OverrideOut, summary="Override a section's narrative (APPROVER and above; versioned)")
def put_lease_override(body: LeaseOverrideIn, request: Request,
                       actor: Annotated[Actor, Depends(require("disclosures.override"))]):
    return overrides.put_override(runtime(request), actor, source="lease", entity=body.entity,
                                  standard=body.standard, period=body.period, section=body.section, text=body.text,
                                  reason=body.reason)


@router.get("/revenue/disclosures/narrative-override", operation_id="list_revenue_narrative_overrides",
            response_model=OverrideListOut, summary="Narrative overrides of a revenue pack (in force and history)")
def list_revenue_overrides(request: Request, actor: Annotated[Actor, Depends(require("disclosures.read"))],
                           entity: Entity, period: Period, scope: Literal["IFRS15", "ASC606", "COMBINED"],
                           section: str | None = None):
    return overrides.list_overrides(runtime(request), actor, source="revenue", entity=entity, standard=scope,
                                    period=period, section=section)


@router.put("/revenue/disclosures/narrative-override", operation_id="put_revenue_narrative_override",
            response_model=OverrideOut, summary="Override a section's narrative (APPROVER and above; versioned)")
def put_revenue_override(body: RevenueOverrideIn, request: Request,
                         actor: Annotated[Actor, Depends(require("disclosures.override"))]):
    return overrides.put_override(runtime(request), actor, source="revenue", entity=body.entity,
                                  standard=body.scope, period=body.period, section=body.section, text=body.text,
                                  reason=body.reason)
