"""``ledger-layer mcp --stdio``: the same tools for desktop MCP clients, over stdin/stdout.

The token comes from ``LEDGER_MCP_TOKEN`` and goes through the same checks as over HTTP — it is
authenticated on start (a bad token fails at once, on stderr) and again on every tool call, so a
revocation or a deactivated user stops the next call; budgets, the permission matrix and the
audit trail (channel ``mcp``) apply unchanged. stdout carries the protocol only.
"""
from __future__ import annotations

import sys

import anyio

from backend.api.ratelimit import TokenRateLimiter
from backend.mcp.gate import Gate
from backend.mcp.server import build_server
from backend.services.platform import access
from backend.services.platform.audit_writer import AuditWriter
from backend.services.platform.context import Runtime
from backend.services.platform.errors import RateLimited, Unauthenticated

TOKEN_ENV = "LEDGER_MCP_TOKEN"


def run_stdio(rt: Runtime, token: str) -> int:
    limiter = TokenRateLimiter(rt.settings.redis_url)
    rt.audit_writer = rt.audit_writer or AuditWriter(rt)
    try:
        actor = access.authenticate(rt, limiter, f"Bearer {token}", request_id=None, channel="mcp", client="stdio")
    except (Unauthenticated, RateLimited) as exc:
        print(f"{TOKEN_ENV}: {exc.message}", file=sys.stderr)
        return 2
    print(f"Ledger Layer MCP on stdio as user {actor.user_id} ({actor.role}, {actor.actor_kind}), tenant "
          f"{actor.tenant_kind}.", file=sys.stderr)
    server = build_server(Gate(rt, limiter, rt.audit_writer), stdio_token=token)
    try:
        anyio.run(server.run_stdio_async)
    finally:
        rt.audit_writer.close()
        rt.db.dispose()
    return 0
