"""Rules an event must pass against the lease's history, and the contract terms it leads to.

``check`` raises ``EngineError`` naming the rule before anything is computed; ``new_terms``
applies the changes to the terms in force (a shorter term cuts the streams, a longer one
continues those that ran to the old end unless ``payments`` restate them);
``depreciation_months`` and ``reassess_classification`` give the ROU pattern from the
effective date.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from ...errors import EngineError
from ...money import quantize
from ..classification import ClassificationResult, classify_asc842
from ...fingerprint import canonical
from ..policy import LeasePolicy
from ..rates import RateBasis
from ..terms import LeaseTerms, PaymentStream
from ..timeline import LeaseClock
from .model import LeaseEvent
from .version import Version


def fail(code: str, msg: str, i: int, fld: str, **details: Any) -> EngineError:
    return EngineError(code, msg, field=f"events[{i}].{fld}", details={"event_index": i, **details})


def check(v: Version, ev: LeaseEvent, i: int) -> None:
    d, t = ev.effective_date, v.terms
    if v.terminated:
        raise fail("event_after_termination", "The lease was terminated by an earlier event; no later event "
                    "can apply to it.", i, "run_type")
    if d <= t.commencement_date:
        raise fail("effective_date_before_commencement", "An event must take effect after the commencement "
                    f"date ({t.commencement_date.isoformat()}).", i, "effective_date")
    if d > t.end_date:
        raise fail("effective_date_after_end", f"The lease ended on {t.end_date.isoformat()}; an event cannot "
                    "take effect after it.", i, "effective_date")
    if v.last_effective is not None and d < v.last_effective:
        raise fail("effective_date_before_previous_event", "Events replay in effective-date order; this one is "
                    f"dated before the previous event ({v.last_effective.isoformat()}).", i, "effective_date")
    if ev.end_date is not None and ev.end_date < d:
        raise fail("end_date_before_effective_date", "The new end date is before the effective date; use a "
                    "TERMINATION to end the lease.", i, "changes.end_date")
    if ev.modification_type in ("extend_term", "shorten_term"):
        assert ev.end_date is not None  # parse_event requires the new end date for these
        if ev.modification_type == "extend_term" and ev.end_date <= t.end_date:
            raise fail("end_date_not_later", "extend_term needs an end date after the current one "
                        f"({t.end_date.isoformat()}).", i, "changes.end_date")
        if ev.modification_type == "shorten_term" and ev.end_date >= t.end_date:
            raise fail("end_date_not_earlier", "shorten_term needs an end date before the current one "
                        f"({t.end_date.isoformat()}).", i, "changes.end_date")


def new_terms(v: Version, ev: LeaseEvent) -> LeaseTerms:
    t = v.terms
    end = ev.end_date or t.end_date
    streams: tuple[PaymentStream, ...]
    if ev.payments is not None:
        streams = ev.payments
    else:
        # unchanged streams: a shorter term cuts them; a longer one continues the streams
        # that ran to the old end on the same terms (give ``payments`` to say otherwise)
        kept: list[PaymentStream] = []
        for s in t.payments:
            if s.start > end:
                continue
            if s.end > end or (end > t.end_date and s.end == t.end_date):
                s = dataclasses.replace(s, end=end)
            kept.append(s)
        streams = tuple(kept)
    return dataclasses.replace(
        t, end_date=end, payments=streams,
        other_payments=ev.other_payments if ev.other_payments is not None else t.other_payments,
        purchase_option=ev.purchase_option or t.purchase_option,
        residual_value_guarantee=ev.residual_value_guarantee or t.residual_value_guarantee)


def depreciation_months(t: LeaseTerms, term: Decimal, td: Decimal) -> Decimal:
    """Remaining depreciation period from ``td``: the useful life when ownership transfers or
    the purchase option is reasonably certain, else the shorter of term and life."""
    rem_term = term - td
    life = Decimal(t.useful_life_months) - td if t.useful_life_months else None
    if life is None or life <= 0:
        return rem_term
    po = t.purchase_option
    if t.transfer_of_ownership or (po is not None and po.reasonably_certain):
        return life
    return min(rem_term, life)


def reassess_classification(t: LeaseTerms, ev: LeaseEvent, policy: LeasePolicy, clock: LeaseClock, td: Decimal,
                            rate: RateBasis, l_after_exact: Decimal) -> ClassificationResult:
    """ASC 842-10-25-2 tests at the effective date: remaining term vs remaining economic
    life, PV of the remaining payments (plus the full guaranteed residual) vs fair value."""
    rem_term = clock.term_months - td
    life = t.economic_life_months or t.useful_life_months
    rem_life = Decimal(life) - td if life and Decimal(life) > td else None
    pv = l_after_exact
    rvg = t.residual_value_guarantee
    if rvg is not None:
        pv += (rvg.guaranteed_amount - rvg.expected_shortfall) / rate.growth(rem_term)
    fv = ev.fair_value if ev.fair_value is not None else t.fair_value
    test_terms = dataclasses.replace(t, economic_life_months=rem_life, useful_life_months=None, fair_value=fv)
    cls = classify_asc842(test_terms, policy, rem_term, quantize(pv, t.currency))
    # remaining lives are fractional Decimals here: keep the recorded tests JSON-ready
    return dataclasses.replace(cls, tests=tuple(canonical(list(cls.tests))))
