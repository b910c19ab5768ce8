"""Helpers shared by the MCP tests (a uniquely named module: `mcp` is the SDK's package)."""
from __future__ import annotations

import json


def payload(result) -> dict:
    """The structured payload of a tool result (also present as JSON text for plain clients)."""
    assert result.structured_content is not None
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content
