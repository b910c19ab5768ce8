"""Service-level errors. Each carries a stable snake_case ``code`` and plain-words ``message``;
the API maps the class to an HTTP status in one table (``backend.api.errors``)."""
from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details if details is not None else {}
        self.headers = headers or {}


class InvalidInput(ServiceError):
    code = "validation_error"


class Unauthenticated(ServiceError):
    code = "unauthenticated"
    # What a refused token still names (set by identity; None when unknown), and those three as
    # ``known`` once access has seen the refusal: the audit puts it in that tenant's chain.
    tenant_id: str | None = None
    user_id: str | None = None
    token_id: str | None = None
    known: dict[str, str | None] | None = None


class Forbidden(ServiceError):
    code = "forbidden"


class NotFound(ServiceError):
    code = "not_found"


class Conflict(ServiceError):
    code = "conflict"


class Unprocessable(ServiceError):
    """The request is well-formed but a business or engine rule rejects it."""

    code = "unprocessable"


class RateLimited(ServiceError):
    code = "rate_limited"


class Unavailable(ServiceError):
    code = "service_unavailable"


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database could not be reached, dropped the
    connection or is busy — a restart, failover or lock wait, not a fault of the request: the door
    answers 503 with Retry-After. A programming error (no such table, bad SQL) is not one of these."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, DisconnectionError) or (isinstance(e, DBAPIError) and e.connection_invalidated):
            return True
        if isinstance(e, OperationalError):
            origin = type(e.orig).__module__
            if origin.startswith("psycopg") or "database is locked" in str(e.orig):
                return True
        e = e.__cause__ or e.__context__
    return False
