"""Request context middleware (pure ASGI): request id, rate-limit headers, and an audit row for
every request (handed to the group-commit writer as the response starts)."""
from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.services.platform.errors import database_unreachable
from backend.api.errors import RETRY_AFTER_SECONDS, database_unavailable_body, internal_error_body
from backend.services.platform import access
from backend.services.platform.audit_writer import AuditWriter
from backend.services.platform.context import Runtime

log = logging.getLogger("ledger_layer.audit")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
UNAUDITED_PATHS = frozenset({"/v1/health", "/v1/openapi.json", "/v1/docs"})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime, writer: AuditWriter):
        self.app = app
        self.rt = runtime
        self.writer = writer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Always our own id, so a client cannot collide with or forge another request's trail; the
        # client's id (when it is a sane token) is kept beside it as client_request_id.
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = f"req_{uuid.uuid4().hex}"
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        if _SAFE_ID.match(incoming):
            state["client_request_id"] = incoming
        audited = scope["path"].startswith("/v1/") and scope["path"] not in UNAUDITED_PATHS

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                if state.get("client_request_id"):
                    headers["X-Client-Request-Id"] = state["client_request_id"]
                for k, v in (state.get("ratelimit_headers") or {}).items():
                    headers[k] = v
                if audited:
                    self._audit(scope, state, message["status"])
            await send(message)

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_wrapper(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if database_unreachable(exc) and not started:
                # A database restart or failover: say so and when to retry, not "something went wrong".
                log.warning("database unreachable (request_id=%s): %s", request_id, type(exc).__name__)
                state["error_code"] = "database_unavailable"
                await JSONResponse(database_unavailable_body(request_id), status_code=503,
                                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)})(scope, receive, send_wrapper)
                return
            # Unhandled errors become a plain 500 in the standard shape; details go to the log only.
            log.exception("unhandled error (request_id=%s)", request_id)
            if started:
                raise
            state["error_code"] = "internal_error"
            await JSONResponse(internal_error_body(request_id), status_code=500)(scope, receive, send_wrapper)

    def _audit(self, scope: Scope, state: dict, status: int) -> None:
        route = scope.get("route")
        details = {"path": scope["path"]}
        if state.get("error_code"):
            details["error_code"] = state["error_code"]
        if state.get("client_request_id"):
            details["client_request_id"] = state["client_request_id"]
        self.writer.submit(access.request_row(
            now=self.rt.clock(), request_id=state["request_id"], method=scope["method"],
            route=getattr(route, "path", None) or scope["path"], status=status, action=state.get("action"),
            actor=state.get("actor"), known=state.get("auth_failure"), details=details))


JSON_BODY_CAP = 10 * 1024 * 1024  # 10 MB: far above any real request; uploads and the add-in have their own caps


class BodyLimitMiddleware:
    """Refuse request bodies over JSON_BODY_CAP with 413 before any parser sees them.

    The body is read here (at most cap + one chunk) and replayed to the app, so a body without a
    Content-Length (chunked) is capped as well. Workbook uploads (multipart) and the add-in's book
    JSON have caps of their own and are passed through.
    """

    def __init__(self, app: ASGIApp, cap: int = JSON_BODY_CAP):
        self.app = app
        self.cap = cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or ()) if scope["type"] == "http" else {}
        if (scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH")
                or scope["path"].startswith("/v1/addin/")
                or headers.get(b"content-type", b"").startswith(b"multipart/")):
            await self.app(scope, receive, send)
            return
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.cap:
            await self._refuse(scope, receive, send)
            return
        messages, total = [], 0
        while True:
            message = await receive()
            messages.append(message)
            total += len(message.get("body", b""))
            if total > self.cap:
                await self._refuse(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = (scope.get("state") or {}).get("request_id")
        body = {"error": {"code": "payload_too_large", "request_id": request_id, "details": {"max_bytes": self.cap},
                          "message": f"The request body is larger than {self.cap // (1024 * 1024)} MB."}}
        await JSONResponse(body, status_code=413)(scope, receive, send)
