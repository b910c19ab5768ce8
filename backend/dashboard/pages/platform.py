"""Sandbox switch and reset, downloads, the audit trail browser, and live job progress."""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from backend.dashboard.web import Ctx, DashboardRoute, guard
from backend.services.platform import audit_reader as audit_log
from backend.services.platform import dashboard_views
from backend.services.platform import tenancy
from backend.services.platform.errors import InvalidInput

router = APIRouter(route_class=DashboardRoute)
CONFIRM_WORD = "RESET"


@router.get("/sandbox")
def sandbox_page(ctx: Ctx = guard()):
    return ctx.render("sandbox.html", confirm_word=CONFIRM_WORD)


@router.post("/sandbox/reset")
def sandbox_reset(ctx: Ctx = guard("sandbox.reset")):
    if ctx.field("confirm").strip() != CONFIRM_WORD:
        raise InvalidInput(f"Type {CONFIRM_WORD} to confirm the reset; nothing was deleted.", code="not_confirmed")
    out = tenancy.reset_sandbox(ctx.rt, ctx.actor)
    removed = sum(out["removed"].values())
    return ctx.redirect("/sandbox", f"The sandbox was reset: {removed} rows removed. Users, tokens and entities "
                                    f"are kept; the audit trail records the reset.")


@router.get("/downloads/leases-template.xlsx")
def lease_template(ctx: Ctx = guard()):
    return Response(dashboard_views.lease_template_bytes(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="leases-template.xlsx"'})


def _when(value: str) -> datetime | None:
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Not a date: {value!r} (use YYYY-MM-DD).", code="invalid_date") from None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


@router.get("/audit")
def audit_page(ctx: Ctx = guard("audit.read")):
    q = ctx.request.query_params
    filters = {k: q.get(k) or None for k in ("kind", "outcome", "action", "actor_user_id", "resource_id")}
    page = audit_log.list_events(ctx.rt, ctx.actor, limit=50, cursor=q.get("cursor"), sort="created_at:desc",
                                 created_from=_when(q.get("from", "")), created_to=_when(q.get("to", "")), **filters)
    verified = audit_log.verify(ctx.rt, ctx.actor) if ctx.can("audit.verify") else None
    return ctx.render("audit.html", events=page.data, page=page, filters=filters, q=q, verified=verified,
                      names=dashboard_views.user_names(ctx.rt, ctx.actor))


@router.get("/jobs")
def jobs_page(ctx: Ctx = guard("jobs.read")):
    return ctx.render("jobs.html", jobs=dashboard_views.recent_jobs(ctx.rt, ctx.actor, limit=50))


@router.get("/jobs.json")
def jobs_json(ctx: Ctx = guard("jobs.read")):
    jobs = dashboard_views.recent_jobs(ctx.rt, ctx.actor, limit=50)
    return JSONResponse({"jobs": [{"id": j["id"], "status": j["status"], "progress": j["progress"]} for j in jobs]})
