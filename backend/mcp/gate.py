"""Every tool call passes here: who is calling, may they, within budget, run once, audited.

Authentication, the budget and the permission check are ``services.platform.access`` — the
same functions REST's ``require(action)`` uses. Each call writes one audit row (``method
MCP``, ``route mcp:<tool>``, ``details.channel = "mcp"``, ``details.tool``) through the app's
group-commit writer, and every result carries the ``request_id`` of that row. Writes with an
``idempotency_key`` go through ``services.platform.idempotency`` like REST POSTs.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import replace
from typing import Any

from pydantic_core import to_jsonable_python

from backend.api.errors import INTERNAL_MESSAGE, status_for
from backend.engine.errors import EngineError
from backend.mcp.registry import Call, ToolSpec
from backend.services.platform import access, idempotency
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import ServiceError, Unauthenticated

log = logging.getLogger("ledger_layer.mcp")

CHANNEL = "mcp"


class Credentials:
    """How the caller of one tool call is known.

    Over HTTP the SDK's bearer middleware ran our token verifier for this very HTTP request
    (``verified`` is its Actor); on stdio the token comes from the environment and is
    authenticated on every call, so a revocation takes effect at once in both.
    """

    def __init__(self, *, verified: Actor | None = None, token: str | None = None, client: str = "unknown"):
        self.verified, self.token, self.client = verified, token, client


class Gate:
    def __init__(self, rt: Runtime, limiter: access.Limiter, writer):
        self.rt, self.limiter, self.writer = rt, limiter, writer

    def call(self, spec: ToolSpec, arguments: dict, creds: Credentials, *, request_id: str | None,
             mcp_request_id: str | None = None) -> tuple[bool, dict]:
        """Run one tool call; returns (is_error, payload). Synchronous: services are."""
        request_id = request_id or f"req_{uuid.uuid4().hex}"
        actor: Actor | None = None
        known: dict | None = None
        status, error_code, replayed = 200, None, False
        key = arguments.pop("idempotency_key", None)
        try:
            actor = self._actor(creds, request_id)
            budget = access.admit(self.limiter, actor, spec.action)
            result, replayed = self._run(spec, actor, arguments, key)
            payload = {"request_id": request_id, "tool": spec.name, "result": result,
                       "rate_limit": {k.removeprefix("X-RateLimit-").lower(): int(v) for k, v in budget.items()
                                      if k.startswith("X-RateLimit-")}}
            if replayed:
                payload["idempotent_replayed"] = True
            return False, payload
        except (ServiceError, EngineError) as exc:
            status, error_code, message, details = self._describe(exc)
            if isinstance(exc, Unauthenticated):
                known = getattr(exc, "known", None)
            return True, {"request_id": request_id, "tool": spec.name, "error": {
                "code": error_code, "message": message, "request_id": request_id, "details": details}}
        except Exception:
            log.exception("MCP tool %s failed (request_id=%s)", spec.name, request_id)
            status, error_code = 500, "internal_error"
            return True, {"request_id": request_id, "tool": spec.name, "error": {
                "code": "internal_error", "message": INTERNAL_MESSAGE, "request_id": request_id, "details": {}}}
        finally:
            self._audit(spec.name, spec.action, status, request_id, actor, known, mcp_request_id, error_code,
                        replayed)

    def reject(self, tool: str, action: str | None, creds: Credentials, message: str, *, request_id: str | None,
               mcp_request_id: str | None = None) -> dict:
        """A call the SDK refused before the gate (arguments not matching the schema, unknown tool):
        the same error shape, request id and audit row as any other refusal. No budget is spent."""
        request_id = request_id or f"req_{uuid.uuid4().hex}"
        actor, known = None, None
        try:
            actor = self._actor(creds, request_id)
        except Unauthenticated as exc:
            known = getattr(exc, "known", None)
        except ServiceError:
            pass
        status, code = (400, "invalid_arguments") if action else (404, "unknown_tool")
        self._audit(tool, action, status, request_id, actor, known, mcp_request_id, code, False)
        return {"request_id": request_id, "tool": tool, "error": {
            "code": code, "message": message, "request_id": request_id, "details": {}}}

    def _audit(self, tool: str, action: str | None, status: int, request_id: str, actor: Actor | None,
               known: dict | None, mcp_request_id: str | None, error_code: str | None, replayed: bool) -> None:
        details = {"channel": CHANNEL, "tool": tool, "path": "/mcp"}
        if mcp_request_id is not None:
            details["mcp_request_id"] = mcp_request_id
        if error_code:
            details["error_code"] = error_code
        if replayed:
            details["idempotent_replayed"] = True
        self.writer.submit(access.request_row(
            now=self.rt.clock(), request_id=request_id, method="MCP", route=f"mcp:{tool}"[:200], status=status,
            action=action, actor=actor, known=known, details=details))

    def _actor(self, creds: Credentials, request_id: str) -> Actor:
        if creds.verified is not None:
            return replace(creds.verified, request_id=request_id, channel=CHANNEL)
        authorization = f"Bearer {creds.token}" if creds.token else None
        return access.authenticate(self.rt, self.limiter, authorization, request_id=request_id, channel=CHANNEL,
                                   client=creds.client)

    def _run(self, spec: ToolSpec, actor: Actor, arguments: dict, key: str | None) -> tuple[Any, bool]:
        call = Call(self.rt, actor)

        def once() -> Any:
            return to_jsonable_python(spec.fn(call, **arguments))

        writes = spec.writes and not (spec.writes_unless and arguments.get(spec.writes_unless))
        key = idempotency.parse_key(key) if writes else None
        if key is None:
            return once(), False
        endpoint = f"MCP {spec.name}"

        def run() -> tuple[int, str, str]:
            body = json.dumps(once(), separators=(",", ":"))
            return 200, body, body

        outcome = idempotency.execute(self.rt, actor, endpoint=endpoint, key=key,
                                      fp=idempotency.fingerprint(endpoint, to_jsonable_python(arguments)), run=run)
        return json.loads(outcome.body), outcome.replayed

    @staticmethod
    def _describe(exc: Exception) -> tuple[int, str, str, Any]:
        if isinstance(exc, EngineError):
            details = dict(getattr(exc, "details", None) or {})
            if getattr(exc, "field", None):
                details.setdefault("field", exc.field)
            return 422, exc.code, exc.message, details
        return status_for(exc), exc.code, exc.message, to_jsonable_python(exc.details)
