"""The incremental borrowing rate from an entity's IBR matrix (currency x term band x date).

Pure rules over plain rows; the service loads the rows and passes them in. A matrix
version applies from its ``effective_date``; for a lease, the rate is that of the
newest row effective on the commencement date (later matrix version on the same
date wins) whose currency matches and whose term band ``term_from_months`` ..
``term_to_months`` (inclusive) holds the lease term rounded up to whole months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping, Protocol

from ..money import D
from .terms import LeaseTerms
from .timeline import lease_term_months


class IbrRowLike(Protocol):
    matrix_version: int
    effective_date: date
    currency: str
    term_from_months: int
    term_to_months: int
    rate: Any  # Decimal, or a str/int the engine's D() accepts


@dataclass(frozen=True)
class IbrRow:
    matrix_version: int
    effective_date: date
    currency: str
    term_from_months: int
    term_to_months: int
    rate: Decimal


def ibr_term_months(terms: LeaseTerms) -> int:
    """The lease term in whole months, rounded up (a 12.5-month lease looks up 13)."""
    return math.ceil(lease_term_months(terms.commencement_date, terms.end_date))


class IbrMatrix:
    """All IBR rows of an entity, ordered once, for resolving many leases."""

    def __init__(self, rows: Iterable[IbrRowLike]) -> None:
        self.rows = sorted(rows, key=lambda r: (r.effective_date, r.matrix_version))

    def resolve(self, currency: str, term_months: int, as_of: date) -> tuple[Decimal, dict[str, Any]] | None:
        """``(rate, discount_rate_source)`` or None when no row applies."""
        best = None
        for r in self.rows:
            if r.effective_date > as_of or r.currency != currency:
                continue
            if r.term_from_months <= term_months <= r.term_to_months:
                best = r  # rows are in effective order, so the last match is the newest
        if best is None:
            return None
        return D(best.rate), {"source": "ibr_matrix", "matrix_version": best.matrix_version,
                              "effective_date": best.effective_date.isoformat(), "currency": currency,
                              "term_band": f"{best.term_from_months}-{best.term_to_months} months",
                              "term_months": term_months, "rate": str(best.rate)}

    def resolve_for(self, terms: LeaseTerms) -> tuple[Decimal, dict[str, Any]] | None:
        """The rate for a lease: its currency and term at its commencement date."""
        return self.resolve(terms.currency, ibr_term_months(terms), terms.commencement_date)


def resolve_ibr(rows: Iterable[IbrRowLike], currency: str, term_months: int,
                as_of: date) -> tuple[Decimal, dict[str, Any]] | None:
    """One-off form of ``IbrMatrix(rows).resolve(...)``."""
    return IbrMatrix(rows).resolve(currency, term_months, as_of)


def check_ibr_matrix(rates: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Field errors of a new matrix version (rows with ``currency``, ``term_from_months``,
    ``term_to_months``): inverted bands, and bands of one currency that overlap."""
    rows = list(rates)
    errors: list[dict[str, str]] = []
    for i, r in enumerate(rows):
        if r["term_from_months"] > r["term_to_months"]:
            errors.append({"field": f"rates[{i}].term_to_months", "code": "invalid_band",
                           "message": "term_to_months must not be below term_from_months"})
    by_ccy: dict[str, list[tuple[int, int]]] = {}
    for r in rows:
        by_ccy.setdefault(r["currency"], []).append((r["term_from_months"], r["term_to_months"]))
    for ccy, bands in by_ccy.items():
        bands.sort()
        for (a0, a1), (b0, _b1) in zip(bands, bands[1:]):
            if b0 <= a1:
                errors.append({"field": "rates", "code": "overlapping_bands",
                               "message": f"{ccy}: term bands {a0}-{a1} and {b0}-… overlap"})
    return errors
