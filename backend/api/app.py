"""The FastAPI application factory."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend import __version__
from backend.api import errors
from backend.api.middleware import RequestContextMiddleware
from backend.api.ratelimit import TokenRateLimiter
from backend.api.routes import audit, entities, identity, platform
from backend.services.context import Runtime

TAGS = [
    {"name": "platform", "description": "Health, identity of the caller, sandbox reset"},
    {"name": "users", "description": "Users of the account (OWNER/ADMIN manage them)"},
    {"name": "tokens", "description": "API tokens: shown once, stored hashed, revocable at once"},
    {"name": "entities", "description": "Reporting entities and their enabled standards"},
    {"name": "audit", "description": "Append-only, hash-chained audit trail"},
]

# Every router of the public API; the permission-matrix test walks exactly these.
ROUTERS = [platform.router, identity.router, entities.router, audit.router]


def create_app(rt: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        rt.db.dispose()

    app = FastAPI(
        title="Ledger Layer API",
        version=__version__,
        description="Lease accounting (IFRS 16, ASC 842) and revenue recognition (IFRS 15, ASC 606). "
                    "Money is a decimal string; errors are `{\"error\": {code, message, request_id, details}}`.",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.rate_limiter = TokenRateLimiter(rt.settings.redis_url)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(RequestContextMiddleware, runtime=rt)
    return app
