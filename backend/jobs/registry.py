"""Job handlers by kind.

A handler is ``fn(rt, job: ClaimedJob) -> dict`` (the JSON result stored on the job). Delivery is
at-least-once — a worker can die after the handler's writes committed but before the job was
marked done, and the job then runs again — so every handler MUST be idempotent: running it twice
leaves the same state as running it once (upserts, compare-and-set, or a check for work already
done). Raise ``PermanentJobError`` (or let an ``EngineError`` out) when retrying cannot help.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

Handler = Callable[[Any, Any], dict]

_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``kind``; one handler per kind."""

    def register(fn: Handler) -> Handler:
        if kind in _HANDLERS and _HANDLERS[kind] is not fn:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        _HANDLERS[kind] = fn
        return fn

    return register


_GIVE_UP: dict[str, Callable[[Any, Any, str, str], None]] = {}


def on_give_up(kind: str) -> Callable:
    """Register ``fn(rt, job, code, message)``, called once when a job of ``kind`` ends ``failed`` or
    ``dead`` (no more retries): the place to tell the outside world (e.g. an ``engine.failed`` event)."""

    def register(fn):
        _GIVE_UP[kind] = fn
        return fn

    return register


def give_up_hook(kind: str):
    return _GIVE_UP.get(kind)


def get(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def kinds() -> list[str]:
    return sorted(_HANDLERS)


def load(modules: list[str]) -> None:
    """Import modules whose import registers handlers (``ledger-layer worker --import``)."""
    for name in modules:
        importlib.import_module(name)
