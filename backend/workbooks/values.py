"""Tolerant cell-value parsing: dates, amounts, percentages, whole numbers, yes/no.

Each parser takes a grid cell value and returns the engine's representation, raising
``CellProblem`` (an error for that cell) or appending ``(code, message)`` warnings.
Messages are fragments in plain words; the sheet parser prefixes the cell address.

Dates (the policy, decided once here):
- date/datetime cells are taken as they are; numbers are Excel serials (1900 system, with
  Lotus's phantom 29 Feb 1900 refused; 1904 system when the workbook says so), or
  ``YYYYMMDD`` integers.
- Text: ISO ``2026-01-31`` (time part ignored), ``2026/01/31``, ``31.01.2026`` (dots are
  always day-first), month names (``31 Jan 2026``, ``January 31, 2026``), and numeric
  ``a/b/yyyy`` or ``a-b-yyyy``. When a or b is above 12 the order is clear. Otherwise the
  order is the caller's locale if given; else the order the file's other unambiguous text
  dates show; else day-first — and in the last two cases each ambiguous date gets a warning.
- Two-digit years are read as 20yy with a warning (Excel's 1930–2029 pivot would put a
  2035 lease end in 1935).

Numbers from calamine are binary floats. ``Decimal(repr(x))`` gives the shortest decimal
that round-trips to the same float, which is exactly what a person typed for any value of
up to 15 significant digits; longer expansions (``0.30000000000000004`` from a formula) are
rounded to 15 significant digits, the precision Excel itself displays.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from .grid import Uncalculated

EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
                          "#UNKNOWN!", "#N/A!"})

DMY, MDY = "DMY", "MDY"
_MONTHS = {m: i for i, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for m in names}
_MONTH_NAMES = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]

_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_YMD_SLASH_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_NUMERIC_RE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DAY_MONTH_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-./]*([a-z]+)\.?[\s\-.,/]*(\d{2}|\d{4})$")
_MONTH_DAY_RE = re.compile(r"^([a-z]+)\.?[\s\-./]*(\d{1,2})(?:st|nd|rd|th)?,?[\s\-./]+(\d{2}|\d{4})$")

_SERIAL_MAX = 2958465  # 9999-12-31
_MAX_PARSED_TEXT = 100  # no date or amount is longer; keeps the patterns below cheap on hostile text


class CellProblem(Exception):
    """The cell cannot be used; ``code`` and a plain-words ``message`` fragment."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ReadOptions:
    """How to read ambiguous text. ``date_order`` ``"DMY"``/``"MDY"``/None and
    ``decimal_comma`` True/False/None (None: decide from the text, warn when unclear)."""

    date_order: str | None = None
    decimal_comma: bool | None = None
    date1904: bool = False
    inferred_order: str | None = None       # from the file's unambiguous text dates
    inferred_from: str | None = None        # e.g. "Leases!E9 (31/01/2026)"


_MDY_REGIONS = {"US", "PH", "FM", "MH", "PW", "BZ"}
_COMMA_LANGS = {"de", "fr", "es", "it", "nl", "pt", "da", "sv", "nb", "nn", "no", "fi", "pl", "cs", "sk", "ru",
                "uk", "tr", "id", "ro", "hu", "el", "bg", "hr", "sl", "sr", "lt", "lv", "et", "vi", "is"}


def options_for_locale(locale: str | None, date1904: bool = False) -> ReadOptions:
    """``"en-US"`` → month first, decimal point; ``"de-DE"`` → day first, decimal comma;
    ``"en-GB"`` → day first, decimal point. ``None`` → infer and warn."""
    if not locale:
        return ReadOptions(date1904=date1904)
    parts = re.split(r"[-_]", locale.strip())
    lang = parts[0].lower()
    region = parts[1].upper() if len(parts) > 1 else ""
    order: str | None = MDY if region in _MDY_REGIONS or (lang == "en" and not region) else DMY
    if lang == "en" and not region:
        order = None  # plain "en" says nothing about the date order
    return ReadOptions(date_order=order, decimal_comma=lang in _COMMA_LANGS, date1904=date1904)


def check_usable(v: object) -> None:
    """Raise for Excel error values and formulas without a saved result."""
    if isinstance(v, Uncalculated):
        raise CellProblem("formula_without_value",
                          f"the cell holds a formula ({v.formula}) with no saved result. Open the file in Excel, "
                          "let it calculate and save it again, or type the value.")
    if isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS:
        raise CellProblem("cell_error", f"the cell shows the Excel error {v.strip().upper()}; fix the formula "
                                        "or type the value.")


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def float_to_decimal(x: float) -> Decimal:
    """A float from Excel as the decimal the user sees (see the module docstring)."""
    if x != x or x in (float("inf"), float("-inf")):
        raise CellProblem("invalid_number", "the number is not finite")
    d = Decimal(repr(x))
    if len(d.as_tuple().digits) > 15:
        d = Decimal(format(d, ".15g")).normalize()
    return d


def plain(d: Decimal) -> str:
    """Decimal as a plain string without exponent or trailing zeros beyond the value
    (``Decimal("1E+3")`` → ``"1000"``, ``Decimal("12.50")`` stays ``"12.50"``)."""
    exponent = d.as_tuple().exponent  # an int for a finite d (the only kind read from a cell)
    if d == d.to_integral_value() and isinstance(exponent, int) and exponent > 0:
        return str(d.quantize(Decimal(1)))
    s = format(d, "f")
    return s


# ---------------------------------------------------------------- dates


def _make_date(y: int, m: int, d: int, shown: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise CellProblem("invalid_date", f"the date '{shown}' is not a real date") from None


def serial_to_date(n: float, date1904: bool = False) -> date:
    whole = int(n)
    if date1904:
        if not 0 <= whole <= _SERIAL_MAX - 1462:
            raise CellProblem("invalid_date", f"the number {n:g} is not a date Excel can show")
        return date(1904, 1, 1) + timedelta(days=whole)
    if not 1 <= whole <= _SERIAL_MAX:
        raise CellProblem("invalid_date", f"the number {n:g} is not a date Excel can show")
    if whole == 60:
        raise CellProblem("invalid_date", "serial 60 is 29 February 1900, a day that never existed "
                                          "(a leap-year bug Excel kept from Lotus 1-2-3)")
    # Serials below 60 count from 31 Dec 1899; above, the phantom 29 Feb 1900 shifts them by one.
    return date(1899, 12, 31 if whole < 60 else 30) + timedelta(days=whole)


def numeric_text_date(s: str) -> tuple[int, int, str, str] | None:
    """``(a, b, year digits, separator)`` for text like ``03/04/2026``; None otherwise."""
    m = _NUMERIC_RE.match(s.strip())
    if not m:
        return None
    return int(m.group(1)), int(m.group(3)), m.group(4), m.group(2)


def date_order_evidence(v: object) -> str | None:
    """``DMY``/``MDY`` when a text date can only be read one way, else None."""
    if not isinstance(v, str):
        return None
    t = numeric_text_date(v)
    if not t or t[3] == ".":
        return None
    a, b, y, _ = t
    order = DMY if a > 12 >= b >= 1 else MDY if b > 12 >= a >= 1 else None
    if order is None:
        return None
    day, month = (a, b) if order == DMY else (b, a)
    try:
        date(int(y) if len(y) == 4 else 2000 + int(y), month, day)
    except ValueError:
        return None  # "31/02/2026" proves nothing: it is not a date either way
    return order


def _year(y: str, warnings: list, shown: str) -> int:
    if len(y) == 2:
        full = 2000 + int(y)
        warnings.append(("two_digit_year", f"the year in '{shown}' has two digits; it was read as {full}"))
        return full
    return int(y)


def _long(d: date) -> str:
    return f"{d.day} {_MONTH_NAMES[d.month]} {d.year}"


def parse_date(v: object, opts: ReadOptions, warnings: list) -> date | None:
    """A date from a cell (see the module docstring for the rules)."""
    if is_blank(v):
        return None
    check_usable(v)
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, bool):
        raise CellProblem("invalid_date", f"{v} is not a date")
    if isinstance(v, (int, float)):
        if isinstance(v, int) and 19000101 <= v <= 29991231:
            s = str(v)
            return _make_date(int(s[:4]), int(s[4:6]), int(s[6:]), s)
        return serial_to_date(v, opts.date1904)
    s = unicodedata.normalize("NFKC", str(v)).strip()
    if len(s) > _MAX_PARSED_TEXT:
        raise CellProblem("invalid_date", "the cell holds long text, not a date")
    low = s.lower()
    if m := _ISO_RE.match(s):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), s)
    if m := _YMD_SLASH_RE.match(s):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), s)
    if t := numeric_text_date(s):
        a, b, y_raw, sep = t
        y = _year(y_raw, warnings, s)
        if sep == "." or a > 12 or a == b:
            order = DMY
        elif b > 12:
            order = MDY
        else:
            order = opts.date_order or opts.inferred_order or DMY
            day, month = (a, b) if order == DMY else (b, a)
            read = _make_date(y, month, day, s)
            if opts.date_order is None:
                why = (f"other dates in this file are {'day' if order == DMY else 'month'}-first, e.g. "
                       f"{opts.inferred_from}" if opts.inferred_order else "day-first was assumed")
                warnings.append(("ambiguous_date",
                                 f"the date '{s}' could be {_long(read)} or {_long(date(y, day, month))}; it was "
                                 f"read as {_long(read)} because {why}. Write it as {read.isoformat()} to be sure"))
            return read
        day, month = (a, b) if order == DMY else (b, a)
        return _make_date(y, month, day, s)
    if m := _DAY_MONTH_RE.match(low):
        if m.group(2) in _MONTHS:
            return _make_date(_year(m.group(3), warnings, s), _MONTHS[m.group(2)], int(m.group(1)), s)
    if m := _MONTH_DAY_RE.match(low):
        if m.group(1) in _MONTHS:
            return _make_date(_year(m.group(3), warnings, s), _MONTHS[m.group(1)], int(m.group(2)), s)
    if re.fullmatch(r"\d+(\.\d+)?", s):
        n = Decimal(s)
        if n == n.to_integral_value() and 19000101 <= n <= 29991231:
            return parse_date(int(n), opts, warnings)
        return serial_to_date(float(n), opts.date1904)
    raise CellProblem("invalid_date", f"'{s}' is not a date; write it like 2026-01-31")


# ---------------------------------------------------------------- numbers

_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS",
            "US$": "USD", "A$": "AUD", "C$": "CAD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "R$": "BRL",
            "$": None, "¢": None}
# A currency code before or after the number: separated by a space, or written in capitals.
_CODE_RE = re.compile(r"^([A-Za-z]{3}\s+|[A-Z]{3})(.*)$|^(.*?)(\s+[A-Za-z]{3}|[A-Z]{3})$")
_SPACES = dict.fromkeys(map(ord, " \u00a0\u202f\u2009'’_"), None)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str | None = None  # a currency code or symbol found in the text


def parse_number(v: object, opts: ReadOptions, warnings: list, *, what: str = "amount") -> Amount | None:
    """A number from a cell: numeric cells, or text such as ``$1,234.50``, ``1.234,50 €``,
    ``(1,000)``, ``-1 234,5``, ``EUR 99``. Money never passes through float arithmetic."""
    if is_blank(v):
        return None
    check_usable(v)
    if isinstance(v, bool):
        raise CellProblem("invalid_number", f"{v} is not {_article(what)}")
    if isinstance(v, int):
        return Amount(Decimal(v))
    if isinstance(v, float):
        return Amount(float_to_decimal(v))
    if isinstance(v, (date, datetime)):
        raise CellProblem("invalid_number", f"the cell holds a date ({v:%Y-%m-%d}), not {_article(what)}")
    s = unicodedata.normalize("NFKC", str(v)).strip().replace("\u2212", "-")
    if len(s) > _MAX_PARSED_TEXT:
        raise CellProblem("invalid_number", f"the cell holds long text, not {_article(what)}")
    shown = s
    ccy = None
    for sym in sorted(_SYMBOLS, key=len, reverse=True):
        if sym in s:
            ccy = _SYMBOLS[sym] or ccy
            s = s.replace(sym, " ")
            break
    s = s.strip()
    m = _CODE_RE.match(s)
    if m and (m.group(1) or m.group(4)):
        code = (m.group(1) or m.group(4)).strip().upper()
        if code.isalpha():
            ccy = code
            s = (m.group(2) if m.group(1) else m.group(3)) or ""
    s = s.strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip()
    elif s.endswith("-"):
        negative, s = not negative, s[:-1].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    s = s.translate(_SPACES)
    s = _separators(s, shown, opts, warnings)
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", s):
        raise CellProblem("invalid_number", f"'{shown}' is not {_article(what)}")
    try:
        d = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern above guarantees a number
        raise CellProblem("invalid_number", f"'{shown}' is not {_article(what)}") from None
    return Amount(-d if negative else d, ccy)


def _article(what: str) -> str:
    return f"an {what}" if what[0] in "aeiou" else f"a {what}"


def _separators(s: str, shown: str, opts: ReadOptions, warnings: list) -> str:
    """Resolve ``,`` and ``.`` into a plain decimal point."""
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
    elif has_comma or has_dot:
        sep = "," if has_comma else "."
        groups = s.split(sep)
        if len(groups) > 2:
            dec = None  # 1,234,567 / 1.234.567: only thousands separators
        elif len(groups[1]) != 3 or groups[0] in ("", "0"):
            dec = sep   # 1234,5 / 0,125 / 12.50: the separator can only be the decimal mark
        elif opts.decimal_comma is not None:
            dec = "," if opts.decimal_comma else "."
        elif sep == ",":
            dec = None  # "5,000": a thousands separator (an amount with 3 decimals written so is rare)
        else:
            # "1.234" is 1.234 by the engine's convention, but could be 1234 written the German way:
            # a factor of 1000, so say so.
            dec = "."
            warnings.append(("ambiguous_number",
                             f"'{shown}' could be {s} or {s.replace('.', '')}; it was read as {s}. Write it "
                             f"as {s.replace('.', '')} if that is meant"))
    else:
        return s
    if dec is None:
        return s.replace(",", "").replace(".", "")
    thousands = "." if dec == "," else ","
    return s.replace(thousands, "").replace(dec, ".")


def parse_percent(v: object, opts: ReadOptions, warnings: list, *, high: Decimal) -> Decimal | None:
    """A rate as a fraction (0.05 for 5 %). ``5%`` and 5 both mean 5 %; a plain number
    below 1 is already a fraction (what a %-formatted cell holds). A plain number from
    ``high`` up to 1 gets a warning, because 0.5 meant as 0.5 % reads as 50 %."""
    if is_blank(v):
        return None
    check_usable(v)
    has_pct = isinstance(v, str) and "%" in v
    amt = parse_number(v.replace("%", "") if isinstance(v, str) and has_pct else v, opts, warnings,
                       what="percentage")
    if amt is None:  # a "%" and nothing else
        raise CellProblem("invalid_number", f"'{v}' is not a percentage")
    x = amt.value
    if has_pct or abs(x) >= 1:
        return x / 100
    if x >= high:  # a plain 0.3 is 30 % as a fraction, but may have been meant as 0.3 %
        warnings.append(("rate_unusually_high",
                         f"{plain(x)} was read as {plain((x * 100).normalize())} %; if you meant {plain(x)} %, "
                         f"write {plain(x)}%"))
    return x


def parse_int(v: object, opts: ReadOptions, warnings: list, *, scale: int = 1) -> int | None:
    """A whole number (``60``, ``60.0``, ``"60 months"``); ``scale`` 12 turns years into months."""
    if is_blank(v):
        return None
    check_usable(v)
    if isinstance(v, str):
        unit = re.search(r"\s*(months?|mos?|mths?|m|years?|yrs?|y)\.?$", v.strip(), flags=re.I)
        s = v.strip()[:unit.start()] if unit else v
        if unit:  # the cell's own unit wins over the column's: "5 years" in a months column is 60
            scale = 12 if unit.group(1).lower().startswith("y") else 1
        amt = parse_number(s, opts, warnings, what="whole number")
    else:
        amt = parse_number(v, opts, warnings, what="whole number")
    if amt is None:  # a unit and nothing else ("months")
        raise CellProblem("invalid_integer", f"'{v}' is not a whole number")
    x = amt.value * scale
    if x != x.to_integral_value():
        raise CellProblem("invalid_integer", f"'{v}' is not a whole number")
    return int(x)


_YES = {"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí"}
_NO = {"no", "n", "false", "0", "nein", "non"}


def parse_bool(v: object, opts: ReadOptions, warnings: list) -> bool | None:
    if is_blank(v):
        return None
    check_usable(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    s = str(v).strip().lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise CellProblem("invalid_boolean", f"'{v}' is not yes or no")


def parse_text(v: object) -> str | None:
    """Text as shown: numbers without a spurious ``.0``, dates as ISO."""
    if is_blank(v):
        return None
    check_usable(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return plain(float_to_decimal(v))
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return " ".join(str(v).split())


@lru_cache(maxsize=8192)  # headers and choice words repeat on every row
def key(s: str) -> str:
    """Case, space and punctuation-insensitive form used for headers and choices."""
    s = unicodedata.normalize("NFKC", s).casefold().replace("&", "and")
    return "".join(ch for ch in s if ch.isalnum())
