"""Money helpers: one Decimal constructor, named rounding, minor units, exact allocation."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Sequence

ROUNDING = ROUND_HALF_UP
"""The rounding mode used at every rounding boundary of the engine."""

# Input bounds, in one place (the API's field types and the engine's parsers both use them):
# 15 integer digits (under a quadrillion) and 10 decimals keep every product and sum of the
# schedules inside the default 28-digit Decimal context; dates stay where month arithmetic
# over a lease or contract term cannot leave the calendar.
MAX_INTEGER_DIGITS = 15
MAX_SCALE = 10
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)

# ISO 4217 active codes (list one of SIX, the maintenance agency), without funds-only precious metals.
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL
SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
""".split())


def is_iso_currency(code: str) -> bool:
    return code in ISO_4217


def within_bounds(value: Decimal) -> bool:
    """True when ``value`` has at most MAX_INTEGER_DIGITS integer digits and MAX_SCALE decimals."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return False
    scale = -exponent if exponent < 0 else 0
    integer_digits = len(digits) - scale if exponent < 0 else len(digits) + exponent
    return scale <= MAX_SCALE and (integer_digits <= MAX_INTEGER_DIGITS or value == 0)


def date_in_range(d: date) -> bool:
    return DATE_MIN <= d <= DATE_MAX

# ISO 4217 exponents that differ from the default of 2.
_MINOR_UNITS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}
_QUANTS: dict[int, Decimal] = {e: Decimal(1).scaleb(-e) for e in range(0, 5)}


def D(x: object) -> Decimal:
    """The one way to make a Decimal in the engine.

    Accepts Decimal, int and str (e.g. ``"1234.50"``). Rejects float with
    ``TypeError`` (binary floats cannot carry money) and bool, and raises
    ``ValueError`` for strings that are not finite numbers.
    """
    if isinstance(x, Decimal):
        value = x
    elif isinstance(x, bool) or isinstance(x, float):
        raise TypeError(f"money/rates must not be {type(x).__name__}: {x!r}")
    elif isinstance(x, int):
        return Decimal(x)
    elif isinstance(x, str):
        if not x.isascii():  # Decimal() accepts full-width and other Unicode digits; money does not
            raise ValueError(f"not a number written with ASCII digits: {x!r}")
        try:
            value = Decimal(x.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {x!r}") from None
    else:
        raise TypeError(f"cannot make a Decimal from {type(x).__name__}")
    if not value.is_finite():
        raise ValueError(f"not a finite number: {x!r}")
    return value


def minor_unit(currency: str) -> int:
    """ISO 4217 exponent: JPY 0, KWD/BHD 3, most currencies (default) 2."""
    return _MINOR_UNITS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    """The smallest unit of ``currency`` as a Decimal (e.g. ``0.01``)."""
    return _QUANTS[minor_unit(currency)]


_QUANTUM_BY_CCY: dict[str, Decimal] = {}  # memo of quantum(); pure, so safe to share


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to the currency's minor unit with ``ROUNDING``."""
    q = _QUANTUM_BY_CCY.get(currency)
    if q is None:
        q = _QUANTUM_BY_CCY.setdefault(currency, _QUANTS[minor_unit(currency)])
    return amount.quantize(q, rounding=ROUNDING)


def to_minor(amount: Decimal, currency: str) -> int:
    """Amount in integer minor units; the amount must already be on the minor unit."""
    e = minor_unit(currency)
    scaled = amount.scaleb(e)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of {currency} minor units")
    return int(scaled)


def from_minor(units: int, currency: str) -> Decimal:
    """Integer minor units back to a Decimal with the currency's exponent."""
    if not isinstance(units, int) or isinstance(units, bool):
        raise TypeError("minor units must be int")
    return Decimal(units).scaleb(-minor_unit(currency))


def allocate(total: Decimal, weights: Sequence[Decimal | int], currency: str) -> list[Decimal]:
    """Split ``total`` by ``weights`` into minor-unit parts that sum exactly to ``total``.

    Uses cumulative rounding (each part is round(cumulative share) minus the
    previous rounded cumulative) so every part is within one minor unit of its
    exact share and the residual lands deterministically; the last part takes
    whatever the rounding left. ``total`` must be on the minor unit.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    ws = [D(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("weights must not be negative")
    wsum = sum(ws, Decimal(0))
    total = D(total)
    if quantize(total, currency) != total:
        raise ValueError("total must be on the currency's minor unit")
    if wsum == 0:
        raise ValueError("weights must not all be zero")
    parts: list[Decimal] = []
    cum_w = Decimal(0)
    prev = Decimal(0)
    for w in ws[:-1]:
        cum_w += w
        cur = quantize(total * cum_w / wsum, currency)
        parts.append(cur - prev)
        prev = cur
    parts.append(total - prev)
    return parts


def money_sum(values: Iterable[Decimal]) -> Decimal:
    """Sum of Decimals starting from an exact zero."""
    return sum(values, Decimal(0))
