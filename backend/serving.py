"""The composition root of a serving process: the API app plus, when configured, the in-process
job worker. The app factory knows nothing of the worker (no api → jobs.worker → bootstrap → api
loop); `ledger-layer serve` and the uvicorn factory below put them together."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.api.app import create_app
from backend.bootstrap import build_runtime
from backend.jobs.worker import WorkerPool, default_worker_processes, start_background
from backend.services.platform.context import Runtime


def serving_app(rt: Runtime, workers: int | None = None, *, imports: list[str] | None = None) -> FastAPI:
    """The API with job workers running while it serves (unless ``worker_in_process`` is off):
    one thread inside the process for ``workers=1``, else that many worker processes beside it
    (default: ``LEDGER_WORKER_PROCESSES``, or one per core). ``imports``: modules the worker
    processes import first (more handlers, as ``ledger-layer worker --import``)."""
    app = create_app(rt)
    if not rt.settings.worker_in_process:
        return app
    count = workers or rt.settings.worker_processes or default_worker_processes()
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI):
        worker = start_background(rt) if count <= 1 else WorkerPool(count, rt.settings, imports=imports).start()
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
