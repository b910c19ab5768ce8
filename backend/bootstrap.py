"""Assemble the process-wide Runtime from settings (used by the CLI, the ASGI entry point, tests)."""
from __future__ import annotations

from backend.db.session import Database
from backend.services.platform.context import Runtime
from backend.settings import Settings, get_settings


def build_runtime(settings: Settings | None = None) -> Runtime:
    settings = settings or get_settings()
    return Runtime(settings=settings, db=Database(settings.database_url), secret_key=settings.resolved_secret_key())


def asgi_app():
    """Entry point for `uvicorn --factory backend.bootstrap:asgi_app` (several processes)."""
    from backend.api.app import create_app

    return create_app(build_runtime())
