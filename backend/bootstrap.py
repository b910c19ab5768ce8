"""Assemble the process-wide Runtime from settings (the CLI, the serving process, benchmarks)."""
from __future__ import annotations

from backend.services.platform.context import Runtime
from backend.settings import Settings


def build_runtime(settings: Settings | None = None) -> Runtime:
    return Runtime.from_settings(settings)
