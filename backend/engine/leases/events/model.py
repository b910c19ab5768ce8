"""Lease events as frozen values, and ``parse_event`` from the API's ``changes`` object.

``parse_event`` only checks what the request itself can tell (types, ranges, which
fields each run type needs); rules that depend on the lease's history (effective
date after commencement, after the previous event, no event after a termination)
are checked by ``apply_events``. Both raise before anything is computed.

Field reference (``changes``):

- ``modification_type`` (MODIFICATION): separate_lease | decrease_scope | extend_term |
  shorten_term | change_in_consideration | other.
- ``reason`` (REMEASUREMENT): index_change | term_reassessment |
  purchase_option_reassessment | rvg_change.
- ``scope_decrease_fraction`` in (0, 1]; ``decrease_method``: proportionate (IFRS 16 IE 17,
  default for space) | lost_payments (IFRS 16 IE 18, default for an IFRS term reduction).
- ``payments``: streams (``parse_lease`` format) replacing every stream payment dated on or
  after the effective date; ``other_payments`` likewise for one-off payments.
- ``end_date``: the new lease end date; ``discount_rate``: the revised annual rate (fraction).
- ``index_value``: the index level now in force (base: ``index_at_commencement``).
- ``purchase_option`` {price, exercise_date, reasonably_certain}; ``residual_value_guarantee``
  {guaranteed_amount, expected_residual_value}; ``fair_value`` at the effective date (ASC
  classification reassessment).
- ``termination_payment``: penalty paid on a full termination (>= 0).
- ``new_lease``: the full lease input of a separate lease (validated with ``parse_lease``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from ...errors import InvalidLeaseInput
from ...inputs import FieldCollector
from ..terms import (OtherPayment, PaymentStream, PurchaseOption, ResidualValueGuarantee, _parse_stream, _sub,
                     parse_lease, parse_other_payments)

RUN_TYPES = ("MODIFICATION", "REMEASUREMENT", "TERMINATION", "CATCH_UP")
MODIFICATION_TYPES = ("separate_lease", "decrease_scope", "extend_term", "shorten_term",
                      "change_in_consideration", "other")
REASONS = ("index_change", "term_reassessment", "purchase_option_reassessment", "rvg_change")
DECREASE_METHODS = ("proportionate", "lost_payments")
KNOWN_FIELDS = frozenset({
    "modification_type", "reason", "scope_decrease_fraction", "decrease_method", "payments",
    "other_payments", "end_date", "discount_rate", "index_value", "purchase_option",
    "residual_value_guarantee", "fair_value", "termination_payment", "new_lease",
})
# Changes that keep the original discount rate: IFRS 16.42-43 (index or RVG); ASC 842-10-35-5.
UNCHANGED_RATE_REASONS = ("index_change", "rvg_change")


@dataclass(frozen=True)
class LeaseEvent:
    """One change to a lease, effective at the start of ``effective_date``.

    ``changes`` keeps the request's canonical form (for the run's lineage and the
    inputs hash); the typed fields are what the engine uses. ``payments`` /
    ``other_payments`` are None when not given (the current ones continue).
    """

    run_type: str
    effective_date: date
    modification_type: str | None = None
    reason: str | None = None
    scope_decrease_fraction: Decimal | None = None
    decrease_method: str | None = None
    payments: tuple[PaymentStream, ...] | None = None
    other_payments: tuple[OtherPayment, ...] | None = None
    end_date: date | None = None
    discount_rate: Decimal | None = None
    index_value: Decimal | None = None
    purchase_option: PurchaseOption | None = None
    residual_value_guarantee: ResidualValueGuarantee | None = None
    fair_value: Decimal | None = None
    termination_payment: Decimal = Decimal(0)
    new_lease: dict[str, Any] | None = None
    changes: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_partial_termination(self) -> bool:
        return self.run_type == "TERMINATION" and self.scope_decrease_fraction is not None \
            and self.scope_decrease_fraction < 1

    def lineage(self) -> dict[str, Any]:
        """What the service stores to replay this event: run type, date, the changes as given."""
        return {"run_type": self.run_type, "effective_date": self.effective_date.isoformat(),
                "changes": self.changes}


def _streams(c: FieldCollector, raw: Any, path: str) -> tuple[PaymentStream, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, (list, tuple)):
        c.add(path, "invalid_list", f"{path} must be a list of payment streams.")
        return None
    out = []
    for i, s in enumerate(raw):
        ps = _parse_stream(c, s, f"{path}[{i}]")
        if ps:
            out.append(ps)
    return tuple(out)


def _others(c: FieldCollector, raw: Any, path: str) -> tuple[OtherPayment, ...] | None:
    return None if raw is None else parse_other_payments(c, raw, path)


def _require(c: FieldCollector, ch: Mapping[str, Any], key: str, why: str) -> None:
    if ch.get(key) in (None, ""):
        c.add(f"changes.{key}", "required", f"changes.{key} is required: {why}")


def _forbid(c: FieldCollector, ch: Mapping[str, Any], key: str, why: str) -> None:
    if ch.get(key) not in (None, ""):
        c.add(f"changes.{key}", "not_applicable", f"changes.{key} does not apply: {why}")


def parse_event(run_type: str, effective_date: Any, changes: Mapping[str, Any] | None) -> LeaseEvent:
    """Validate one event request and return a ``LeaseEvent``.

    Raises ``InvalidLeaseInput`` (code ``invalid_lease_input``) listing every problem in
    ``details["errors"]`` with paths such as ``changes.scope_decrease_fraction``.
    """
    c = FieldCollector()
    ch: Mapping[str, Any] = changes if changes is not None else {}
    if not isinstance(ch, Mapping):
        c.add("changes", "invalid_object", "changes must be an object.")
        raise InvalidLeaseInput(c.errors)
    rt = run_type.strip().upper() if isinstance(run_type, str) else run_type
    if rt not in RUN_TYPES:
        c.add("run_type", "invalid_choice", f"run_type must be one of {', '.join(RUN_TYPES)}, got {run_type!r}.")
    eff = c.date({"effective_date": effective_date}, "effective_date", "effective_date")
    for k in sorted(set(ch) - KNOWN_FIELDS):
        c.add(f"changes.{k}", "unknown_field", f"changes.{k} is not a recognised change.")

    mt = c.choice(ch, "modification_type", "changes.modification_type", MODIFICATION_TYPES, None)
    reason = c.choice(ch, "reason", "changes.reason", REASONS, None)
    frac = c.money(ch, "scope_decrease_fraction", "changes.scope_decrease_fraction")
    if frac is not None and not (0 < frac <= 1):
        c.add("changes.scope_decrease_fraction", "out_of_range",
              "changes.scope_decrease_fraction must be in (0, 1] (0.5 = half of the right of use given up).")
    method = c.choice(ch, "decrease_method", "changes.decrease_method", DECREASE_METHODS, None)
    payments = _streams(c, ch.get("payments"), "changes.payments")
    others = _others(c, ch.get("other_payments"), "changes.other_payments")
    end = c.date(ch, "end_date", "changes.end_date", required=False)
    rate = c.money(ch, "discount_rate", "changes.discount_rate")
    if rate is not None and not (0 <= rate < 1):
        c.add("changes.discount_rate", "rate_out_of_range",
              "changes.discount_rate is an annual fraction between 0 and 1 (0.05 for 5 %).")
    index = c.money(ch, "index_value", "changes.index_value")
    if index is not None and index <= 0:
        c.add("changes.index_value", "out_of_range", "changes.index_value must be positive.")
    po = None
    p = _sub(ch, "purchase_option")
    if p is not None:
        price = c.money(p, "price", "changes.purchase_option.price", required=True, non_negative=True)
        ed = c.date(p, "exercise_date", "changes.purchase_option.exercise_date", required=False)
        rc = c.boolean(p, "reasonably_certain", "changes.purchase_option.reasonably_certain", False)
        if price is not None:
            po = PurchaseOption(price, ed, bool(rc))
    elif ch.get("purchase_option") not in (None, ""):
        c.add("changes.purchase_option", "invalid_object", "changes.purchase_option must be an object.")
    rvg = None
    r = _sub(ch, "residual_value_guarantee")
    if r is not None:
        g = c.money(r, "guaranteed_amount", "changes.residual_value_guarantee.guaranteed_amount",
                    required=True, non_negative=True)
        e = c.money(r, "expected_residual_value", "changes.residual_value_guarantee.expected_residual_value",
                    required=True, non_negative=True)
        if g is not None and e is not None:
            rvg = ResidualValueGuarantee(g, e)
    fair_value = c.money(ch, "fair_value", "changes.fair_value", non_negative=True)
    penalty = c.money(ch, "termination_payment", "changes.termination_payment", default=Decimal(0),
                      non_negative=True)
    new_lease = None

    if rt == "MODIFICATION":
        if ch.get("modification_type") in (None, ""):
            c.add("changes.modification_type", "required", "changes.modification_type is required for a "
                  "MODIFICATION (the branch of IFRS 16.44-46 / ASC 842-10-25-8 ff. is recorded, not guessed).")
        _forbid(c, ch, "reason", "a reason describes a REMEASUREMENT without a modification.")
        if mt == "separate_lease":
            raw = ch.get("new_lease")
            if not isinstance(raw, Mapping):
                c.add("changes.new_lease", "required", "changes.new_lease (the full lease input) is required "
                      "for a separate lease (IFRS 16.44, ASC 842-10-25-8).")
            else:
                try:
                    nl = parse_lease(raw)
                    if eff and nl.commencement_date < eff:
                        c.add("changes.new_lease.commencement_date", "commencement_before_effective_date",
                              "the separate lease cannot commence before the modification's effective date.")
                    new_lease = dict(raw)
                except InvalidLeaseInput as err:
                    for problem in err.errors:
                        c.add(f"changes.new_lease.{problem['field']}".rstrip("."), problem["code"],
                              problem["message"])
        elif mt is not None:
            _require(c, ch, "discount_rate", "a modification that is not a separate lease is remeasured at a "
                     "revised discount rate (IFRS 16.45(c); ASC 842-10-25-12).")
        if mt == "decrease_scope":
            _require(c, ch, "scope_decrease_fraction", "a decrease in scope derecognises that share of the "
                     "right-of-use asset (IFRS 16.46(a)).")
        if mt in ("extend_term", "shorten_term"):
            _require(c, ch, "end_date", f"{mt} changes the lease end date.")
        if mt == "change_in_consideration" and ch.get("payments") is None and ch.get("other_payments") is None:
            c.add("changes.payments", "required", "a change in consideration needs the new payments.")
    elif rt == "REMEASUREMENT":
        if ch.get("reason") in (None, ""):
            c.add("changes.reason", "required", "changes.reason is required for a REMEASUREMENT.")
        _forbid(c, ch, "modification_type", "a REMEASUREMENT is not a modification.")
        if reason in UNCHANGED_RATE_REASONS:
            _forbid(c, ch, "discount_rate", "an index or residual value guarantee change is remeasured at "
                    "the unchanged discount rate (IFRS 16.42-43; ASC 842-10-35-5).")
        elif reason is not None:
            _require(c, ch, "discount_rate", "a change in lease term or purchase-option assessment is "
                     "remeasured at a revised discount rate (IFRS 16.40-41; ASC 842-10-35-5).")
        if reason == "index_change":
            _require(c, ch, "index_value", "an index change needs the index level now in force.")
        if reason == "term_reassessment":
            _require(c, ch, "end_date", "a term reassessment changes the lease end date.")
        if reason == "purchase_option_reassessment":
            _require(c, ch, "purchase_option", "a purchase-option reassessment needs the option.")
        if reason == "rvg_change":
            _require(c, ch, "residual_value_guarantee", "an RVG change needs the guarantee.")
    elif rt == "TERMINATION":
        if frac is not None and frac < 1:
            # partial termination = decrease in scope (IFRS 16.46(a)); the rest is remeasured
            _require(c, ch, "discount_rate", "a partial termination remeasures the remaining lease at a "
                     "revised discount rate (IFRS 16.45(c)).")
    takes_penalty = rt == "TERMINATION" or (rt == "MODIFICATION" and mt == "decrease_scope")
    if not takes_penalty:
        _forbid(c, ch, "termination_payment", "a termination payment belongs to a TERMINATION or a decrease "
                "in scope (it is part of the gain or loss).")
    if c.errors:
        raise InvalidLeaseInput(c.errors)
    assert eff is not None and penalty is not None  # required / defaulted: a problem would be in c.errors
    return LeaseEvent(
        run_type=rt, effective_date=eff, modification_type=mt, reason=reason, scope_decrease_fraction=frac,
        decrease_method=method, payments=payments, other_payments=others, end_date=end, discount_rate=rate,
        index_value=index, purchase_option=po, residual_value_guarantee=rvg, fair_value=fair_value,
        termination_payment=penalty, new_lease=new_lease, changes=_canonical_changes(ch),
    )


def _canonical_changes(ch: Mapping[str, Any]) -> dict[str, Any]:
    from ...fingerprint import canonical
    out: dict[str, Any] = canonical(dict(ch))
    return out
