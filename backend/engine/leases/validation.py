"""Business checks on parsed lease terms for the API's validate endpoint.

Errors block computation; warnings need a reviewer's eye; info are hints.
Field-format problems are caught earlier by ``parse_lease``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence, cast

from dataclasses import dataclass
from decimal import Decimal

from ..calendar import ONE_DAY
from ..money import minor_unit
from .cashflows import expand_stream
from .policy import LeasePolicy
from .terms import LeaseTerms, PaymentStream
from .timeline import lease_term_months

ERROR, WARNING, INFO = "error", "warning", "info"

AddIssue = Callable[[str, str | None, str, str], None]
"""``add(severity, field, code, message)``"""


@dataclass(frozen=True)
class Issue:
    severity: str
    field: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "field": self.field, "code": self.code, "message": self.message}


def validate_lease(terms: LeaseTerms, policy: LeasePolicy) -> list[Issue]:
    """All issues found in ``terms`` under ``policy`` (deterministic order)."""
    out: list[Issue] = []

    def add(sev: str, f: str | None, code: str, msg: str) -> None:
        out.append(Issue(sev, f, code, msg))
    c, e = terms.commencement_date, terms.end_date
    if e < c:
        add(ERROR, "end_date", "end_before_commencement", "The end date is before the commencement date.")
        return out
    if not terms.payments and not terms.other_payments and not terms.prepaid_lease_payments:
        add(ERROR, "payments", "missing_payments", "The lease has no payments.")
    end_instant = e + ONE_DAY
    for i, s in enumerate(terms.payments):
        path = f"payments[{i}]"
        flows = expand_stream(s, c, terms.currency, path)
        if not flows:
            add(ERROR, path, "stream_without_payments", "No payment date falls between from and to.")
        elif flows[-1].instant > end_instant:
            add(ERROR, f"{path}.to", "payment_after_end_date",
                f"The stream pays on {flows[-1].date.isoformat()}, after the lease end date.")
        if s.timing == "arrears" and s.start <= c:
            add(INFO, f"{path}.from", "arrears_from_read_as_period_start",
                "An arrears stream starting on the commencement date is read as the start of the first "
                "period: each payment falls on the last day of its period.")
        if s.kind == "index_linked" and terms.index_at_commencement is None:
            add(WARNING, "index_at_commencement", "index_at_commencement_missing",
                "Index-linked payments are measured at the commencement index; record that index.")
        if s.escalation is not None and 0 < abs(s.escalation.percent) < 1:
            add(WARNING, f"{path}.escalation.percent", "escalation_percent_small",
                "Escalation is in percent (3 means 3 %); check that a fraction was not entered.")
        if s.amount < 0:
            add(WARNING, f"{path}.amount", "negative_payment", "A negative recurring payment; check the sign.")
    for j, i in _overlaps(terms.payments):
        add(WARNING, f"payments[{j}]", "overlapping_streams",
            f"payments[{j}] overlaps payments[{i}] in time; both will be paid. Check this is intended.")
    for i, o in enumerate(terms.other_payments):
        if o.date > e:
            add(ERROR, f"other_payments[{i}].date", "payment_after_end_date",
                "This payment falls after the lease end date.")
    po = terms.purchase_option
    if po is not None and po.exercise_date is not None and po.exercise_date > e:
        add(ERROR, "purchase_option.exercise_date", "payment_after_end_date",
            "The purchase option is exercised after the lease end date.")
    if terms.discount_rate is None and not terms.implicit_rate_requested:
        add(WARNING, "discount_rate", "discount_rate_missing",
            "No discount rate: the entity's IBR matrix will be used (currency x term band x date).")
    if terms.residual_value_guarantee and terms.residual_value_guarantee.expected_shortfall == 0:
        add(INFO, "residual_value_guarantee", "rvg_no_expected_shortfall",
            "No shortfall is expected, so the guarantee adds nothing to the liability (it still counts in the "
            "ASC 842 substantially-all test).")
    if (terms.transfer_of_ownership or (po is not None and po.reasonably_certain)) and not terms.useful_life_months:
        add(WARNING, "useful_life_months", "useful_life_missing",
            "The ROU asset depreciates over the useful life when ownership transfers or the purchase option is "
            "reasonably certain; give useful_life_months.")
    term = lease_term_months(c, e)
    if "ASC842" in policy.enabled_standards:
        decided = terms.transfer_of_ownership or (po is not None and po.reasonably_certain) \
            or bool(terms.specialized_asset) or terms.override_for("ASC842") is not None
        if not decided:
            if terms.fair_value is None:
                add(WARNING, "fair_value", "classification_input_missing",
                    "Fair value is missing, so the ASC 842 substantially-all (90 %) test cannot be assessed.")
            if not (terms.economic_life_months or terms.useful_life_months):
                add(WARNING, "economic_life_months", "classification_input_missing",
                    "Economic life is missing, so the ASC 842 major-part (75 %) test cannot be assessed.")
            if terms.specialized_asset is None:
                add(WARNING, "specialized_asset", "classification_input_missing",
                    "State whether the asset is specialised (ASC 842-10-25-2(e)).")
        if terms.restoration_costs and not policy.asc_restoration_in_rou:
            add(WARNING, "restoration_costs", "asc_restoration_excluded",
                "Restoration costs are excluded from the ASC 842 ROU asset by policy; review under ASC 410-20.")
    if term <= 12:
        if not policy.short_term_elected(terms.asset_class):
            add(INFO, "end_date", "short_term_not_elected",
                "The term is 12 months or less but the short-term exemption is not elected for this asset class.")
        elif po is not None and "IFRS16" in policy.enabled_standards:
            add(INFO, "purchase_option", "short_term_blocked_by_purchase_option",
                "Under IFRS 16 a lease with a purchase option cannot be short-term.")
    v = terms.underlying_asset_value_new
    if "IFRS16" in policy.enabled_standards and v is not None and v <= policy.low_value_threshold \
            and not policy.low_value_elected(terms.asset_class):
        add(INFO, "underlying_asset_value_new", "low_value_not_elected",
            "The asset is low-value when new but the exemption is not elected for this asset class.")
    if terms.override_for("IFRS16") is not None:
        add(WARNING, "classification_override", "ifrs16_has_no_lessee_classification",
            "IFRS 16 has a single lessee model; a classification override for IFRS16 has no effect.")
    cc = terms.compounding_interval_months or policy.compounding_interval_months
    if cc and terms.payments and cc > min(s.interval_months for s in terms.payments):
        add(WARNING, "compounding_interval_months", "compounding_longer_than_payment_interval",
            "The compounding interval is longer than the payment interval.")
    if policy.functional_currency and policy.functional_currency != terms.currency:
        add(INFO, "currency", "foreign_currency_lease",
            f"The lease is in {terms.currency}; exchange rates to {policy.functional_currency} are needed.")
    _implausible(terms, add)
    return out


# Bounds for "is this a typo?" warnings; they never block, they ask a reviewer to look.
PLAUSIBLE_RATE = (Decimal("0.001"), Decimal("0.25"))
PLAUSIBLE_PAYMENTS_TO_FAIR_VALUE = Decimal(10)


def _implausible(terms: LeaseTerms, add: AddIssue) -> None:
    rate = terms.discount_rate
    if rate is not None and rate != 0 and not (PLAUSIBLE_RATE[0] <= rate <= PLAUSIBLE_RATE[1]):
        add(WARNING, "discount_rate", "implausible_discount_rate",
            f"A discount rate of {rate * 100:f} % a year is unusual; check it is a fraction (0.05 for 5 %).")
    places = minor_unit(terms.currency)
    for i, s in enumerate(terms.payments):
        if -cast(int, s.amount.as_tuple().exponent) > places:  # finite: parse_lease refuses NaN/Infinity
            add(WARNING, f"payments[{i}].amount", "amount_finer_than_currency",
                f"{s.amount} has more decimals than {terms.currency} uses ({places}); check the amount.")
    fv = terms.fair_value
    if fv and terms.payments:
        first_year = sum((s.amount * (12 // s.interval_months) for s in terms.payments), Decimal(0))
        if first_year > fv * PLAUSIBLE_PAYMENTS_TO_FAIR_VALUE:
            add(WARNING, "fair_value", "payments_far_above_fair_value",
                f"One year of payments ({first_year:f}) is over {PLAUSIBLE_PAYMENTS_TO_FAIR_VALUE}× the fair value "
                f"({fv:f}); check both amounts.")


def validate_lease_data(data: Mapping[str, Any], policy: LeasePolicy) -> list[Issue]:
    """Validate a raw JSON-like lease: field problems from ``parse_lease`` as errors,
    then (when it parses) the business checks of ``validate_lease``."""
    from ..errors import InvalidLeaseInput
    from .terms import parse_lease

    try:
        terms = parse_lease(data)
    except InvalidLeaseInput as e:
        return [Issue(ERROR, x["field"], x["code"], x["message"]) for x in e.errors]
    return validate_lease(terms, policy)


def _overlaps(streams: Sequence[PaymentStream]) -> list[tuple[int, int]]:
    """(j, i) for each stream j that overlaps an earlier-listed stream i of the same kind.

    Sort and sweep per kind, O(n log n): a stream overlaps what came before it in start order
    when it starts on or before the latest end seen so far. One warning per overlapping stream
    (naming the one it meets), so hostile input cannot multiply warnings quadratically.
    """
    found: dict[int, int] = {}
    by_kind: dict[str, list[int]] = {}
    for idx, st in enumerate(streams):
        by_kind.setdefault(st.kind, []).append(idx)
    for indexes in by_kind.values():
        order = sorted(indexes, key=lambda k: (streams[k].start, k))
        reach = None  # (latest end so far, its index)
        for k in order:
            st = streams[k]
            if reach is not None and st.start <= reach[0]:
                a, b = sorted((k, reach[1]))
                found.setdefault(b, a)
            if reach is None or st.end > reach[0]:
                reach = (st.end, k)
    return sorted(found.items())
