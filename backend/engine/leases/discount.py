"""Which discount rate a run uses, and whether it needs one at all.

Precedence (documented for the API):
1. a rate the caller passes (``discount_rate=`` of ``compute_schedule``: a stored or
   overriding rate), recorded with the caller's ``discount_rate_source``;
2. the lease's own ``discount_rate`` (``{"source": "lease"}``);
3. ``discount_rate: "implicit"`` on the lease: the rate implicit in the lease solved
   from ``fair_value`` and ``unguaranteed_residual_value`` (IFRS 16.26,
   ASC 842-20-30-3), recorded as ``{"source": "implicit", "solved_rate", "inputs"}``;
4. otherwise the service looks the rate up in the entity's IBR matrix and passes it
   as 1. (``ibr.resolve_ibr``). ``rate_needed`` says whether it has to.
A lease every enabled book exempts (short-term, low-value) needs no rate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

from ..money import D
from .classification import exemption_for
from .fx import FxRates, rate_lookup
from .implicit import implicit_rate
from .measurement import resolve_convention
from .policy import LeasePolicy
from .terms import LeaseTerms
from .timeline import lease_term_months


def resolve_rate(terms: LeaseTerms, policy: LeasePolicy, discount_rate: Decimal | str | None,
                 discount_rate_source: Mapping[str, Any] | None) -> tuple[Decimal | None, dict[str, Any]]:
    """The annual rate of the run and its recorded source (rule order in the module doc).
    Raises ``implicit_rate_unsolvable`` / ``fair_value_missing`` (field ``fair_value``)."""
    if discount_rate is not None:
        return D(discount_rate), dict(discount_rate_source or {"source": "caller"})
    if terms.discount_rate is not None:
        return terms.discount_rate, dict(discount_rate_source or {"source": "lease"})
    if terms.implicit_rate_requested:
        rate = implicit_rate(terms, policy)
        ugr = terms.implicit_rate_unguaranteed_residual
        conv, c = resolve_convention(terms, policy)
        return rate, {"source": "implicit", "solved_rate": str(rate), "inputs": {
            "fair_value": str(terms.fair_value), "unguaranteed_residual_value": None if ugr is None else str(ugr),
            "rate_convention": conv, "compounding_interval_months": c}}
    return None, dict(discount_rate_source or {"source": "lease"})


def exemptions(terms: LeaseTerms, policy: LeasePolicy, standards: Iterable[str],
               fx_rates: FxRates | None = None) -> dict[str, str | None]:
    """``short_term`` / ``low_value`` / None per standard. The low-value test is judged in
    the entity's currency at the commencement rate (``fx_rate_missing`` without it)."""
    stds = tuple(standards)
    term_months = lease_term_months(terms.commencement_date, terms.end_date)
    value_new = None
    fc = policy.functional_currency
    if terms.underlying_asset_value_new is not None and fc and fc != terms.currency and "IFRS16" in stds:
        value_new = terms.underlying_asset_value_new * rate_lookup(fx_rates, terms.currency, fc)(
            terms.commencement_date)
    return {s: exemption_for(terms, policy, s, term_months, value_new) for s in stds}


def rate_needed(terms: LeaseTerms, policy: LeasePolicy, standards: Iterable[str] | None = None,
                fx_rates: FxRates | None = None) -> bool:
    """Whether the service must find a rate (IBR matrix) before running ``terms``: no rate
    on the lease, no implicit rate asked for, and some book recognises the lease."""
    if terms.discount_rate is not None or terms.implicit_rate_requested:
        return False
    stds = tuple(standards) if standards is not None else policy.enabled_standards
    return any(e is None for e in exemptions(terms, policy, stds, fx_rates).values())
