"""The FastAPI application factory."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backend import __version__
from backend.api import docs_ui, errors, openapi_docs, postman
from backend.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from backend.api.ratelimit import TokenRateLimiter
from backend.api.routes import (addin, audit, disclosures, engine, entities, identity, jobs, journals,
                                lease_config, leases, platform, revenue, revenue_addin, webhooks)
from backend.dashboard import router as dashboard_router
from backend.mcp.gate import Gate
from backend.mcp.http import METADATA_PATH as MCP_METADATA_PATH, PATH as MCP_PATH, McpHttp
from backend.services.platform.audit_writer import AuditWriter
from backend.services.platform.context import Runtime

TAGS = [
    {"name": "platform", "description": "Health, identity of the caller, sandbox reset"},
    {"name": "users", "description": "Users of the account (OWNER/ADMIN manage them)"},
    {"name": "tokens", "description": "API tokens: shown once, stored hashed, revocable at once"},
    {"name": "entities", "description": "Reporting entities and their enabled standards"},
    {"name": "audit", "description": "Append-only, hash-chained audit trail"},
    {"name": "leases", "description": "Lease drafts, validation, confirmation, schedules"},
    {"name": "lease configuration", "description": "Lease policy, IBR matrix, FX rates, period locks"},
    {"name": "engine", "description": "Engine runs with lineage, monthly close"},
    {"name": "revenue", "description": "Revenue contracts (IFRS 15 / ASC 606): drafts, extract, confirm, runs, "
                                       "schedules, RPO, dead-letter queue, SSP matrix, policy snapshots, period "
                                       "locks, close, journals"},
    {"name": "journals", "description": "Journal entries: approval (four eyes), reversal, posting, summary, ERP export; account mapping"},
    {"name": "jobs", "description": "Asynchronous jobs (engine runs, closes): status and progress"},
    {"name": "webhooks", "description": "Signed event deliveries (Standard Webhooks) to subscribed URLs, with retries "
                                        "over 24 h and a delivery log; see docs/webhooks.md"},
    {"name": "disclosures", "description": "Disclosure packs (IFRS 16 / ASC 842; IFRS 15 / ASC 606) as JSON or XLSX, "
                                           "tied out to the ledger, with auditor narrative overrides"},
    {"name": "excel add-in", "description": "The Excel task pane's calls: xlwings book JSON in, actions out "
                                            "(needs XLWINGS_LICENSE_KEY; the manifest is at /addin/manifest.xml)"},
]

# Every router of the public API; the permission-matrix test walks exactly these.
ROUTERS = [platform.router, identity.router, entities.router, audit.router, jobs.router, leases.router,
           lease_config.router, engine.router, webhooks.router, journals.router, addin.router, disclosures.router,
           revenue.router, revenue_addin.router]


def plain_root_logging() -> None:
    """Plain log lines unless the host already configured logging. Without this the MCP SDK's
    server (built below) calls ``logging.basicConfig`` with a rich handler whose syntax-highlighted
    tracebacks took 3-5 s of CPU each, on the event loop (the error middleware logs there): while a
    database restart produced errors, every request of the process waited behind them for up to
    40 s (found by tests/faults). Plain formatting of a traceback takes milliseconds."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def create_app(rt: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with app.state.mcp.running():  # the MCP SDK's session manager lives as long as the app
            yield
        rt.audit_writer.flush()
        rt.db.dispose()

    app = FastAPI(
        redirect_slashes=False,  # a missing path id is a 404 in the error shape, not a redirect
        title="Ledger Layer API",
        version=__version__,
        description="Lease accounting (IFRS 16, ASC 842) and revenue recognition (IFRS 15, ASC 606). "
                    "Money is a decimal string; errors are `{\"error\": {code, message, request_id, details}}`.",
        openapi_url="/v1/openapi.json",
        docs_url=None,  # served offline by docs_ui
        redoc_url=None,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.rate_limiter = TokenRateLimiter(rt.settings.redis_url)
    errors.install(app)
    openapi_docs.install(app)
    docs_ui.install(app)
    postman.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(dashboard_router)  # /dashboard: server-rendered pages over the same services
    app.include_router(addin.public)  # /addin/manifest.xml, before the static mount below
    if addin.ADDIN_DIR.is_dir():  # the task pane's static files (a source checkout; see backend/addin)
        app.mount("/addin", StaticFiles(directory=addin.ADDIN_DIR), name="addin")
    rt.audit_writer = rt.audit_writer or AuditWriter(rt)
    # /mcp: the MCP tools (official SDK, streamable HTTP) over the same services, limiter and audit writer.
    plain_root_logging()
    app.state.mcp = McpHttp(Gate(rt, app.state.rate_limiter, rt.audit_writer), rt.settings.public_base_url)
    for path in (MCP_PATH, MCP_METADATA_PATH):
        app.router.add_route(path, app.state.mcp, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    app.add_middleware(BodyLimitMiddleware)  # inside the request context: its 413 carries the request id
    app.add_middleware(RequestContextMiddleware, runtime=rt, writer=rt.audit_writer)
    return app
