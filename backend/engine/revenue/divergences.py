"""IFRS 15 / ASC 606 differences that change a number for this contract, flagged per book.

Only differences the engine models are flagged: the collectibility threshold (25-1(e) "probable"
≈ likely to occur vs IFRS 15.9(e) more likely than not) and RPO expedients elected in one book only
(50-14A is ASC 606 only). Each entry says what it does in the book being computed.
"""

from __future__ import annotations

from typing import Any

from .contract import Contract
from .policy import ASC_ONLY_RPO_EXPEDIENTS, RevenuePolicy


def contract_exists(c: Contract, standard: str) -> bool:
    """Step 1 collectibility: a contract without the assessment is taken as collectible (the default
    input); ``more_likely_than_not`` passes IFRS 15 only; ``not_probable`` fails both."""
    a = c.collectibility.assessment if c.collectibility else "probable"
    return a == "probable" or (a == "more_likely_than_not" and standard == "IFRS15")


def divergences(c: Contract, policy: RevenuePolicy, standard: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if c.collectibility and c.collectibility.assessment == "more_likely_than_not":
        out.append({
            "code": "collectibility_threshold", "standard": standard,
            "reference": "ASC 606-10-25-1(e), 55-3A..3C; IFRS 15.9(e)",
            "rationale": c.collectibility.rationale,
            "effect": ("contract exists (collection more likely than not): revenue recognised"
                       if standard == "IFRS15" else
                       "no contract under ASC 606 (collection not probable): no revenue or receivable until "
                       "25-7 is met; amounts received would be a liability"),
        })
    for e in policy.rpo_expedients:
        if e in ASC_ONLY_RPO_EXPEDIENTS and c.transaction_price.variable and c.transaction_price.variable.allocated_to:
            out.append({
                "code": "rpo_variable_consideration_exemption", "standard": standard,
                "reference": "ASC 606-10-50-14A (no IFRS 15 equivalent)",
                "effect": ("variable consideration allocated to an unsatisfied PO left out of RPO"
                           if standard == "ASC606" else "election not available: RPO includes it"),
            })
    return out
