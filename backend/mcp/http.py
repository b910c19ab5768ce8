"""``/mcp`` inside the API app: the SDK's streamable-HTTP app behind a thin ASGI guard.

The guard runs inside the API's request-context middleware (request id, ``X-Request-Id``), marks
the request as channel ``mcp``, and handles what the SDK's bearer middleware cannot see: failed
authentication is counted per client address (429 past the allowance, as on REST) and audited
(``kind auth_failure``, in the token's tenant when the token names one). Successful and refused
tool calls are audited one row per call by the gate.

The SDK's session manager may run only once, and must run in the event loop that serves the
requests; ``running()`` (entered from the API lifespan) builds a fresh app per lifespan and
keys it by loop, so a test client and a live server can both serve one app object.
"""
from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from backend.mcp.gate import Gate
from backend.mcp.server import _SCOPE, build_server, transport_security
from backend.services.platform import access
from backend.services.platform.errors import RateLimited

PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource/mcp"


class McpHttp:
    def __init__(self, gate: Gate, public_base_url: str):
        self.gate = gate
        self.public_base_url = public_base_url
        self.server = build_server(gate, public_base_url=public_base_url)
        self._apps: dict[int, Starlette] = {}

    @asynccontextmanager
    async def running(self):
        app = self.server.streamable_http_app(streamable_http_path=PATH, stateless_http=True, json_response=True,
                                              transport_security=transport_security(self.public_base_url))
        loop = id(asyncio.get_running_loop())
        async with app.router.lifespan_context(app):
            self._apps[loop] = app
            try:
                yield
            finally:
                self._apps.pop(loop, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._apps.get(id(asyncio.get_running_loop()))
        state = scope.setdefault("state", {})
        state["channel"] = "mcp"
        if app is None:
            await _json(send, 503, {"error": {"code": "service_unavailable", "request_id": state.get("request_id"),
                                              "message": "The MCP server is not running in this process.",
                                              "details": {}}})
            return
        client = (scope.get("client") or ("unknown",))[0]
        status = {"code": None, "swallow": False}

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                if message["status"] == 401:
                    limited = state.get("rate_limited")
                    if limited is None and not state.get("auth_counted"):
                        try:
                            self.gate.limiter.failed_authentication(client)
                        except RateLimited as exc:
                            limited = exc
                    if limited is not None:
                        status.update(code=429, swallow=True)
                        await _json(send, 429, {"error": {"code": limited.code, "message": limited.message,
                                                          "request_id": state.get("request_id"),
                                                          "details": limited.details}}, headers=limited.headers)
                        return
            if status["swallow"]:
                return
            await send(message)

        token = _SCOPE.set(scope)
        try:
            await app(scope, receive, guarded_send)
        finally:
            _SCOPE.reset(token)
            if status["code"] in (401, 429) and scope["path"] == PATH:
                self._audit_refusal(scope, state, status["code"])

    def _audit_refusal(self, scope: Scope, state: dict, code: int) -> None:
        details = {"channel": "mcp", "path": scope["path"],
                   "error_code": state.get("error_code") or ("missing_token" if code == 401 else "rate_limited")}
        self.gate.writer.submit(access.request_row(
            now=self.gate.rt.clock(), request_id=state.get("request_id") or "", method=scope["method"][:8],
            route=PATH, status=code, action=None, actor=None, known=state.get("auth_failure"), details=details))


async def _json(send: Send, status: int, body: dict, headers: dict | None = None) -> None:
    raw = json.dumps(body).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hdrs += [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": raw})
