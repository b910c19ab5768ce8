"""Reading JSON-like engine input: ``FieldCollector`` collects every field problem with its path.

Shared by every source's parser (leases, revenue contracts, events) so codes and messages read the
same everywhere. Each reader returns the parsed value (or the default) and records a
``{"field", "code", "message"}`` problem instead of raising; the parser raises its source's
``Invalid…Input`` with ``collector.errors`` once it has looked at every field.
"""

from __future__ import annotations

import datetime as _dt
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from .money import DATE_MAX, DATE_MIN, MAX_INTEGER_DIGITS, MAX_SCALE, D, date_in_range, within_bounds

__all__ = ["FieldCollector"]


class FieldCollector:
    """Collects every field problem (path, code, message) so the caller sees them all at once."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def add(self, field_: str, code: str, message: str) -> None:
        self.errors.append({"field": field_, "code": code, "message": message})

    def date(self, data: Mapping[str, Any], key: str, path: str, required: bool = True) -> _dt.date | None:
        v = data.get(key)
        if v is None or v == "":
            if required:
                self.add(path, "required", f"{path} is required (YYYY-MM-DD).")
            return None
        d = v if isinstance(v, date) else None
        if isinstance(v, str):
            try:
                d = date.fromisoformat(v.strip())
            except ValueError:
                pass
        if d is None:
            self.add(path, "invalid_date", f"{path} must be a date as YYYY-MM-DD, got {v!r}.")
        elif not date_in_range(d):
            self.add(path, "date_out_of_range",
                     f"{path} must be between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}.")
            return None
        return d

    def money(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False,
              default: Decimal | None = None, non_negative: bool = False) -> Decimal | None:
        v = data.get(key)
        if v is None or v == "":
            if required:
                self.add(path, "required", f"{path} is required.")
            return default
        try:
            d = D(v)
        except (TypeError, ValueError):
            self.add(path, "invalid_number",
                     f"{path} must be a number written as a string or integer, got {v!r}.")
            return default
        if not within_bounds(d):
            self.add(path, "number_out_of_range",
                     f"{path} may have at most {MAX_INTEGER_DIGITS} digits before the decimal point and "
                     f"{MAX_SCALE} after it.")
            return default
        if non_negative and d < 0:
            self.add(path, "negative_amount", f"{path} must not be negative.")
        return d

    def integer(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False,
                minimum: int = 1) -> int | None:
        v = data.get(key)
        if v is None or v == "":
            if required:
                self.add(path, "required", f"{path} is required.")
            return None
        try:
            if isinstance(v, bool) or isinstance(v, float):
                raise TypeError
            d = D(v) if not isinstance(v, int) else Decimal(v)
            if d != d.to_integral_value():
                raise ValueError
            i = int(d)
        except (TypeError, ValueError):
            self.add(path, "invalid_integer", f"{path} must be a whole number, got {v!r}.")
            return None
        if i < minimum:
            self.add(path, "out_of_range", f"{path} must be at least {minimum}.")
            return None
        return i

    def boolean(self, data: Mapping[str, Any], key: str, path: str, default: bool | None = False) -> bool | None:
        v = data.get(key)
        if v is None or v == "":
            return default
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
            return v.strip().lower() in ("true", "yes", "1")
        self.add(path, "invalid_boolean", f"{path} must be true or false, got {v!r}.")
        return default

    def choice(self, data: Mapping[str, Any], key: str, path: str, options: tuple[str, ...],
               default: str | None) -> str | None:
        v = data.get(key)
        if v is None or v == "":
            return default
        if isinstance(v, str) and v.strip() in options:
            return v.strip()
        self.add(path, "invalid_choice", f"{path} must be one of {', '.join(options)}, got {v!r}.")
        return default

    def text(self, data: Mapping[str, Any], key: str, path: str, required: bool = False, default: str = "") -> str:
        v = data.get(key)
        if v is None or v == "":
            if required:
                self.add(path, "required", f"{path} is required.")
            return default
        return str(v).strip()
