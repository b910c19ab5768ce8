"""Everything a run needs for one lease, and the issues that stop it.

Pure: the service loads the entity's IBR rows and FX rows and passes them in
(``ibr.IbrMatrix``, ``fx_rates.FxTable``). The validate endpoint, confirm (errors
block it) and the engine-run jobs all call ``assess_lease``, so they agree on what
is wrong with a lease.

Rules (issue #14 on top of the original service rules):
- discount rate: the lease's own rate; else ``"implicit"`` (checked solvable here,
  solved in the run); else, when some enabled book recognises the lease, the IBR
  matrix (currency x term band x commencement date); a lease every book exempts
  (short-term, low-value) needs no rate;
- foreign currency: recognition needs the rate at commencement only
  (``fx_rates.FxTable`` staleness rules); later month ends may still be missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from ..errors import EngineError, InvalidLeaseInput
from .discount import exemptions, rate_needed
from .ibr import IbrMatrix, ibr_term_months
from .implicit import implicit_rate
from .policy import LeasePolicy
from .terms import LeaseTerms, parse_lease
from .validation import validate_lease


@dataclass
class Assessment:
    terms: LeaseTerms | None
    discount_rate: Decimal | None
    rate_source: dict[str, Any] | None
    issues: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["severity"] == "error"]


ASC842_CLASSIFICATION_ONLY = frozenset({"classification_input_missing", "asc_restoration_excluded"})


def _asc842_exempt(terms: LeaseTerms, policy: LeasePolicy) -> bool:
    """An exempt lease is not classified under ASC 842, so its classification inputs are not asked for."""
    if "ASC842" not in policy.enabled_standards or terms.end_date < terms.commencement_date:
        return False
    try:
        return exemptions(terms, policy, ("ASC842",))["ASC842"] is not None
    except EngineError:  # e.g. the low-value test lacks its commencement rate: reported below
        return False


def _issue(severity: str, fld: str | None, code: str, message: str) -> dict[str, Any]:
    return {"severity": severity, "field": fld, "code": code, "message": message}


def assess_lease(data: Mapping[str, Any], policy: LeasePolicy, ibr: IbrMatrix,
                 fx: Callable[[str, str, date], Decimal | None], *, full: bool = True,
                 standards: Iterable[str] | None = None) -> Assessment:
    """Parse, resolve the discount rate and check FX; with ``full`` also run the engine's
    validation (warnings and errors for the reviewer). Engine jobs on confirmed leases pass
    ``full=False``: confirm already validated them. ``fx`` is a lookup such as
    ``fx_rates.FxTable`` returning None for a missing rate; ``standards`` defaults to the
    policy's enabled standards (the books that must recognise the lease)."""
    try:
        terms = parse_lease(data)
    except InvalidLeaseInput as exc:
        return Assessment(None, None, None, [_issue("error", e["field"], e["code"], e["message"]) for e in exc.errors])
    except EngineError as exc:
        return Assessment(None, None, None, [_issue("error", exc.field, exc.code, exc.message)])
    issues = [i.to_dict() for i in validate_lease(terms, policy)] if full else []
    if issues and _asc842_exempt(terms, policy):
        # An exempt lease is not classified under ASC 842: the classification tests' inputs are not asked for.
        issues = [i for i in issues if i["code"] not in ASC842_CLASSIFICATION_ONLY]
    rate, source = terms.discount_rate, None
    if rate is not None:
        source = {"source": "lease"}
    elif terms.end_date >= terms.commencement_date:
        issues = [i for i in issues if i["code"] != "discount_rate_missing"]
        if terms.implicit_rate_requested:
            source = {"source": "implicit"}
            try:
                implicit_rate(terms, policy)
            except EngineError as exc:
                issues.append(_issue("error", exc.field, exc.code, exc.message))
        elif _needs_rate(terms, policy, standards, fx):
            found = ibr.resolve_for(terms)
            if found is None:
                issues.append(_issue(
                    "error", "discount_rate", "discount_rate_missing",
                    f"No discount rate on the lease and no IBR-matrix rate for {terms.currency}, "
                    f"{ibr_term_months(terms)} months, effective {terms.commencement_date.isoformat()}. Enter a "
                    "rate, set discount_rate to \"implicit\" with the fair value, or extend the IBR matrix."))
            else:
                rate, source = found
    fc = policy.functional_currency
    if fc and terms.currency != fc and fx(terms.currency, fc, terms.commencement_date) is None:
        issues.append(_issue("error", "currency", "fx_rate_missing",
                             f"The lease is in {terms.currency} but the entity reports in {fc}, and there is no "
                             f"{terms.currency}/{fc} rate for the commencement date "
                             f"{terms.commencement_date.isoformat()}. Add it with PUT /v1/fx-rates."))
    return Assessment(terms, rate, source, issues)


def _needs_rate(terms: LeaseTerms, policy: LeasePolicy, standards: Iterable[str] | None,
                fx: Callable[[str, str, date], Decimal | None]) -> bool:
    try:
        return rate_needed(terms, policy, standards, fx)
    except EngineError:  # the low-value test lacks its commencement rate: reported below
        return True
