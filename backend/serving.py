"""The composition root of a serving process: the API app plus, when configured, the in-process
job worker. The app factory knows nothing of the worker (no api → jobs.worker → bootstrap → api
loop); `ledger-layer serve` and the uvicorn factory below put them together."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.api.app import create_app
from backend.bootstrap import build_runtime
from backend.jobs.worker import start_background
from backend.services.platform.context import Runtime


def serving_app(rt: Runtime) -> FastAPI:
    """The API with the job worker running inside it while it serves (if ``worker_in_process``)."""
    app = create_app(rt)
    if not rt.settings.worker_in_process:
        return app
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI):
        worker = start_background(rt)
        try:
            async with inner(a):
                yield
        finally:
            await asyncio.to_thread(worker.stop)  # lets the job in hand finish

    app.router.lifespan_context = lifespan
    return app


def asgi_app() -> FastAPI:
    """Entry point for `uvicorn --factory backend.serving:asgi_app` (several processes)."""
    return serving_app(build_runtime())
