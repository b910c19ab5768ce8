"""Approvals: the queue of draft journals with lines and provenance; approve, batch-approve,
reverse and void through the journal service (four eyes and human-only are its rules, not ours)."""
from __future__ import annotations

from fastapi import APIRouter

from backend.dashboard.web import Ctx, DashboardRoute, guard
from backend.services.platform import dashboard_views
from backend.services.ledger import queries as journal_queries
from backend.services.ledger import journals

router = APIRouter(route_class=DashboardRoute)
VIEWS = {"draft": ("draft",), "approved": ("approved", "posted"), "closed": ("reversed", "void")}


@router.get("/approvals")
def approvals_page(ctx: Ctx = guard("journals.read")):
    view = ctx.request.query_params.get("view", "draft")
    statuses = VIEWS.get(view, VIEWS["draft"])
    entity = ctx.request.query_params.get("entity") or None
    period = ctx.request.query_params.get("period") or None
    filters = journal_queries.Filters(status=statuses, entity=entity, period=period)
    page = journal_queries.list_entries(ctx.rt, ctx.actor, limit=100, cursor=ctx.request.query_params.get("cursor"),
                                        sort="created_at:asc", filters=filters)
    return ctx.render("approvals.html", entries=page.data, page=page, view=view, entity=entity or "",
                      period=period or "", names=dashboard_views.user_names(ctx.rt, ctx.actor))


def _back(ctx: Ctx) -> str:
    return "/approvals?view=" + ctx.field("view", "draft")


@router.post("/approvals/batch")
def batch_approve(ctx: Ctx = guard("journals.approve")):
    out = journals.batch_approve(ctx.rt, ctx.actor, ctx.fields("ids"))
    refused = "; ".join(f"{r['id']}: {r['error']['message']}" for r in out["results"] if r["outcome"] == "refused")
    return ctx.redirect(_back(ctx), f"Approved {out['approved']}, refused {out['refused']}."
                        + (f" Refused: {refused}" if refused else ""))


@router.post("/approvals/{entry_id}/approve")
def approve(entry_id: str, ctx: Ctx = guard("journals.approve")):
    journals.approve(ctx.rt, ctx.actor, entry_id)
    return ctx.redirect(_back(ctx), f"Entry {entry_id} approved.")


@router.post("/approvals/{entry_id}/reverse")
def reverse(entry_id: str, ctx: Ctx = guard("journals.reverse")):
    out = journals.reverse(ctx.rt, ctx.actor, entry_id, memo=ctx.field("memo") or None)
    return ctx.redirect(_back(ctx), f"Entry {entry_id} reversed by {out['reversal']['id']} "
                                    f"in period {out['reversal']['period']}.")


@router.post("/approvals/{entry_id}/void")
def void(entry_id: str, ctx: Ctx = guard("journals.void")):
    journals.void(ctx.rt, ctx.actor, entry_id, reason=ctx.field("reason") or None)
    return ctx.redirect(_back(ctx), f"Entry {entry_id} voided.")
