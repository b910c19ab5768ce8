"""Functional-currency view of a foreign-currency lease.

The liability is monetary: retranslated at the closing rate of each period,
the difference to (opening + interest - payments) being the FX gain/loss
(positive = loss, a debit). The ROU asset is non-monetary: kept at the
historical (commencement) rate and never retranslated (IFRS 16.BC196-197;
ASC 842-20-55-10). Interest is translated at the period's closing rate (a
stand-in for the average rate when only point rates are available) and each
payment at the rate of its own date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Callable, Mapping

from ..errors import EngineError
from ..money import D

FxRates = Callable[[str, str, date], Decimal] | Mapping


def rate_lookup(fx_rates: FxRates | None, src: str, dst: str) -> Callable[[date], Decimal]:
    """A function date -> rate for one pair; raises ``fx_rate_missing`` naming the pair and date."""
    cache: dict[date, Decimal] = {}

    def get(d: date) -> Decimal:
        r = cache.get(d)
        if r is not None:
            return r
        r = None
        if callable(fx_rates):
            r = fx_rates(src, dst, d)
        elif isinstance(fx_rates, Mapping):
            r = fx_rates.get((src, dst, d))
            if r is None:
                r = fx_rates.get((src, dst, d.isoformat()))
        if r is None:
            raise EngineError("fx_rate_missing", f"No {src}->{dst} exchange rate for {d.isoformat()}.",
                              details={"from": src, "to": dst, "date": d.isoformat()})
        r = D(r)
        if r <= 0:
            raise EngineError("fx_rate_invalid", f"The {src}->{dst} rate for {d.isoformat()} must be positive.",
                              details={"from": src, "to": dst, "date": d.isoformat()})
        cache[d] = r
        return r

    return get
