"""Users and roles: invite (one-time link), change role, deactivate (revokes tokens), people vs agents.
Who may grant which role, and self-changes, are the identity service's rules."""
from __future__ import annotations

from fastapi import APIRouter

from backend.auth.roles import Role
from backend.dashboard.web import Ctx, DashboardRoute, guard
from backend.services.platform import identity
from backend.services.platform import web_sessions

router = APIRouter(route_class=DashboardRoute)


def _account_actor(ctx: Ctx):
    """Users are shared by both tenants, so the identity service wants a production actor for a
    change (a sandbox API token may not make one). A signed-in person is the same user in both
    tenants, so the dashboard acts for them in production, whatever tenant the page shows."""
    return web_sessions.actor_in(ctx.rt, ctx.web, "production")


def _link(ctx: Ctx, secret: str) -> str:
    return f"{str(ctx.request.base_url).rstrip('/')}/dashboard/password/{secret}"


@router.get("/users")
def users_page(ctx: Ctx = guard("users.read")):
    users = identity.list_users(ctx.rt, ctx.actor, limit=200, cursor=None, sort="name:asc").data
    return ctx.render("users.html", users=users, roles=[r.value for r in Role])


@router.post("/users")
def invite(ctx: Ctx = guard("users.create")):
    kind = ctx.field("actor_kind", "human")
    user = identity.create_user(ctx.rt, ctx.actor, name=ctx.field("name").strip(), email=ctx.field("email").strip(),
                                role=identity.validate_role(ctx.field("role")), actor_kind=kind)
    link = _link(ctx, web_sessions.create_invite_link(ctx.rt, ctx.actor, user["id"])) if kind == "human" else None
    return ctx.render("user_invited.html", status=201, user=user, link=link)


@router.post("/users/{user_id}/invite")
def reinvite(user_id: str, ctx: Ctx = guard("users.create")):
    user = identity.get_user(ctx.rt, ctx.actor, user_id)
    return ctx.render("user_invited.html", user=user,
                      link=_link(ctx, web_sessions.create_invite_link(ctx.rt, ctx.actor, user_id)))


@router.post("/users/{user_id}/role")
def change_role(user_id: str, ctx: Ctx = guard("users.update")):
    role = identity.validate_role(ctx.field("role"))
    user = identity.update_user(ctx.rt, _account_actor(ctx), user_id, {"role": role})
    return ctx.redirect("/users", f"{user['name']} is now {user['role']}.")


@router.post("/users/{user_id}/deactivate")
def deactivate(user_id: str, ctx: Ctx = guard("users.update")):
    user = identity.update_user(ctx.rt, _account_actor(ctx), user_id, {"active": False})
    return ctx.redirect("/users", f"{user['name']} is deactivated; their tokens are revoked and they are signed out.")


@router.post("/users/{user_id}/reactivate")
def reactivate(user_id: str, ctx: Ctx = guard("users.update")):
    user = identity.update_user(ctx.rt, _account_actor(ctx), user_id, {"active": True})
    return ctx.redirect("/users", f"{user['name']} is active again (mint new tokens; old ones stay revoked).")
