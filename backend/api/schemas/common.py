"""Shared response shapes: the error body and the cursor page."""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ErrorDetail(BaseModel):
    code: str = Field(examples=["validation_error"])
    message: str = Field(examples=["Some fields are invalid: email."])
    request_id: str | None = Field(examples=["req_5f2c0d0e9b7a4c55b1f7f0f4a1c2d3e4"])
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class Page(BaseModel, Generic[T]):
    data: list[T]
    total_count: int
    has_more: bool
    next_cursor: str | None = Field(None, description="Opaque; pass back as `cursor` with the same filters")


ERROR_RESPONSES: dict[int | str, dict] = {
    code: {"model": ErrorBody, "description": desc}
    for code, desc in {
        400: "Invalid input; `details` lists each field", 401: "Missing, invalid or revoked token",
        403: "The token's role may not do this", 404: "Not found (or not in this tenant)",
        409: "Conflict with the current state", 422: "A business or engine rule rejected the request",
        429: "Rate limit reached; see Retry-After",
    }.items()
}
