"""Which IFRS 16 / ASC 842 branch an event takes, and why (recorded on the result).

The branch is decided from the recorded ``modification_type`` / ``reason`` and the
standard, never guessed from the numbers:

- Separate lease (IFRS 16.44; ASC 842-10-25-8): original untouched; the new lease is
  returned as input for the service to create.
- Decrease in scope (IFRS 16.46(a); ASC 842-10-25-12 partial termination): derecognise
  ``scope_decrease_fraction`` of the ROU carrying amount (cost and accumulated depreciation
  pro rata, IE 17 journal) and of the liability (``proportionate``, IE 17) or take the
  liability straight to its remeasured amount (``lost_payments``, IE 18); the difference
  is gain/loss; the rest is remeasured at the revised rate against the ROU.
- Term reduction: IFRS treats it as a decrease in scope (IE 18; fraction = share of the
  remaining term given up, default method ``lost_payments``). ASC 842 does not: "a
  decrease in lease term is not considered a partial termination" (PwC LG 5.3.4 / Ex 5-6),
  so the whole change goes against the ROU with no gain.
- Other modifications (extension, consideration only, other): remeasure at the revised
  rate, adjust the ROU, no P&L (IFRS 16.46(b), IE 16/19; ASC 842-10-25-13, PwC Ex 5-5/5-7).
- Reassessments without a modification: term / purchase option at a revised rate (IFRS
  16.40-41; ASC 842-10-35-4(c)); RVG and index at the unchanged rate (IFRS 16.42-43). ASC
  842 does not remeasure for an index change alone (842-10-35-5 after ASU 2018-10): the
  index is stored and used at the next remeasurement; meanwhile the difference is
  variable lease cost.
- ASC 842 reassesses classification on a modification that is not a separate contract and
  on a term or purchase-option reassessment (842-10-25-1), at the effective date.
- A decrease that would take the ROU below zero: the excess is a gain (IFRS 16.39; applied
  to ASC 842 too, where the reference notes it is not verified).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .model import LeaseEvent


@dataclass(frozen=True)
class Branch:
    name: str
    rationale: tuple[str, ...]
    decrease_fraction: Decimal | None = None  # partial derecognition share, None if none
    decrease_method: str | None = None
    revised_rate: bool = True
    reassess_classification: bool = False
    pass_through: bool = False  # no change to the schedule (separate lease, ASC index, catch-up)
    terminate: bool = False


def resolve(ev: LeaseEvent, standard: str, term_fraction: Decimal | None) -> Branch:
    """The branch for ``ev`` under ``standard``; ``term_fraction`` is the share of the remaining
    term a shortened end date gives up (None when the end date does not move earlier)."""
    ifrs = standard == "IFRS16"
    pre = "ifrs16" if ifrs else "asc842"
    asc = not ifrs
    if ev.run_type == "CATCH_UP":
        return Branch("catch_up", ("A catch-up run changes no lease terms: the service posts "
                                   "catch_up_entry(...) in the first open period.",), pass_through=True)
    if ev.run_type == "TERMINATION":
        if ev.is_partial_termination:
            return Branch(f"{pre}.partial_termination.{ev.decrease_method or 'proportionate'}",
                          ("A partial termination is a decrease in scope: the share given up is derecognised "
                           "with a gain or loss, the rest remeasured (IFRS 16.46(a); ASC 842-10-25-12, PwC LG 5.5.1).",),
                          ev.scope_decrease_fraction, ev.decrease_method or "proportionate",
                          reassess_classification=asc)
        return Branch(f"{pre}.full_termination",
                      ("Full early termination: liability and ROU (cost and accumulated depreciation) are "
                       "derecognised; the difference and any termination payment are gain or loss (PwC LG 5.5).",),
                      revised_rate=False, terminate=True)
    if ev.run_type == "REMEASUREMENT":
        r = ev.reason
        if r == "index_change" and asc:
            return Branch("asc842.index_change_deferred",
                          ("ASC 842-10-35-5 (ASU 2018-10): an index change alone does not remeasure the liability; "
                           "the index is stored and applied at the next remeasurement, the difference meanwhile "
                           "is variable lease cost.",), revised_rate=False, pass_through=True)
        texts = {
            "index_change": "IFRS 16.42(b)/43 and IE 14: payments reset by the index are remeasured when the cash "
                            "flows change, at the unchanged discount rate; the ROU absorbs the change.",
            "rvg_change": "Change in the amount expected payable under a residual value guarantee: remeasured at "
                          "the unchanged rate (IFRS 16.42(a); ASC 842-10-35-4(c)(3)).",
            "term_reassessment": "Change in the lease term assessment: remeasured at a revised rate, ROU adjusted "
                                 "(IFRS 16.40(a)/41; ASC 842-10-35-4(c), classification reassessed 842-10-25-1).",
            "purchase_option_reassessment": "Change in the purchase-option assessment: remeasured at a revised "
                                            "rate, ROU adjusted (IFRS 16.40(b)/41; ASC 842-10-35-4(c), "
                                            "classification reassessed 842-10-25-1).",
        }
        revised = r not in ("index_change", "rvg_change")
        assert r is not None  # parse_event requires the reason of a REMEASUREMENT
        return Branch(f"{pre}.remeasurement.{r}", (texts[r],), revised_rate=revised,
                      reassess_classification=asc and revised)
    mt = ev.modification_type
    if mt == "separate_lease":
        return Branch(f"{pre}.separate_lease",
                      ("Additional right of use at a price commensurate with its stand-alone price: a separate "
                       "lease from its own commencement; the original lease is not adjusted (IFRS 16.44, IE 15; "
                       "ASC 842-10-25-8).",), revised_rate=False, pass_through=True)
    if mt == "decrease_scope":
        method = ev.decrease_method or "proportionate"
        src = {"proportionate": "IE 17 (share of the carrying amounts)",
               "lost_payments": "IE 18 (liability to the PV of the payments kept)"}[method]
        return Branch(f"{pre}.decrease_in_scope.{method}",
                      (f"Decrease in scope: derecognise {ev.scope_decrease_fraction} of the ROU and the liability "
                       f"per IFRS 16.46(a), {src}; gain or loss in P&L; the remaining lease is remeasured at the "
                       "revised rate against the ROU." + (" ASC 842-10-25-12 partial termination (the two PwC "
                                                          "LG 5.5.1 methods map to the same two options)." if asc else ""),),
                      ev.scope_decrease_fraction, method, reassess_classification=asc)
    if mt == "shorten_term" and ifrs and term_fraction is not None:
        method = ev.decrease_method or "lost_payments"
        frac = ev.scope_decrease_fraction or term_fraction
        return Branch(f"ifrs16.term_reduction.{method}",
                      (f"IFRS 16 treats a shorter term as a decrease in scope (IE 18): {frac} of the remaining "
                       f"right of use is given up; partial derecognition ({method}) with gain or loss, then "
                       "remeasurement at the revised rate.",), frac, method)
    if mt == "shorten_term":
        return Branch("asc842.term_reduction" if asc else "ifrs16.other_modification",
                      ("ASC 842: a decrease in lease term is not a partial termination (PwC LG 5.3.4, Ex 5-6): the "
                       "whole liability change is taken against the ROU, no gain or loss; classification reassessed."
                       if asc else "The end date does not move earlier: remeasured at the revised rate.",),
                      reassess_classification=asc)
    assert mt is not None  # parse_event requires the modification_type of a MODIFICATION
    return Branch(f"{pre}.other_modification",
                  (f"{mt.replace('_', ' ').capitalize()}: not a separate lease and not a decrease in scope, so the "
                   "liability is remeasured at the revised rate and the ROU adjusted by the same amount, no P&L "
                   + ("(IFRS 16.46(b), IE 16 / IE 19)." if ifrs else
                      "(ASC 842-10-25-13, PwC Ex 5-5 / 5-7); classification reassessed (842-10-25-1)."),),
                  reassess_classification=asc)
