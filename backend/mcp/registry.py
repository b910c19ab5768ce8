"""Tool declarations: a name, the permission-matrix action it needs, a one-line description,
examples, and a plain function ``fn(call, **arguments)`` that calls one service.

A tool module declares ``TOOLS = Tools()`` and decorates its functions with ``@TOOLS.tool(...)``;
``catalogue.ALL`` lists the modules. Adding a tool is one decorated function; adding a family of
tools (revenue contracts, disclosures) is one more module in the catalogue. Nothing here checks
a rule: the gate does authentication, budget, permission and audit through
``services.platform.access``, and the services do everything else.
"""
from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Callable

from pydantic import Field

from backend.auth.permissions import MATRIX
from backend.services.platform.context import Actor, Runtime

IdempotencyKey = Annotated[str | None, Field(
    max_length=255,
    description="Makes the call safe to retry: the same key with the same arguments within 24 h returns the "
                "stored result (idempotent_replayed: true) instead of doing it again; same key with other "
                "arguments is refused (idempotency_key_reused).")]


@dataclass(frozen=True)
class Call:
    """What a tool function receives: the runtime and the authenticated, authorised caller."""

    rt: Runtime
    actor: Actor


@dataclass(frozen=True)
class ToolSpec:
    name: str
    action: str  # an action of backend.auth.permissions.MATRIX
    fn: Callable[..., Any]
    description: str
    examples: tuple[dict, ...] = ()
    writes: bool = False  # takes an idempotency_key and is run at most once per key
    # A write tool that only writes for some arguments (engine.run writes unless dry_run).
    writes_unless: str | None = None

    def parameters(self) -> list[inspect.Parameter]:
        """The tool's arguments (everything after ``call``), with resolved annotations."""
        hints = typing.get_type_hints(self.fn, include_extras=True)
        params = list(inspect.signature(self.fn).parameters.values())[1:]
        out = [p.replace(annotation=hints[p.name], kind=inspect.Parameter.KEYWORD_ONLY) for p in params]
        if self.writes:
            out.append(inspect.Parameter("idempotency_key", inspect.Parameter.KEYWORD_ONLY, default=None,
                                         annotation=IdempotencyKey))
        return out

    def full_description(self) -> str:
        return f"{self.description} (permission: {self.action})"


@dataclass
class Tools:
    specs: list[ToolSpec] = field(default_factory=list)

    def tool(self, name: str, *, action: str, examples: list[dict] | None = None, writes: bool = False,
             writes_unless: str | None = None) -> Callable:
        if action not in MATRIX:
            raise KeyError(f"tool {name} names unknown action {action!r}")

        def decorate(fn: Callable) -> Callable:
            doc = (inspect.getdoc(fn) or "").strip().splitlines()
            if not doc:
                raise ValueError(f"tool {name} needs a one-line docstring")
            self.specs.append(ToolSpec(name, action, fn, doc[0], tuple(examples or ()), writes, writes_unless))
            return fn

        return decorate

    def expose(self, name: str, service: Callable, *, action: str, examples: list[dict] | None = None,
               args: dict[str, Any] | None = None, writes: bool = False, description: str | None = None) -> None:
        """A tool that is exactly one service call ``service(rt, actor, **arguments)``: one line per tool.

        The arguments are the service's own parameters after ``rt`` and ``actor`` (its type hints
        become the JSON schema); ``args`` replaces a hint with a richer one (descriptions, enums),
        and the first line of the service's docstring is the description unless one is given.
        """
        hints = typing.get_type_hints(service, include_extras=True)
        args = args or {}
        params = [p.replace(annotation=args.get(p.name, hints.get(p.name, Any)), kind=inspect.Parameter.KEYWORD_ONLY)
                  for p in list(inspect.signature(service).parameters.values())[2:]]

        def fn(call: Call, **arguments: Any) -> Any:
            return service(call.rt, call.actor, **arguments)

        fn.__signature__ = inspect.Signature([inspect.Parameter("call", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                                annotation=Call), *params])
        fn.__annotations__ = {"call": Call, **{p.name: p.annotation for p in params}}
        fn.__doc__ = description or inspect.getdoc(service)
        fn.__name__ = name.replace(".", "_")
        self.tool(name, action=action, examples=examples, writes=writes)(fn)

    def __iter__(self):
        return iter(self.specs)
