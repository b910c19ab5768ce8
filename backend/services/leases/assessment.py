"""Everything the engine needs for one lease, and the issues that stop it (validate_enhanced).

Used by the validate endpoint, by confirm (errors block it) and by the engine-run jobs, so all
three agree on what is wrong with a lease.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from backend.engine.errors import EngineError, InvalidLeaseInput
from backend.engine.leases import LeasePolicy, LeaseTerms, parse_lease, validate_lease
from backend.engine.leases.discount import exemptions
from backend.engine.leases.timeline import build_clock
from backend.services.leases.config import FxTable, IbrLookup


@dataclass
class Assessment:
    terms: LeaseTerms | None
    discount_rate: Decimal | None
    rate_source: dict | None
    issues: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[dict]:
        return [i for i in self.issues if i["severity"] == "error"]


def _issue(severity: str, fld: str | None, code: str, message: str) -> dict:
    return {"severity": severity, "field": fld, "code": code, "message": message}


ASC842_CLASSIFICATION_ONLY = frozenset({"classification_input_missing", "asc_restoration_excluded"})


def _asc842_exempt(terms: LeaseTerms, policy: LeasePolicy) -> bool:
    if "ASC842" not in policy.enabled_standards or terms.end_date < terms.commencement_date:
        return False
    return exemptions(terms, policy, ("ASC842",))["ASC842"] is not None


def assess(data: dict, policy: LeasePolicy, ibr: IbrLookup, fx: FxTable, *, full: bool = True) -> Assessment:
    """Parse, resolve the discount rate and check FX; with ``full`` also run the engine's
    validation (warnings and errors for the reviewer). Engine jobs on confirmed leases pass
    ``full=False``: confirm already validated them, and a portfolio is parsed once per job."""
    try:
        terms = parse_lease(data)
    except InvalidLeaseInput as exc:
        return Assessment(None, None, None, [_issue("error", e["field"], e["code"], e["message"]) for e in exc.errors])
    except EngineError as exc:
        return Assessment(None, None, None, [_issue("error", exc.field, exc.code, exc.message)])
    issues = [i.to_dict() for i in validate_lease(terms, policy)] if full else []
    if issues and _asc842_exempt(terms, policy):
        # An exempt lease is not classified under ASC 842: inputs of the classification tests are not asked for.
        issues = [i for i in issues if i["code"] not in ASC842_CLASSIFICATION_ONLY]
    rate, source = terms.discount_rate, None
    if rate is None and terms.end_date >= terms.commencement_date:
        term_months = math.ceil(build_clock(terms.commencement_date, terms.end_date).term_months)
        found = ibr.resolve(terms.currency, term_months, terms.commencement_date)
        if found is None:
            issues = [i for i in issues if i["code"] != "discount_rate_missing"]
            issues.append(_issue(
                "error", "discount_rate", "discount_rate_missing",
                f"No discount rate on the lease and no IBR-matrix rate for {terms.currency}, {term_months} months, "
                f"effective {terms.commencement_date.isoformat()}. Enter a rate or extend the IBR matrix."))
        else:
            rate, source = found
            issues = [i for i in issues if i["code"] != "discount_rate_missing"]
    elif rate is not None:
        source = {"source": "lease"}
    fc = policy.functional_currency
    if fc and terms.currency != fc and not fx.has_pair(terms.currency, fc):
        issues.append(_issue("error", "currency", "fx_rate_missing",
                             f"The lease is in {terms.currency} but the entity reports in {fc}, and there are no "
                             f"{terms.currency}/{fc} FX rates. Add them with PUT /v1/fx-rates."))
    return Assessment(terms, rate, source, issues)
