"""Request context middleware (pure ASGI): request id, rate-limit headers, and an audit row for
every request (handed to the group-commit writer as the response starts)."""
from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.errors import internal_error_body
from backend.services.audit_writer import AuditWriter
from backend.services.context import Runtime

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
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else f"req_{uuid.uuid4().hex}"
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        audited = scope["path"].startswith("/v1/") and scope["path"] not in UNAUDITED_PATHS

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
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
        except Exception:
            # Unhandled errors become a plain 500 in the standard shape; details go to the log only.
            log.exception("unhandled error (request_id=%s)", request_id)
            if started:
                raise
            state["error_code"] = "internal_error"
            await JSONResponse(internal_error_body(request_id), status_code=500)(scope, receive, send_wrapper)

    def _audit(self, scope: Scope, state: dict, status: int) -> None:
        actor = state.get("actor")
        route = scope.get("route")
        fields = {
            "request_id": state["request_id"], "method": scope["method"],
            "route": getattr(route, "path", None) or scope["path"], "status": status,
            "action": state.get("action"),
        }
        if actor is not None:
            fields.update(actor_user_id=actor.user_id, actor_kind=actor.actor_kind, token_id=actor.token_id)
        kind = "auth_failure" if status == 401 else "request"
        outcome = "success" if status < 400 else ("denied" if status in (401, 403) else "failed")
        details = {"path": scope["path"]}
        if state.get("error_code"):
            details["error_code"] = state["error_code"]
        self.writer.submit(dict(now=self.rt.clock(), tenant_id=actor.tenant_id if actor else None,
                                kind=kind, outcome=outcome, details=details, **fields))
