"""The MCP channel: tools for AI agents over the same services, permission matrix, rate limits
and audit trail as REST. Streamable HTTP at ``/mcp`` (mounted in the API app) and
``ledger-layer mcp --stdio`` for desktop clients."""
