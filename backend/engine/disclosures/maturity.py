"""Maturity analysis of lease liabilities: undiscounted remaining payments in time bands,
reconciled to the discounted liability (IFRS 16.58 with IFRS 7.39/B11; ASC 842-20-50-6).

Bands are 12-month steps after the reporting date: ASC 842 shows each of the next five years and
"thereafter"; IFRS 16 uses the entity's bands (default: within 1 year, 1-2, 2-5, over 5 years).
Foreign-currency payments are translated at the closing rate, per lease and band, as the
liability is (monetary item).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ..calendar import add_months
from ..money import quantize
from .common import ZERO
from .lease_facts import LeaseFigures

ASC_BANDS = (12, 24, 36, 48, 60)
IFRS_BANDS = (12, 24, 60)


def band_labels(standard: str, bounds: Sequence[int]) -> list[str]:
    if standard == "ASC842":
        return [f"Year {k + 1}" for k in range(len(bounds))] + ["Thereafter"]
    labels, prev = [], 0
    for b in bounds:
        labels.append("Within 1 year" if prev == 0 else f"{_y(prev)} to {_y(b)} years")
        prev = b
    return labels + [f"More than {_y(prev)} years"]


def _y(months: int) -> str:
    return str(months // 12) if months % 12 == 0 else f"{months / 12:g}"


def band_amounts(figs: Iterable[LeaseFigures], bounds: Sequence[int], currency: str) -> list[Decimal]:
    """Undiscounted payments due after the window end per band (the last band open-ended), in the
    pack currency. Rows after the window are the months after the reporting date, so a band of
    months ``(lo, hi]`` is a slice of each lease's remaining payments, kept per 12 months (band
    bounds are whole years)."""
    cuts = [0, *(m // 12 for m in bounds)]
    totals = [ZERO] * (len(bounds) + 1)
    for f in figs:
        rem = f.remaining
        if not rem:
            continue
        rate = f.closing_rate
        for k in range(len(cuts)):
            part = rem[cuts[k]:cuts[k + 1]] if k + 1 < len(cuts) else rem[cuts[k]:]
            if part:
                amt = sum(part, ZERO)
                if amt:
                    totals[k] += quantize(amt * rate, currency) if rate is not None else amt
    return totals


def flow_band_amounts(figs: Iterable[LeaseFigures], end: date, bounds: Sequence[int], currency: str) -> list[Decimal]:
    """The same bands from the dated cash flows (when the facts carry them): the check's second reading."""
    edges = [add_months(end, m).isoformat() for m in bounds]  # ISO dates compare as text
    totals = [ZERO] * (len(bounds) + 1)
    for f in figs:
        per = [ZERO] * (len(bounds) + 1)
        for d, amt in f.remaining_flows or ():
            per[sum(1 for e in edges if d > e)] += amt
        for k, amt in enumerate(per):
            if amt:
                totals[k] += quantize(amt * f.closing_rate, currency) if f.closing_rate is not None else amt
    return totals


def maturity_table(figs: Sequence[LeaseFigures], end: date, standard: str, currency: str,
                   bounds: Sequence[int] | None = None) -> dict[str, Any]:
    """Bounds are in months and whole years (12, 24, 60 …).
    ``{bands: [{label, amount}], total_undiscounted, imputed_interest, lease_liability, current,
    noncurrent}`` as Decimals."""
    bounds = tuple(bounds or (ASC_BANDS if standard == "ASC842" else IFRS_BANDS))
    amounts = band_amounts(figs, bounds, currency)
    total = sum(amounts, ZERO)
    liability = sum((f.liab_close for f in figs), ZERO)
    current = sum((f.liab_current for f in figs), ZERO)
    return {"bands": [{"label": lab, "amount": a} for lab, a in zip(band_labels(standard, bounds), amounts)],
            "total_undiscounted": total, "imputed_interest": total - liability, "lease_liability": liability,
            "current": current, "noncurrent": liability - current}
