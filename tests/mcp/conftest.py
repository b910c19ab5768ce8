"""MCP tests talk to the running app over HTTP with the SDK's own client (``streamable_http_client``
+ ``ClientSession``), exactly as a remote agent does."""
from __future__ import annotations

from contextlib import asynccontextmanager

import anyio
import httpx2
import pytest
from mcp_helpers import payload  # noqa: F401  (re-exported for the tests)
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client


@asynccontextmanager
async def connect(base_url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
        async with streamable_http_client(f"{base_url}/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


class Mcp:
    """Synchronous helper: one SDK session per ``calls`` batch against the live server."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def calls(self, token: str | None, batch: list[tuple[str, dict]]) -> list[tuple[bool, dict]]:
        async def run():
            out = []
            async with connect(self.base_url, token) as s:
                for name, args in batch:
                    r = await s.call_tool(name, args)
                    out.append((bool(r.is_error), payload(r)))
            return out

        return anyio.run(run)

    def call(self, token: str | None, name: str, args: dict | None = None) -> tuple[bool, dict]:
        return self.calls(token, [(name, args or {})])[0]

    def ok(self, token: str, name: str, args: dict | None = None) -> dict:
        is_error, body = self.call(token, name, args)
        assert not is_error, body
        return body["result"]

    def list_tools(self, token: str):
        async def run():
            async with connect(self.base_url, token) as s:
                return (await s.list_tools()).tools

        return anyio.run(run)


@pytest.fixture
def mcp(live_server) -> Mcp:
    return Mcp(live_server)


def office_lease(external_id: str = "NYC-01", **over) -> dict:
    base = {
        "entity": "DEMO-US", "external_id": external_id, "description": "Office", "asset_class": "property",
        "currency": "USD", "commencement_date": "2026-01-01", "end_date": "2028-12-31",
        "payments": [{"from": "2026-01-01", "to": "2028-12-01", "amount": "10000.00", "frequency": "monthly",
                      "timing": "advance"}],
        "discount_rate": "0.06", "useful_life_months": 120, "fair_value": "900000.00",
    }
    base.update(over)
    return base


@pytest.fixture
def make_lease(client, demo):
    def _make(**over) -> dict:
        r = client.post("/v1/leases", headers=demo.headers(), json=office_lease(**over))
        assert r.status_code == 201, r.text
        return r.json()

    return _make


@pytest.fixture
def audit_rows(client, demo):
    def _rows(**filters) -> list[dict]:
        r = client.get("/v1/audit-events", headers=demo.headers(), params={"limit": 200, **filters})
        assert r.status_code == 200, r.text
        return r.json()["data"]

    return _rows
