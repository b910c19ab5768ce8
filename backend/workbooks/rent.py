"""A rent stated for the year ("Rent p.a.") next to, or instead of, the payment per period.

- Both given: the per-period payment is what falls due, so it is the payment; the annual
  figure is a cross-check, and a warning at the annual cell when they disagree by more than
  rounding to the minor unit could explain.
- Only the annual figure: it is divided by the payments per year of the row's frequency and
  rounded to the currency's minor unit (half up, the engine's rounding); an info issue at
  the annual cell says so and documents what the rounding leaves over a year.
- Only the annual figure and no frequency: the payments could fall monthly, quarterly or
  once a year, so this is an error at the annual cell, not an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backend.engine.money import minor_unit, quantize

__all__ = ["PER_YEAR", "RentDecision", "settle_annual_rent"]

PER_YEAR = {"monthly": 12, "quarterly": 4, "semiannual": 2, "annual": 1}
_PERIOD_WORD = {"monthly": "a month", "quarterly": "a quarter", "semiannual": "a half-year", "annual": "a year"}


@dataclass
class RentDecision:
    amount: Decimal | None                      # the payment per period to use (None: keep what there is)
    issues: list[tuple[str, str, str]]          # (code, severity, message) at the annual rent's cell


def _fmt(d: Decimal) -> str:
    return f"{d:,}"


def settle_annual_rent(annual: Decimal, periodic: Decimal | None, frequency: str | None,
                       currency: str | None, label: str) -> RentDecision:
    """Reconcile one row's annual rent (from the column headed ``label``) with its payment."""
    ccy = currency or ""
    if periodic is not None:
        if frequency not in PER_YEAR:
            return RentDecision(None, [])  # nothing to compare against: the frequency is reported on its own
        n = PER_YEAR[frequency]
        implied = periodic * n
        tolerance = Decimal(1).scaleb(-minor_unit(ccy)) * n  # per-period rounding, at most one unit a period
        if abs(implied - annual) >= tolerance:
            return RentDecision(None, [(
                "annual_rent_mismatch", "warning",
                f"{label} is {_fmt(annual)} but the payment of {_fmt(periodic)} {_PERIOD_WORD[frequency]} comes to "
                f"{_fmt(implied)} a year; the payment was used. Check which figure is right")])
        return RentDecision(None, [])
    if frequency not in PER_YEAR:
        return RentDecision(None, [(
            "frequency_required", "error",
            f"{label} gives the rent for a year but the row has no payment frequency, so the payment per period "
            "is not known; fill in the Frequency (monthly, quarterly, semiannual or annual)")])
    n = PER_YEAR[frequency]
    amount = quantize(annual / n, ccy)
    if n == 1:
        return RentDecision(amount, [])
    left = annual - amount * n
    note = (f"{label} {_fmt(annual)} with {frequency} payments was converted to {_fmt(amount)} "
            f"{_PERIOD_WORD[frequency]}")
    if left:
        note += (f"; rounded to the minor unit, {n} payments come to {_fmt(amount * n)}, "
                 f"{_fmt(abs(left))} a year {'less' if left > 0 else 'more'} than the annual figure")
    return RentDecision(amount, [("annual_rent_converted", "info", note)])
