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
