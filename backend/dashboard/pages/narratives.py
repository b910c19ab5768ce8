"""Narrative overrides of the disclosure packs: the auditor-agreed wording of a section, per entity,
book and period, through the same service as PUT /v1/{lease|revenue}/disclosures/narrative-override
(APPROVER and above, people only, versioned and audited — the service's and the matrix's rules)."""
from __future__ import annotations

from fastapi import APIRouter

from backend.dashboard.web import Ctx, DashboardRoute, guard
from backend.services.disclosures import overrides

router = APIRouter(route_class=DashboardRoute)


def _key(get) -> dict[str, str]:
    source = get("source") if get("source") in overrides.SOURCES else "lease"
    standard = get("standard") if get("standard") in overrides.SOURCES[source] else overrides.SOURCES[source][0]
    return {"source": source, "entity": get("entity") or "", "standard": standard, "period": get("period") or ""}


@router.get("/narratives")
def narratives_page(ctx: Ctx = guard("disclosures.read")):
    key = _key(ctx.request.query_params.get)
    listing = None
    if key["entity"] and key["period"]:
        listing = overrides.list_overrides(ctx.rt, ctx.actor, **key)
    return ctx.render("narratives.html", key=key, listing=listing, sources=overrides.SOURCES)


@router.post("/narratives")
def put_narrative(ctx: Ctx = guard("disclosures.override")):
    key = _key(ctx.field)
    revert = ctx.field("revert") == "1"
    saved = overrides.put_override(ctx.rt, ctx.actor, **key, section=ctx.field("section"),
                                   text=None if revert else ctx.field("text"), reason=ctx.field("reason"))
    back = "/narratives?" + "&".join(f"{k}={v}" for k, v in key.items())
    what = "reverted to the generated narrative" if revert else "overridden"
    return ctx.redirect(back, f"Section {saved['section']} {what} (version {saved['version']}).")
