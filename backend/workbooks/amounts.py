"""Money cells in any notation, with the decimal mark decided per column.

Registers write amounts as ``£45,000``, ``€ 1.250,00``, ``1 250,00 €``, ``CHF 12'500``,
``USD 1,200.50``, ``¥980,000``, ``(7,500)``, ``7,500-``, as text or as numbers formatted as
currency. ``values.parse_number`` reads one cell; what one cell cannot tell is whether
``1,250`` is one thousand two hundred and fifty or one and a quarter. That is decided here
for the whole column, from the cells that *can* tell (``1.250,00`` proves a decimal comma,
``1,200.50`` or ``12.5`` a decimal point):

- the column's cells agree → every ambiguous cell is read that way;
- they disagree (a register mixing ``€ 1.250,00`` and ``USD 1,200.50``) → cells that show
  their own mark are read as written and an ambiguous one is an error at its cell;
- no cell tells → the upload's locale decides; without one ``5,000`` is five thousand (money
  with three decimals written that way does not occur in registers) and ``1.250`` is an
  error: reading it either way could be off by a factor of a thousand;
- in the last two cases, a cell whose currency (its own symbol or code, else the row's
  Currency) has fewer than three decimals is settled by it: ``¥980,000`` or ``2,500`` on a
  GBP row cannot have a decimal comma, since those currencies have no third decimal.

Signs: an amount that is received (``lease_incentives_received``) is often written negative
or in brackets; its magnitude is used with an info issue. Any other lease amount cannot be
negative, so a negative one is an error at its cell rather than a value the engine would
later refuse without saying where it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, Iterable

from backend.engine.money import minor_unit

from .values import Amount, CellProblem, ReadOptions, is_blank, parse_number

__all__ = ["ColumnNotation", "RECEIVED_FIELDS", "column_notation", "decimals_problem", "parse_money", "sign_problem",
           "symbol_fits"]

# Amounts the lessee receives: registers show them with either sign.
RECEIVED_FIELDS = frozenset({"lease_incentives_received"})

# Symbols more than one currency writes: they fit any of these (¥ is the yen and the yuan sign).
_SHARED_SYMBOLS = {"¥": ("JPY", "CNY"), "￥": ("JPY", "CNY")}
_GROUPING = dict.fromkeys(map(ord, " \u00a0\u202f\u2009'’_"), None)
_DIGITS_AND_MARKS = re.compile(r"[\d.,]+")


@dataclass(frozen=True)
class ColumnNotation:
    decimal_comma: bool | None = None   # decided for the column; None when no cell decides it
    mixed: bool = False                  # the column proves both marks
    example: str | None = None           # a cell that decided it, e.g. "Leases!F4 (1.250,00)"


def _number_part(v: str) -> str:
    s = unicodedata.normalize("NFKC", v).translate(_GROUPING)
    runs = _DIGITS_AND_MARKS.findall(s)
    return max(runs, key=len) if runs else ""


def cell_mark(v: object) -> str | None:
    """The decimal mark a text cell proves by itself (``","``/``"."``), else None."""
    if not isinstance(v, str):
        return None
    s = _number_part(v).strip(".,")
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        return "," if s.rfind(",") > s.rfind(".") else "."
    if not (has_dot or has_comma):
        return None
    sep = "," if has_comma else "."
    groups = s.split(sep)
    if len(groups) > 2:
        return "." if sep == "," else ","  # 1,234,567: the separator repeats, so it groups thousands
    if len(groups[1]) != 3 or groups[0] in ("", "0"):
        return sep
    return None


def _ambiguous(v: str) -> str | None:
    """The separator of a cell like ``1,250`` / ``1.250`` (one mark, three digits after)."""
    s = _number_part(v).strip(".,")
    if ("." in s) == ("," in s):
        return None
    sep = "," if "," in s else "."
    groups = s.split(sep)
    return sep if len(groups) == 2 and len(groups[1]) == 3 and groups[0] not in ("", "0") else None


def column_notation(cells: Iterable[tuple[int, object]], where: Callable[[int], str]) -> ColumnNotation:
    """Decide the decimal mark of one column from its ``(row, value)`` pairs; ``where(row)``
    names a cell for the messages (called only for the cells that decide)."""
    seen: dict[str, str] = {}
    for r, v in cells:
        if type(v) is not str:
            continue  # numbers have no decimal mark to read
        mark = cell_mark(v)
        if mark and mark not in seen:
            seen[mark] = f"{where(r)} ({v.strip()})"
            if len(seen) == 2:
                break
    if len(seen) == 2:
        return ColumnNotation(None, True, "; ".join(seen.values()))
    if seen:
        mark, example = next(iter(seen.items()))
        return ColumnNotation(mark == ",", False, example)
    return ColumnNotation()


def _currency_settles(v: str, sep: str, row_currency: str | None, opts: ReadOptions) -> ReadOptions | None:
    """Options reading ``sep`` as a thousands separator when the amount's currency has fewer
    than three decimals (``¥980,000``, ``2,500`` on a GBP row): the decimal reading would give
    an amount that currency cannot have, so no guess is involved."""
    try:
        amount = parse_number(v, opts, [])
    except CellProblem:
        return None
    assert amount is not None  # v holds a separator, so it is not blank
    own = amount.currency
    ccy = own or row_currency
    if not ccy or len(ccy) != 3 or minor_unit(ccy) >= 3:
        return None
    return replace(opts, decimal_comma=sep == ".")


def parse_money(v: object, notation: ColumnNotation, opts: ReadOptions, warnings: list,
                row_currency: str | None = None) -> Amount | None:
    """One money cell read with its column's notation (see the module docstring);
    ``row_currency`` (the row's Currency cell as written) can settle an ambiguous cell."""
    if is_blank(v):
        return None
    if isinstance(v, str):
        sep = _ambiguous(v)
        undecided = notation.mixed or (notation.decimal_comma is None and opts.decimal_comma is None)
        settled = _currency_settles(v, sep, row_currency, opts) if sep and undecided else None
        if settled is not None:
            return parse_number(v, settled, warnings)
        if sep and notation.mixed:
            raise CellProblem("ambiguous_number",
                              f"'{v.strip()}' could be read with '{sep}' as the decimal mark or as a thousands "
                              f"separator, and this column uses both notations ({notation.example}). Write it "
                              "without a thousands separator, e.g. 1250.00")
        if sep == "." and notation.decimal_comma is None and opts.decimal_comma is None:
            whole = _number_part(v).replace(".", "")
            raise CellProblem("ambiguous_number",
                              f"'{v.strip()}' could be {whole} or {_number_part(v)}; nothing else in this column "
                              f"shows which mark is the decimal one. Write it as {whole} or as "
                              f"{_number_part(v)}0")
        if notation.decimal_comma is not None:
            opts = replace(opts, decimal_comma=notation.decimal_comma)
    return parse_number(v, opts, warnings)


def sign_problem(path: str, value: Decimal, info: list) -> Decimal:
    """The amount to use for ``path``: the magnitude of a received amount (noted in ``info``);
    raises ``CellProblem`` for a negative amount that cannot be meant."""
    if value >= 0:
        return value
    if path in RECEIVED_FIELDS:
        info.append(("sign_ignored", f"the amount is written as negative ({value}); incentives received are "
                                     f"entered as a positive amount, so {-value} was used"))
        return -value
    raise CellProblem("negative_amount", f"the amount {value} is negative, and this amount cannot be; write it "
                                         "without a minus sign or brackets")


def decimals_problem(value: Decimal, currency: str) -> None:
    """Raise when ``value`` has more decimals than ``currency`` has minor units: ``980.000``
    yen means the column's decimal mark was not this cell's."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # an amount read from a cell is finite
    places = -exponent
    if places > minor_unit(currency):
        raise CellProblem("too_many_decimals",
                          f"{value} has {places} decimals but {currency} amounts have {minor_unit(currency)}; "
                          "check the decimal mark (write the amount without thousands separators)")


def symbol_fits(text: object, currency: str) -> bool:
    """True when ``text`` names its currency only by a symbol that ``currency`` also uses."""
    return isinstance(text, str) and any(sym in text and currency in codes for sym, codes in _SHARED_SYMBOLS.items())
