"""Rates read against their column: is a plain number a fraction or a percentage?

A rate typed without ``%`` is a fraction when below 1 (``0.045``, what a %-formatted cell
holds) and a percentage from 1 up (``4.5``). One cell cannot tell whether ``0.5`` meant
0.5 % or 50 %, or whether ``48`` in a column of ``0.045, 0.052`` is a slip for 0.048 or
really 48 %. The column can: its plain numbers show the notation its author used. A cell
written the other way is an error at that cell, never read as 48 % or 0.48. Cells with an
explicit ``%`` are always clear and do not vote. When the column's plain numbers split
evenly, none of them can be trusted, so each is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from .values import CellProblem, ReadOptions, float_to_decimal, is_blank, parse_number

__all__ = ["RateNotation", "check_rate_fits", "rate_notation"]

FRACTION, PERCENT = "fraction", "percent"


@dataclass(frozen=True)
class RateNotation:
    notation: str | None = None     # FRACTION, PERCENT, or None (no plain numbers, or an even split)
    split: bool = False             # as many plain fractions as plain percentages
    examples: str = ""              # e.g. "0.045, 0.052"


def _plain_value(v: object) -> Decimal | None:
    """The number of a cell written without ``%``; None for blanks, ``%`` text and non-numbers."""
    if is_blank(v) or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        try:
            return float_to_decimal(v)
        except CellProblem:
            return None
    if isinstance(v, str) and "%" not in v:
        try:
            amt = parse_number(v, ReadOptions(), [])
        except CellProblem:
            return None
        return amt.value if amt else None
    return None


def _kind(x: Decimal) -> str | None:
    if x == 0:
        return None  # 0 is 0 in both notations
    return FRACTION if abs(x) < 1 else PERCENT


def rate_notation(values: Iterable[object]) -> RateNotation:
    votes: dict[str, list[Decimal]] = {FRACTION: [], PERCENT: []}
    for v in values:
        x = _plain_value(v)
        k = _kind(x) if x is not None else None
        if x is not None and k:
            votes[k].append(x)
    f, p = len(votes[FRACTION]), len(votes[PERCENT])
    if not f and not p:
        return RateNotation()
    if f == p:
        return RateNotation(None, True)
    winner = FRACTION if f > p else PERCENT
    return RateNotation(winner, False, ", ".join(str(x) for x in votes[winner][:3]))


def check_rate_fits(v: object, col: RateNotation) -> None:
    """Raise ``CellProblem`` when a plain number does not fit its column's notation."""
    if col.notation is None and not col.split:
        return
    x = _plain_value(v)
    k = _kind(x) if x is not None else None
    if x is None or k is None or (col.notation is None and not col.split) or k == col.notation:
        return
    if col.split:
        raise CellProblem("rate_notation_unclear",
                          f"{x} could be {x} % or {x * 100} %, and this column has as many rates written as "
                          "fractions as written in percent; write it with a % sign, e.g. 4.5%")
    as_pct = x if k == PERCENT else x * 100
    raise CellProblem("rate_does_not_fit_column",
                      f"{x} does not fit this column, whose other rates are written as "
                      f"{'fractions' if col.notation == FRACTION else 'percentages'} ({col.examples}); it was not "
                      f"read as {as_pct.normalize()} %. Write the rate with a % sign, e.g. 4.8%")
