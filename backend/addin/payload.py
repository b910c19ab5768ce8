"""The add-in's request: xlwings book JSON plus the action's arguments, checked before use.

Caps keep one request from tying up a worker: the body size is checked while it is read
(``read_capped``), the structure here, and the cell counts again by ``grid_from_book_json``.
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backend.services.platform.errors import InvalidInput

MAX_BODY_BYTES = 20 * 1024 * 1024  # a 10,000 × 20 sheet is about 1.7 MB of JSON
MAX_SHEETS = 255
Cell = str | int | float | bool | None


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"
    http_status = 413


class SheetIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1, max_length=31)
    values: list[list[Cell]]
    # xlwings needs these lists (a missing one is a KeyError later, when a table is added).
    tables: list[dict[str, Any]]
    pictures: list[dict[str, Any]]
    charts: list[dict[str, Any]]
    shapes: list[dict[str, Any]]
    pivot_tables: list[dict[str, Any]]
    # Cell notes (ExcelApi 1.18): [{"address", "text"}]; None when the host cannot read them.
    notes: list[dict[str, Any]] | None = None


class BookInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    active_sheet_index: int = Field(ge=0)
    selection: str | None = None


class BookPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    client: str = Field(pattern="^Office\\.js$")
    version: str
    book: BookInfo
    names: list[dict[str, Any]]
    sheets: list[SheetIn] = Field(min_length=1, max_length=MAX_SHEETS)
    args: dict[str, Any] = Field(default_factory=dict)

    @property
    def active_sheet(self) -> SheetIn:
        return self.sheets[min(self.book.active_sheet_index, len(self.sheets) - 1)]


def parse(raw: bytes) -> tuple[BookPayload, dict]:
    """Validate the body; returns the model and the plain dict handed to xlwings."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The add-in sent something that is not JSON. Reload the task pane and try again.",
                           code="invalid_book_json") from None
    try:
        model = BookPayload.model_validate(data)
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "code": e["type"], "message": e["msg"]}
                   for e in exc.errors()[:20]]
        raise InvalidInput("The workbook data from the add-in is incomplete or malformed. Reload the task pane "
                           "(it may be an old version) and try again.", code="invalid_book_json",
                           details=details) from None
    return model, data


async def read_capped(request, cap: int | None = None) -> bytes:
    """The request body, refusing more than ``cap`` bytes without reading them all."""
    cap = cap or MAX_BODY_BYTES
    size = request.headers.get("content-length")
    if size and size.isdigit() and int(size) > cap:
        raise _too_large(cap)
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > cap:
            raise _too_large(cap)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(cap: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The workbook data is larger than {cap // (1024 * 1024)} MB. Select fewer rows, or "
                           "move finished leases to another workbook.", code="payload_too_large")
