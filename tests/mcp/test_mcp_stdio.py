"""``ledger-layer mcp --stdio`` with the SDK's stdio client: same tools, same checks, same audit."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from mcp_helpers import payload

ROOT = Path(__file__).resolve().parents[2]


def _params(settings, token: str) -> StdioServerParameters:
    env = {"LEDGER_DATABASE_URL": settings.database_url, "LEDGER_SECRET_KEY": settings.secret_key,
           "LEDGER_MCP_TOKEN": token, "PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "")}
    return StdioServerParameters(command=sys.executable, args=["-c", "from backend.cli import app; app()", "mcp",
                                                               "--stdio"], env=env, cwd=str(ROOT))


def test_stdio_serves_the_tools_with_the_same_checks(settings, client, demo, make_user, audit_rows):
    _, reviewer = make_user("REVIEWER", "agent")
    token_id = client.get("/v1/me", headers={"Authorization": f"Bearer {reviewer}"}).json()["token_id"]

    async def run():
        async with stdio_client(_params(settings, reviewer)) as (read, write):
            async with ClientSession(read, write) as s:
                await s.initialize()
                names = {t.name for t in (await s.list_tools()).tools}
                ok = payload(await s.call_tool("portfolio.summary", {}))
                refused = payload(await s.call_tool("lease.confirm", {"lease_ids": ["01ZZZZZZZZZZZZZZZZZZZZZZZZ"]}))
                # Revoked while the desktop client is connected: the very next call is refused.
                r = client.delete(f"/v1/tokens/{token_id}", headers=demo.headers())
                assert r.status_code == 200, r.text
                after = payload(await s.call_tool("portfolio.summary", {}))
                return names, ok, refused, after

    names, ok, refused, after = anyio.run(run)
    assert "portfolio.search" in names and "lease.confirm" in names
    assert ok["result"]["leases_by_entity"] is not None and ok["request_id"].startswith("req_")
    assert refused["error"]["code"] == "forbidden"
    assert after["error"]["code"] == "token_revoked"
    for _ in range(50):  # the subprocess's audit writer commits within milliseconds
        rows = audit_rows(request_id=refused["request_id"])
        if rows:
            break
        time.sleep(0.1)
    assert rows[0]["details"]["channel"] == "mcp" and rows[0]["route"] == "mcp:lease.confirm"
    assert rows[0]["outcome"] == "denied"


def test_stdio_refuses_to_start_without_a_valid_token(settings):
    import subprocess

    p = _params(settings, "ll_test_nonsense")
    out = subprocess.run([p.command, *p.args], env=p.env, cwd=p.cwd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "LEDGER_MCP_TOKEN" in out.stderr and out.stdout == ""
