"""Sign up, sign in, sign out, one-time password links, tenant switch, home page, static files."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from backend.dashboard.web import (HERE, PREFIX, SESSION_COOKIE, Ctx, DashboardRoute, client_ip, guard,
                                   safe_next, session_secret, set_signed)
from backend.services.platform import dashboard_views
from backend.services.platform import signup
from backend.services.platform import web_sessions
from backend.services.platform.errors import NotFound, ServiceError

router = APIRouter(route_class=DashboardRoute)
STATIC = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}


def _signed_in(ctx: Ctx, secret: str, path: str, flash: str | None = None) -> Response:
    """Redirect with the new session's cookie; the session the browser came with (if any) ends:
    a session id is only ever created by the server at sign-in (no fixation)."""
    old = session_secret(ctx.request)
    if old and old != secret:
        web_sessions.sign_out(ctx.rt, old)
    ctx.cookies.append(lambda resp: set_signed(ctx.request, resp, SESSION_COOKIE, secret,
                                               int(web_sessions.SESSION_TTL.total_seconds())))
    return ctx.redirect(path, flash)


@router.get("/static/{name}")
def static(name: str):
    if name not in STATIC:
        raise NotFound("No such file.")
    return FileResponse(HERE / "static" / name, media_type=STATIC[name],
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/signup")
def signup_form(ctx: Ctx = guard(anonymous=True)):
    return ctx.render("signup.html", values={}, error=None)


@router.post("/signup")
def signup_submit(ctx: Ctx = guard(anonymous=True)):
    values = {k: ctx.field(k) for k in ("account_name", "owner_name", "email")}
    try:
        done = signup.sign_up(ctx.rt, password=ctx.field("password"), ip=client_ip(ctx.request), **values)
    except ServiceError as exc:
        return ctx.render("signup.html", status=400 if exc.code != "email_registered" else 409, values=values,
                          error=exc)
    return _signed_in(ctx, done.session_secret, "/tokens?first=1",
                      "Your account is ready, with a sandbox and a production tenant and the demo entity "
                      "DEMO-US. Create your first API token below.")


@router.get("/login")
def login_form(ctx: Ctx = guard(anonymous=True)):
    return ctx.render("login.html", email="", next=ctx.request.query_params.get("next", ""), error=None)


@router.post("/login")
def login_submit(ctx: Ctx = guard(anonymous=True)):
    email, nxt = ctx.field("email"), ctx.field("next")
    try:
        secret = web_sessions.sign_in(ctx.rt, email=email, password=ctx.field("password"),
                                      ip=client_ip(ctx.request), request_id=ctx.request.state.request_id)
    except ServiceError as exc:
        status = {"sign_in_throttled": 429, "agent_cannot_sign_in": 403}.get(exc.code, 401)
        resp = ctx.render("login.html", status=status, email=email, next=nxt, error=exc)
        resp.headers.update(exc.headers or {})
        return resp
    return _signed_in(ctx, secret, safe_next(nxt))


@router.post("/logout")
def logout(ctx: Ctx = guard()):
    web_sessions.sign_out(ctx.rt, session_secret(ctx.request), request_id=ctx.request.state.request_id)
    ctx.cookies.append(lambda resp: resp.delete_cookie(SESSION_COOKIE, path=PREFIX))
    return ctx.redirect("/login", "You are signed out.")


@router.get("/forgot")
def forgot(ctx: Ctx = guard(anonymous=True)):
    return ctx.render("forgot.html")


@router.get("/password/{secret}")
def password_form(secret: str, ctx: Ctx = guard(anonymous=True)):
    return ctx.render("password.html", link=web_sessions.describe_link(ctx.rt, secret), secret=secret, error=None)


@router.post("/password/{secret}")
def password_submit(secret: str, ctx: Ctx = guard(anonymous=True)):
    link = web_sessions.describe_link(ctx.rt, secret)
    if ctx.field("password") != ctx.field("password_again"):
        return ctx.render("password.html", status=400, link=link, secret=secret,
                          error=ServiceError("The two passwords differ."))
    try:
        new = web_sessions.use_password_link(ctx.rt, secret=secret, password=ctx.field("password"),
                                             ip=client_ip(ctx.request))
    except ServiceError as exc:
        return ctx.render("password.html", status=400, link=link, secret=secret, error=exc)
    return _signed_in(ctx, new, "/", "Your password is set; you are signed in.")


@router.post("/tenant")
def switch_tenant(ctx: Ctx = guard()):
    kind = ctx.field("tenant")
    web_sessions.switch_tenant(ctx.rt, ctx.web, kind)
    return ctx.redirect(safe_next(ctx.field("next")) if ctx.field("next") else "/",
                        f"You are now working in the {kind} tenant.")


@router.get("/")
def home(ctx: Ctx = guard()):
    jobs = dashboard_views.recent_jobs(ctx.rt, ctx.actor, limit=10) if ctx.can("jobs.read") else []
    return ctx.render("home.html", jobs=jobs)
