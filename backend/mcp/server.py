"""The MCP server (official ``mcp`` SDK, ``MCPServer``): tools from the catalogue, bearer tokens
verified by the SDK's ``TokenVerifier`` hook over our token table, every call through the gate.

Over HTTP the server runs stateless with JSON responses: each JSON-RPC message is one POST that
carries its own bearer token, so several API processes behind a load balancer serve one client
without sticky sessions, and a revoked token stops working on its next call.
"""
from __future__ import annotations

import contextvars
import functools
import inspect
import json
from typing import Any
from urllib.parse import urlsplit

import anyio
from mcp.server import MCPServer
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import ConfigDict

from backend import __version__
from backend.mcp.catalogue import all_tools
from backend.mcp.gate import Credentials, Gate
from backend.mcp.registry import ToolSpec
from backend.services.platform import access
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import RateLimited, Unauthenticated

INSTRUCTIONS = (
    "Ledger Layer: lease accounting (IFRS 16, ASC 842) and revenue recognition (IFRS 15, ASC 606). Start with "
    "portfolio.summary or needs_attention, find leases and contracts with portfolio.search, check drafts with "
    "lease.validate_enhanced or contract.validate_enhanced before lease.confirm or contract.confirm, "
    "preview events with engine.run (dry_run) and closes with close.preview. Money and rates are decimal "
    "strings. Every result carries a request_id for the audit trail. No tool approves, reverses, locks "
    "periods or changes configuration: approvals, reversals and period locks need a person, and agent tokens "
    "are refused on those REST endpoints (approval_requires_human).")

# The HTTP request being served, for the token verifier (which the SDK calls with the token only).
_SCOPE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("ledger_mcp_scope", default=None)


class LedgerAccessToken(AccessToken):
    """The SDK's access token, carrying the Actor our token service resolved."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    actor: Any = None


class LedgerTokenVerifier:
    """``TokenVerifier`` over the API-token table: the same ``access.authenticate`` as REST
    (hash lookup, revocation, deactivated users, tenant kind), failures counted per address."""

    def __init__(self, rt: Runtime, limiter: access.Limiter):
        self.rt, self.limiter = rt, limiter

    async def verify_token(self, token: str) -> AccessToken | None:
        scope = _SCOPE.get() or {}
        state = scope.setdefault("state", {})
        client = (scope.get("client") or ("unknown",))[0]
        try:
            actor: Actor = await anyio.to_thread.run_sync(functools.partial(
                access.authenticate, self.rt, self.limiter, f"Bearer {token}",
                request_id=state.get("request_id"), channel="mcp", client=client))
        except Unauthenticated as exc:
            state.update(auth_failure=exc.known, error_code=exc.code, auth_counted=True)
            return None
        except RateLimited as exc:
            state.update(rate_limited=exc, error_code="rate_limited", auth_counted=True)
            return None
        state["actor"] = actor
        return LedgerAccessToken(token=token, client_id=actor.token_id or actor.user_id, scopes=[actor.role],
                                 subject=actor.user_id, claims={"tenant_id": actor.tenant_id,
                                                                "actor_kind": actor.actor_kind}, actor=actor)


def _credentials(ctx, stdio_token: str | None) -> tuple[Credentials, str | None]:
    """The caller of this message: ``ctx`` is the tool's Context or the middleware's request context."""
    request = getattr(getattr(ctx, "request_context", ctx), "request", None)
    if request is None:  # stdio: the token from the environment, checked on every call
        return Credentials(token=stdio_token, client="stdio"), None
    user = request.scope.get("user")
    actor = getattr(getattr(user, "access_token", None), "actor", None) if isinstance(user, AuthenticatedUser) else None
    client = (request.scope.get("client") or ("unknown",))[0]
    return Credentials(verified=actor, client=client), (request.scope.get("state") or {}).get("request_id")


def _tool(spec: ToolSpec, gate: Gate, stdio_token: str | None) -> Tool:
    params = spec.parameters()
    ctx_param = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)

    async def handler(**kwargs: Any) -> CallToolResult:
        ctx: Context = kwargs.pop("ctx")
        creds, request_id = _credentials(ctx, stdio_token)
        is_error, payload = await anyio.to_thread.run_sync(functools.partial(
            gate.call, spec, kwargs, creds, request_id=request_id, mcp_request_id=ctx.request_id))
        return CallToolResult(content=[TextContent(type="text", text=json.dumps(payload, separators=(",", ":")))],
                              structured_content=payload, is_error=is_error)

    handler.__signature__ = inspect.Signature([*params, ctx_param])
    handler.__annotations__ = {p.name: p.annotation for p in params} | {"ctx": Context}
    handler.__name__ = spec.name.replace(".", "_")
    tool = Tool.from_function(
        handler, name=spec.name, description=spec.full_description(), structured_output=False,
        annotations=ToolAnnotations(title=spec.name, read_only_hint=not spec.writes, destructive_hint=False,
                                    idempotent_hint=not spec.writes, open_world_hint=False),
        meta={"ledger_layer/action": spec.action, "examples": list(spec.examples)})
    if spec.examples:
        tool.parameters["examples"] = list(spec.examples)
    return tool


def _refusals(gate: Gate, stdio_token: str | None, actions: dict[str, str]):
    """Server middleware: a ``tools/call`` the SDK refused before any tool ran (arguments that do
    not match the schema, an unknown tool) gets the gate's error shape, request id and audit row."""
    async def middleware(ctx, call_next):
        result = await call_next(ctx)  # the wire form (a dict) of the handler's result
        if ctx.method != "tools/call" or not isinstance(result, dict) or not result.get("isError") \
                or result.get("structuredContent") is not None:
            return result
        tool = str((ctx.params or {}).get("name") or "")
        creds, request_id = _credentials(ctx, stdio_token)
        content = result.get("content") or [{}]
        text = content[0].get("text", "") if isinstance(content[0], dict) else ""
        body = await anyio.to_thread.run_sync(functools.partial(
            gate.reject, tool, actions.get(tool), creds, text, request_id=request_id,
            mcp_request_id=None if ctx.request_id is None else str(ctx.request_id)))
        return {**result, "content": [{"type": "text", "text": json.dumps(body, separators=(",", ":"))}],
                "structuredContent": body}

    return middleware


def build_server(gate: Gate, *, public_base_url: str | None = None, stdio_token: str | None = None) -> MCPServer:
    """The MCP server. With ``public_base_url`` it is an OAuth resource server whose bearer tokens
    are our API tokens (HTTP); without, it trusts its transport (stdio, with ``stdio_token``)."""
    specs = all_tools()
    tools = [_tool(spec, gate, stdio_token) for spec in specs]
    auth = verifier = None
    if public_base_url:
        base = public_base_url.rstrip("/")
        auth = AuthSettings(issuer_url=base, resource_server_url=f"{base}/mcp", validate_token_resource=False)
        verifier = LedgerTokenVerifier(gate.rt, gate.limiter)
    return MCPServer("ledger-layer", title="Ledger Layer", instructions=INSTRUCTIONS, version=__version__,
                     tools=tools, token_verifier=verifier, auth=auth, log_level="WARNING",
                     middleware=[_refusals(gate, stdio_token, {s.name: s.action for s in specs})])


def transport_security(public_base_url: str) -> TransportSecuritySettings:
    """DNS-rebinding protection stays on: loopback plus the public host are the accepted Hosts."""
    u = urlsplit(public_base_url)
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    if u.hostname:
        hosts += [u.netloc, u.hostname, f"{u.hostname}:*"]
        origins += [f"{u.scheme}://{u.netloc}", f"{u.scheme}://{u.hostname}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)
