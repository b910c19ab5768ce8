"""The dashboard's plumbing: signed cookies, CSRF, the signed-in person, rendering, and one route
class that turns service errors into HTML pages (and audits refusals).

Cookies: ``ll_session`` holds the session secret signed with itsdangerous (HttpOnly, SameSite=Lax,
Secure over https or in production); ``ll_pre`` is a random anonymous value that the CSRF token
of the sign-in and sign-up forms is bound to; ``ll_flash`` carries a one-line message across a
redirect. CSRF tokens are an HMAC of the session (or pre-session) secret, checked on every POST.
Authorisation is the permission matrix (``allowed``) plus whatever the services check themselves.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from backend.auth.permissions import allowed
from backend.services.platform import web_sessions
from backend.services.platform.context import Runtime
from backend.services.platform.errors import Forbidden, ServiceError
from backend.services.platform.web_sessions import WebUser

HERE = Path(__file__).parent
SESSION_COOKIE, PRE_COOKIE, FLASH_COOKIE = "ll_session", "ll_pre", "ll_flash"
PREFIX = "/dashboard"
STATUS = {"InvalidInput": 400, "Unauthenticated": 401, "Forbidden": 403, "NotFound": 404, "Conflict": 409,
          "Unprocessable": 422, "RateLimited": 429, "Unavailable": 503}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # password links carry their secret in the path
    "Cache-Control": "no-store",
}

env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)


class LoginRequired(Exception):
    pass


def rt_of(request: Request) -> Runtime:
    return request.app.state.runtime


def _serializer(rt: Runtime, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(rt.secret_key, salt=f"ll-dashboard-{purpose}")


def read_signed(request: Request, name: str, max_age: int) -> str | None:
    raw = request.cookies.get(name)
    if not raw:
        return None
    try:
        return _serializer(rt_of(request), name).loads(raw, max_age=max_age)
    except BadSignature:
        return None


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or rt_of(request).settings.environment == "production"


def set_signed(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, _serializer(rt_of(request), name).dumps(value), max_age=max_age, path=PREFIX,
                        httponly=True, samesite="lax", secure=secure_cookies(request))


def csrf_for(rt: Runtime, basis: str) -> str:
    return hmac.new(rt.secret_key.encode(), f"csrf:{basis}".encode(), hashlib.sha256).hexdigest()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def session_secret(request: Request) -> str | None:
    return read_signed(request, SESSION_COOKIE, int(web_sessions.SESSION_TTL.total_seconds()))


@dataclass
class Ctx:
    """What a dashboard handler gets: the request, the runtime, the person (or None), the form."""

    request: Request
    rt: Runtime
    web: WebUser | None
    form: FormData | None
    csrf: str
    pre: str | None = None  # a new anonymous value to set as the pre-session cookie
    cookies: list = field(default_factory=list)

    @property
    def actor(self):
        return self.web.actor

    def can(self, action: str) -> bool:
        return self.web is not None and allowed(action, self.web.actor.role)

    def field(self, name: str, default: str = "") -> str:
        return (self.form.get(name) if self.form is not None else None) or default

    def fields(self, name: str) -> list[str]:
        return self.form.getlist(name) if self.form is not None else []

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        flash = read_signed(self.request, FLASH_COOKIE, 120)
        html = env.get_template(template).render(ctx=self, web=self.web, csrf=self.csrf, can=self.can,
                                                 flash=flash, prefix=PREFIX, request=self.request, **context)
        resp = HTMLResponse(html, status_code=status)
        if flash:
            resp.delete_cookie(FLASH_COOKIE, path=PREFIX)
        self.finish(resp)
        return resp

    def redirect(self, path: str, flash: str | None = None) -> RedirectResponse:
        resp = RedirectResponse(PREFIX + path, status_code=303)
        if flash:
            set_signed(self.request, resp, FLASH_COOKIE, flash, 120)
        self.finish(resp)
        return resp

    def finish(self, resp: Response) -> None:
        if self.pre:
            set_signed(self.request, resp, PRE_COOKIE, self.pre, None)
        for fn in self.cookies:
            fn(resp)


def guard(action: str | None = None, *, anonymous: bool = False) -> Callable:
    """The dependency of every dashboard page: the signed-in person (or a redirect to sign in),
    the permission-matrix check for ``action``, and the CSRF check of every POST."""

    async def dependency(request: Request) -> Ctx:
        rt = rt_of(request)
        form = await request.form() if request.method == "POST" else None
        secret = session_secret(request)
        web = await run_in_threadpool(web_sessions.current, rt, secret,
                                      request_id=getattr(request.state, "request_id", None))
        pre = None
        if web is not None:
            basis = secret
        else:
            basis = read_signed(request, PRE_COOKIE, 7 * 24 * 3600)
            if basis is None:
                basis = pre = secrets.token_urlsafe(24)
        ctx = Ctx(request, rt, web, form, csrf_for(rt, basis), pre)
        request.state.dashboard_ctx = ctx
        if form is not None:
            sent = form.get("csrf_token") or ""
            if pre is not None or not hmac.compare_digest(str(sent), ctx.csrf):
                raise Forbidden("The form expired or did not come from this site (CSRF check). Reload the page "
                                "and try again.", code="csrf_failed")
        if anonymous:
            return ctx
        if web is None:
            raise LoginRequired()
        if action and not allowed(action, web.actor.role):
            raise Forbidden(f"Your role ({web.actor.role}) does not allow '{action}'.", code="forbidden",
                            details={"action": action, "role": web.actor.role})
        return ctx

    return Depends(dependency)


def audit_request(request: Request, status: int) -> None:
    """One audit row per dashboard request, like the API's middleware writes for /v1 (static files
    excepted): who, which route, the outcome, and the error code of a refusal."""
    rt = rt_of(request)
    if rt.audit_writer is None:
        return
    ctx = getattr(request.state, "dashboard_ctx", None)
    actor = ctx.web.actor if ctx is not None and ctx.web is not None else None
    route = getattr(request.scope.get("route"), "path", None) or request.url.path
    if not route.startswith(PREFIX):  # the route object of the sub-router, before its prefix was added
        route = PREFIX + route
    details = {"channel": "dashboard", "path": request.url.path}
    error = getattr(request.state, "dashboard_error", None)
    if error is not None:
        details["error_code"] = error.code
    rt.audit_writer.submit(dict(
        now=rt.clock(), tenant_id=actor.tenant_id if actor else None,
        kind="auth_failure" if status == 401 else "request",
        outcome="success" if status < 400 else ("denied" if status in (401, 403, 429) else "failed"),
        request_id=getattr(request.state, "request_id", None), method=request.method,
        route=route, status=status,
        action=(error.details or {}).get("action") if error is not None and isinstance(error.details, dict) else None,
        actor_user_id=actor.user_id if actor else None, actor_kind=actor.actor_kind if actor else None,
        token_id=None, details=details))


def error_page(request: Request, exc: ServiceError) -> HTMLResponse:
    status = next((STATUS[c.__name__] for c in type(exc).__mro__ if c.__name__ in STATUS), 500)
    request.state.dashboard_error = exc
    ctx = getattr(request.state, "dashboard_ctx", None) or Ctx(request, rt_of(request), None, None, "")
    resp = ctx.render("error.html", status=status, error=exc, status_code=status)
    for k, v in (exc.headers or {}).items():
        resp.headers[k] = v
    return resp


class DashboardRoute(APIRoute):
    """Every dashboard route: service errors become an HTML page with the API's status code,
    a missing session a redirect to sign in; every response carries the security headers and
    every request leaves an audit row."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                resp = await handler(request)
            except LoginRequired:
                nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                resp = RedirectResponse(f"{PREFIX}/login?next={quote(nxt)}", status_code=303)
            except ServiceError as exc:
                resp = error_page(request, exc)
            for k, v in SECURITY_HEADERS.items():
                resp.headers.setdefault(k, v)
            if not request.url.path.startswith(f"{PREFIX}/static/"):
                audit_request(request, resp.status_code)
            return resp

        return route


def safe_next(value: str | None) -> str:
    """Only same-site dashboard paths are followed after sign-in (no open redirect)."""
    if value and value.startswith(PREFIX + "/") and not value.startswith("//") and "\\" not in value:
        return value[len(PREFIX):]
    return "/"
