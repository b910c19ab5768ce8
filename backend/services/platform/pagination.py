"""Keyset pagination with opaque, signed cursors bound to the filters they were issued for.

Order is (sort key, id) with a strict tuple comparison, so rows sharing a timestamp are neither
skipped nor repeated, and rows inserted during a walk sort outside the part still to be read
(shared/reference/api-platform.md "Pagination").
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Generic, Sequence, TypeVar

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, and_, func, or_
from sqlalchemy.orm import Session

from backend.services.platform.errors import InvalidInput

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page(Generic[T]):
    data: Sequence[T]
    total_count: int
    has_more: bool
    next_cursor: str | None

    def to_dict(self) -> dict[str, Any]:
        """The list envelope every door answers with."""
        return {"data": self.data, "total_count": self.total_count, "has_more": self.has_more,
                "next_cursor": self.next_cursor}


@dataclass(frozen=True)
class SortSpec:
    field: str
    descending: bool

    @classmethod
    def parse(cls, text: str | None, allowed: Sequence[str], default: str = "created_at:desc") -> "SortSpec":
        raw = text or default
        name, _, direction = raw.partition(":")
        direction = direction or "desc"
        if name not in allowed or direction not in ("asc", "desc"):
            raise InvalidInput(
                f"sort must be one of {', '.join(f'{a}:asc|desc' for a in allowed)}",
                code="invalid_sort", details=[{"field": "sort", "code": "invalid_sort", "message": f"got {raw!r}"}],
            )
        return cls(name, direction == "desc")


def _filters_fingerprint(filters: dict[str, Any], sort: SortSpec) -> str:
    body = json.dumps({"f": filters, "s": [sort.field, sort.descending]}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


def _encode_key(value: Any) -> Any:
    return {"dt": value.isoformat()} if isinstance(value, datetime) else value


def _decode_key(value: Any) -> Any:
    return datetime.fromisoformat(value["dt"]) if isinstance(value, dict) and "dt" in value else value


def _bad_cursor(reason: str) -> InvalidInput:
    return InvalidInput(
        f"The cursor is not valid for this request ({reason}). Start again without a cursor.",
        code="invalid_cursor", details=[{"field": "cursor", "code": "invalid_cursor", "message": reason}],
    )


def paginate(
    session: Session,
    stmt: Select,
    model: Any,
    *,
    secret_key: str,
    sort: SortSpec,
    limit: int,
    cursor: str | None,
    filters: dict[str, Any],
    view: Callable[[Any], Any] | None = None,
) -> Page:
    """Run ``stmt`` (already filtered) one page at a time, newest or oldest first; ``view`` renders
    each row (inside the caller's session) as the API returns it."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", code="invalid_limit",
                           details=[{"field": "limit", "code": "invalid_limit", "message": f"got {limit}"}])
    serializer = URLSafeSerializer(secret_key, salt="ledger-layer.cursor")
    fingerprint = _filters_fingerprint(filters, sort)
    col, id_col = getattr(model, sort.field), model.id

    page_stmt = stmt
    if cursor:
        try:
            payload = serializer.loads(cursor)
        except BadSignature:
            raise _bad_cursor("it was altered or issued by another server") from None
        if payload.get("f") != fingerprint:
            raise _bad_cursor("it was issued for other filters or another sort")
        last_key, last_id = _decode_key(payload["k"]), payload["id"]
        if sort.descending:
            page_stmt = page_stmt.where(or_(col < last_key, and_(col == last_key, id_col < last_id)))
        else:
            page_stmt = page_stmt.where(or_(col > last_key, and_(col == last_key, id_col > last_id)))
    order = (col.desc(), id_col.desc()) if sort.descending else (col.asc(), id_col.asc())
    rows = session.scalars(page_stmt.order_by(*order).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if cursor is None and not has_more:
        total = len(rows)  # the first page holds every row: no COUNT round trip
    else:
        # COUNT over the same FROM/WHERE, without wrapping the statement in a subquery.
        total = session.scalar(stmt.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)) or 0
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = serializer.dumps({"k": _encode_key(getattr(last, sort.field)), "id": last.id, "f": fingerprint})
    return Page([view(r) for r in rows] if view else rows, total or 0, has_more, next_cursor)


def contains_text(text: str, *columns: Any) -> Any:
    """A case-insensitive "contains" over nullable text columns (a search box's filter)."""
    pattern = f"%{text.lower()}%"
    return or_(*(func.lower(func.coalesce(c, "")).like(pattern) for c in columns))
