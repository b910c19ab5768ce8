"""Recognition exemptions (both standards) and ASC 842 lessee classification.

Short-term (IFRS 16.5-8 and App. A; ASC 842-20-25-2): term of 12 months or
less at commencement, elected by asset class. IFRS: any purchase option
disqualifies; ASC: only one the lessee is reasonably certain to exercise.
Low-value (IFRS 16.B3-B8, IFRS only): value of the asset when new at or below
the policy threshold, elected by asset class.
ASC 842-10-25-2: finance if any of (a)-(e) is met; the 75 % / 90 % lines are
policy thresholds. A test whose inputs are missing is "not_assessed" and
raises a review warning rather than passing silently.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass
from decimal import Decimal

from .policy import LeasePolicy
from .terms import LeaseTerms

MET, NOT_MET, NOT_ASSESSED = "met", "not_met", "not_assessed"


@dataclass(frozen=True)
class ClassificationResult:
    classification: str | None  # finance | operating | None (exempt)
    exemption: str | None  # short_term | low_value | None
    tests: tuple[dict[str, Any], ...] = ()
    warnings: tuple[dict[str, Any], ...] = ()
    override: dict[str, Any] | None = None


def exemption_for(terms: LeaseTerms, policy: LeasePolicy, standard: str, term_months: Decimal,
                  value_new_in_entity_currency: Decimal | None = None) -> str | None:
    """``short_term``, ``low_value`` or None. The low-value test uses the asset's value
    when new in the entity's currency when given, else ``underlying_asset_value_new``."""
    po = terms.purchase_option
    value_new = value_new_in_entity_currency if value_new_in_entity_currency is not None \
        else terms.underlying_asset_value_new
    if term_months <= 12 and policy.short_term_elected(terms.asset_class):
        if standard == "IFRS16" and po is None:
            return "short_term"
        if standard == "ASC842" and (po is None or not po.reasonably_certain):
            return "short_term"
    if (standard == "IFRS16" and value_new is not None
            and value_new <= policy.low_value_threshold
            and policy.low_value_elected(terms.asset_class)):
        return "low_value"
    return None


def _ratio(a: Decimal, b: Decimal) -> str:
    return str((a / b).quantize(Decimal("0.0001")))


def classify_asc842(terms: LeaseTerms, policy: LeasePolicy, term_months: Decimal,
                    pv_for_test: Decimal) -> ClassificationResult:
    """The five ASC 842-10-25-2 tests with their inputs; ``pv_for_test`` is the PV
    of the lease payments at commencement including the full guaranteed residual."""
    tests: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    po = terms.purchase_option

    tests.append({"test": "transfer_of_ownership", "reference": "ASC 842-10-25-2(a)",
                  "inputs": {"transfer_of_ownership": terms.transfer_of_ownership},
                  "result": MET if terms.transfer_of_ownership else NOT_MET})
    tests.append({"test": "purchase_option_reasonably_certain", "reference": "ASC 842-10-25-2(b)",
                  "inputs": {"purchase_option": po is not None,
                             "reasonably_certain": bool(po and po.reasonably_certain)},
                  "result": MET if po is not None and po.reasonably_certain else NOT_MET})

    life = terms.economic_life_months or terms.useful_life_months
    thr = policy.asc_major_part_threshold
    inputs = {"lease_term_months": str(term_months), "economic_life_months": life, "threshold": str(thr)}
    if life:
        inputs["ratio"] = _ratio(term_months, Decimal(life))
        res = MET if term_months >= thr * life else NOT_MET
    else:
        res = NOT_ASSESSED
        warnings.append({"field": "economic_life_months", "code": "classification_input_missing",
                         "message": "Economic (or useful) life is missing, so the major-part test was not assessed."})
    tests.append({"test": "lease_term_major_part_of_economic_life", "reference": "ASC 842-10-25-2(c)",
                  "inputs": inputs, "result": res})

    thr = policy.asc_substantially_all_threshold
    inputs = {"present_value_of_payments_and_guarantee": str(pv_for_test),
              "fair_value": None if terms.fair_value is None else str(terms.fair_value), "threshold": str(thr)}
    if terms.fair_value:
        inputs["ratio"] = _ratio(pv_for_test, terms.fair_value)
        res = MET if pv_for_test >= thr * terms.fair_value else NOT_MET
    else:
        res = NOT_ASSESSED
        warnings.append({"field": "fair_value", "code": "classification_input_missing",
                         "message": "Fair value is missing, so the substantially-all (90 %) test was not assessed."})
    tests.append({"test": "present_value_substantially_all_fair_value", "reference": "ASC 842-10-25-2(d)",
                  "inputs": inputs, "result": res})

    if terms.specialized_asset is None:
        res = NOT_ASSESSED
        warnings.append({"field": "specialized_asset", "code": "classification_input_missing",
                         "message": "Whether the asset is specialised was not stated; the test was not assessed."})
    else:
        res = MET if terms.specialized_asset else NOT_MET
    tests.append({"test": "specialized_asset_no_alternative_use", "reference": "ASC 842-10-25-2(e)",
                  "inputs": {"specialized_asset": terms.specialized_asset}, "result": res})

    computed = "finance" if any(t["result"] == MET for t in tests) else "operating"
    if computed == "finance":
        warnings = []  # a met test decides; missing inputs elsewhere cannot change the answer
    ov = terms.override_for("ASC842")
    override = None
    classification = computed
    if ov is not None:
        override = {"classification": ov.classification, "reason": ov.reason, "computed": computed}
        classification = ov.classification
        tests.append({"test": "manual_override", "reference": "entity judgement",
                      "inputs": {"reason": ov.reason, "computed_classification": computed},
                      "result": ov.classification})
    return ClassificationResult(classification, None, tuple(tests), tuple(warnings), override)
