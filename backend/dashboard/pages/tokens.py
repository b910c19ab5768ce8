"""API tokens: create (tenant, user; the secret shown once), list (prefix, last used, created by), revoke."""
from __future__ import annotations

from fastapi import APIRouter

from backend.dashboard.web import Ctx, DashboardRoute, guard
from backend.services.platform import dashboard_views
from backend.services.platform import identity
from backend.services.platform import web_sessions

router = APIRouter(route_class=DashboardRoute)


def _users(ctx: Ctx) -> list[dict]:
    if not ctx.can("users.read"):
        return []
    return [u for u in identity.list_users(ctx.rt, ctx.actor, limit=200, cursor=None, sort="name:asc",
                                           active=True).data]


@router.get("/tokens")
def tokens_page(ctx: Ctx = guard("tokens.read")):
    page = identity.list_tokens(ctx.rt, ctx.actor, limit=200, cursor=None, sort=None)
    used = dashboard_views.tokens_last_used(ctx.rt, ctx.actor, [t["id"] for t in page.data])
    creators = dashboard_views.token_creators(ctx.rt, ctx.actor, [t["id"] for t in page.data])
    names = dashboard_views.user_names(ctx.rt, ctx.actor)
    return ctx.render("tokens.html", tokens=page.data, last_used=used, names=names, creators=creators, users=_users(ctx),
                      first=ctx.request.query_params.get("first") == "1")


@router.post("/tokens")
def create_token(ctx: Ctx = guard("tokens.create")):
    tenant_kind = ctx.field("tenant", ctx.actor.tenant_kind)
    actor = web_sessions.actor_in(ctx.rt, ctx.web, tenant_kind)
    out = identity.create_token(ctx.rt, actor, name=ctx.field("name", "dashboard").strip()[:200] or "dashboard",
                                user_id=ctx.field("user_id") or None)
    names = dashboard_views.user_names(ctx.rt, ctx.actor)
    return ctx.render("token_created.html", status=201, token=out, tenant_kind=tenant_kind,
                      user_name=names.get(out["user_id"], out["user_id"]))


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: str, ctx: Ctx = guard("tokens.revoke")):
    tok = identity.revoke_token(ctx.rt, ctx.actor, token_id)
    return ctx.redirect("/tokens", f"Token {tok['prefix']}… is revoked; it stops working on the next request.")
