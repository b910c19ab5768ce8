"""The bounded field types every request body and query uses: one place for what is accepted.

Money, rates and factors travel as decimal strings of ASCII digits with bounded digits and scale
(a JSON number with a fraction has already gone through binary floating point and is refused);
dates stay within a range every calendar computation can handle; names and identifiers carry no
control or bidirectional-override characters; currencies are ISO 4217 codes. Anything else is a 400
naming the field as sent, before a service or the engine sees it.
"""
from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from backend.engine.money import (DATE_MAX, DATE_MIN, MAX_INTEGER_DIGITS, MAX_SCALE, is_iso_currency)

_INT = MAX_INTEGER_DIGITS
DECIMAL_PATTERN = rf"^-?[0-9]{{1,{_INT}}}(\.[0-9]{{1,{MAX_SCALE}}})?$"
UNSIGNED_PATTERN = rf"^[0-9]{{1,{_INT}}}(\.[0-9]{{1,{MAX_SCALE}}})?$"
RATE_PATTERN = rf"^-?[0-9]{{1,4}}(\.[0-9]{{1,{MAX_SCALE + 6}}})?$"
PERIOD_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$"


def _exact(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("expected a decimal string")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        raise ValueError('send amounts and rates as strings, e.g. "1234.50", so no precision is lost')
    return v


def _in_range(d: date) -> date:
    if not DATE_MIN <= d <= DATE_MAX:
        raise ValueError(f"date must be between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}")
    return d


def _currency(v: str) -> str:
    if not is_iso_currency(v):
        raise ValueError("not an ISO 4217 currency code (e.g. USD, EUR, GBP, JPY)")
    return v


# Cc control, Cf format (bidi overrides, zero-width), Cs surrogates, Co private use, Cn unassigned.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _plain_text(v: str) -> str:
    for ch in v:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise ValueError(f"contains an invisible or control character (U+{ord(ch):04X}); type it as plain text")
    if v != v.strip():
        raise ValueError("must not start or end with spaces")
    return v


def _fiscal_year_end(v: str) -> str:
    try:
        date.fromisoformat(f"2000-{v}")  # a leap year, so 02-29 is allowed and 02-30 is not
    except ValueError:
        raise ValueError("not a day of the year as MM-DD (e.g. 12-31 or 06-30)") from None
    return v


def _url(v: str) -> str:
    if any(ch.isspace() for ch in v) or not v.isascii():
        raise ValueError("a URL has no spaces and only ASCII characters (percent-encode the rest)")
    return v


Money = Annotated[str, BeforeValidator(_exact), Field(pattern=DECIMAL_PATTERN, examples=["12000.00"],
                                                      description="decimal string, ASCII digits")]
UnsignedMoney = Annotated[str, BeforeValidator(_exact), Field(pattern=UNSIGNED_PATTERN, examples=["12000.00"])]
Rate = Annotated[str, BeforeValidator(_exact), Field(pattern=RATE_PATTERN, examples=["0.05"],
                                                     description="annual, as a fraction: 0.05 = 5 %")]
Percent = Annotated[str, BeforeValidator(_exact), Field(pattern=r"^-?[0-9]{1,3}(\.[0-9]{1,6})?$",
                                                        description="in percent: 3 means 3 %", examples=["3"])]
FxRate = Annotated[str, BeforeValidator(_exact), Field(pattern=rf"^[0-9]{{1,9}}(\.[0-9]{{1,{MAX_SCALE + 6}}})?$",
                                                       examples=["1.0842"])]
Day = Annotated[date, AfterValidator(_in_range)]
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2026-01"], description="YYYY-MM")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"]), AfterValidator(_currency)]
Text = Annotated[str, AfterValidator(_plain_text)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
                 AfterValidator(_plain_text)]
FiscalYearEnd = Annotated[str, Field(pattern=r"^[0-9]{2}-[0-9]{2}$", examples=["12-31"]),
                          AfterValidator(_fiscal_year_end)]
Url = Annotated[str, Field(min_length=8, max_length=2048), AfterValidator(_url)]


def text(max_length: int, min_length: int = 0, **kw: Any) -> Any:
    """A plain-text field of bounded length (names, descriptions, identifiers)."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, **kw), AfterValidator(_plain_text)]

