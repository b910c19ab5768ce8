"""Lease contract terms as frozen values, and ``parse_lease`` from JSON-like input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from ..errors import InvalidLeaseInput
from ..inputs import FieldCollector
from ..money import is_iso_currency

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
TIMINGS = ("advance", "arrears")
STREAM_KINDS = ("fixed", "in_substance_fixed", "index_linked")
OTHER_KINDS = ("termination_penalty", "incentive_receivable")
RATE_CONVENTIONS = ("nominal", "effective")
STANDARDS = ("IFRS16", "ASC842")
ESCALATION_ROUNDINGS = ("each_step", "from_base")
IMPLICIT = "implicit"  # the discount_rate value asking for the rate implicit in the lease
CLASSIFICATIONS = ("finance", "operating")
# Per-lease caps (README, SECURITY.md): a real lease has a handful of streams; these bound the work.
MAX_PAYMENT_STREAMS = 600
MAX_OTHER_PAYMENTS = 600
MAX_ESCALATION_PERCENT = Decimal(1000)

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Escalation:
    percent: Decimal  # 3 means 3 %
    every_months: int
    # ``each_step`` (default): each new amount is the previous (already rounded) amount
    # grown once and rounded, as successive invoices are; ``from_base``: the base amount
    # grown by all steps at once, then rounded
    rounding: str = "each_step"


@dataclass(frozen=True, slots=True)
class PaymentStream:
    """A recurring payment. Dates: ``start`` then every ``interval`` months up to
    and including ``end`` (a month-end ``start`` stays on month ends). See
    ``cashflows.expand_stream`` for how ``timing`` places each payment."""

    start: date
    end: date
    amount: Decimal
    frequency: str
    timing: str = "advance"
    escalation: Escalation | None = None
    kind: str = "fixed"

    @property
    def interval_months(self) -> int:
        return FREQUENCY_MONTHS[self.frequency]


@dataclass(frozen=True, slots=True)
class OtherPayment:
    date: date
    amount: Decimal  # incentive receivable is negative
    kind: str


@dataclass(frozen=True, slots=True)
class ResidualValueGuarantee:
    guaranteed_amount: Decimal
    expected_residual_value: Decimal

    @property
    def expected_shortfall(self) -> Decimal:
        """The amount expected to be payable under the guarantee (never negative)."""
        return max(self.guaranteed_amount - self.expected_residual_value, _ZERO)


@dataclass(frozen=True, slots=True)
class PurchaseOption:
    price: Decimal
    exercise_date: date | None
    reasonably_certain: bool


@dataclass(frozen=True, slots=True)
class ClassificationOverride:
    standard: str
    classification: str
    reason: str


@dataclass(frozen=True, slots=True)
class LeaseTerms:
    """Everything the engine needs about one lease contract (amounts in ``currency``)."""

    entity: str
    external_id: str
    description: str
    asset_class: str
    currency: str
    commencement_date: date
    end_date: date
    payments: tuple[PaymentStream, ...] = ()
    other_payments: tuple[OtherPayment, ...] = ()
    residual_value_guarantee: ResidualValueGuarantee | None = None
    discount_rate: Decimal | None = None  # annual, as a fraction: 0.05 = 5 %
    rate_convention: str | None = None
    compounding_interval_months: int | None = None
    initial_direct_costs: Decimal = _ZERO
    lease_incentives_received: Decimal = _ZERO
    prepaid_lease_payments: Decimal = _ZERO
    restoration_costs: Decimal = _ZERO
    useful_life_months: int | None = None
    # whole months from parse_lease; an event's classification reassessment passes the fractional
    # remaining life (``events.checks.reassess_classification``)
    economic_life_months: int | Decimal | None = None
    transfer_of_ownership: bool = False
    purchase_option: PurchaseOption | None = None
    fair_value: Decimal | None = None
    specialized_asset: bool | None = None
    underlying_asset_value_new: Decimal | None = None
    classification_overrides: tuple[ClassificationOverride, ...] = ()
    index_at_commencement: Decimal | None = None
    implicit_rate_unguaranteed_residual: Decimal | None = None
    # ``discount_rate: "implicit"``: solve the rate implicit in the lease from ``fair_value``
    # and the unguaranteed residual (IFRS 16.26, ASC 842-20-30-3); see ``discount.resolve_rate``
    implicit_rate_requested: bool = False

    def override_for(self, standard: str) -> ClassificationOverride | None:
        for o in self.classification_overrides:
            if o.standard == standard:
                return o
        return None


# ---------------------------------------------------------------- parsing


def _sub(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    v = data.get(key)
    return v if isinstance(v, Mapping) else None


def _parse_stream(c: FieldCollector, s: Any, path: str) -> PaymentStream | None:
    if not isinstance(s, Mapping):
        c.add(path, "invalid_object", f"{path} must be an object.")
        return None
    start = c.date(s, "from", f"{path}.from")
    end = c.date(s, "to", f"{path}.to")
    amount = c.money(s, "amount", f"{path}.amount", required=True)
    freq = c.choice(s, "frequency", f"{path}.frequency", tuple(FREQUENCY_MONTHS), None)
    if s.get("frequency") in (None, ""):
        c.add(f"{path}.frequency", "required", f"{path}.frequency is required.")
    timing = c.choice(s, "timing", f"{path}.timing", TIMINGS, "advance")
    kind = c.choice(s, "kind", f"{path}.kind", STREAM_KINDS, "fixed")
    esc = None
    esc_raw = s.get("escalation")
    if esc_raw not in (None, {}, ""):
        if not isinstance(esc_raw, Mapping):
            c.add(f"{path}.escalation", "invalid_object", "escalation must be {percent, every_months}.")
        else:
            pct = c.money(esc_raw, "percent", f"{path}.escalation.percent", required=True)
            every = c.integer(esc_raw, "every_months", f"{path}.escalation.every_months", required=True)
            if pct is not None and not (-100 < pct <= MAX_ESCALATION_PERCENT):
                c.add(f"{path}.escalation.percent", "out_of_range",
                      f"escalation percent must be above -100 and at most {MAX_ESCALATION_PERCENT}.")
                pct = None
            rounding = c.choice(esc_raw, "rounding", f"{path}.escalation.rounding", ESCALATION_ROUNDINGS,
                                "each_step")
            if pct is not None and every is not None:
                esc = Escalation(pct, every, rounding or "each_step")
    if start and end and end < start:
        c.add(f"{path}.to", "stream_end_before_start", f"{path}.to is before {path}.from.")
    if start is None or end is None or amount is None or freq is None:
        return None
    return PaymentStream(start, end, amount, freq, timing or "advance", esc, kind or "fixed")


def parse_other_payments(c: FieldCollector, raw: Any, path: str) -> tuple[OtherPayment, ...]:
    """Dated one-off payments at ``path`` (a lease's, or an event's replacement list)."""
    if not isinstance(raw, (list, tuple)):
        c.add(path, "invalid_list", f"{path} must be a list.")
        return ()
    if len(raw) > MAX_OTHER_PAYMENTS:
        c.add(path, "too_many_items", f"{path} may list at most {MAX_OTHER_PAYMENTS} payments; got {len(raw)}.")
        return ()
    out = []
    for i, o in enumerate(raw):
        p = f"{path}[{i}]"
        if not isinstance(o, Mapping):
            c.add(p, "invalid_object", f"{p} must be an object.")
            continue
        od = c.date(o, "date", f"{p}.date")
        oa = c.money(o, "amount", f"{p}.amount", required=True)
        ok = c.choice(o, "kind", f"{p}.kind", OTHER_KINDS, None)
        if o.get("kind") in (None, ""):
            c.add(f"{p}.kind", "required", f"{p}.kind is required.")
        if ok == "incentive_receivable" and oa is not None and oa > 0:
            c.add(f"{p}.amount", "incentive_must_be_negative",
                  "an incentive receivable reduces the payments: give it as a negative amount.")
        if od and oa is not None and ok:
            out.append(OtherPayment(od, oa, ok))
    return tuple(out)


def parse_lease(data: Mapping[str, Any]) -> LeaseTerms:
    """Build ``LeaseTerms`` from a JSON-like dict using the API field names.

    Money and rates may be strings, ints or Decimals (never floats); dates are
    ``YYYY-MM-DD`` strings or ``date``. ``discount_rate`` is an annual fraction
    (``"0.05"`` = 5 %) or ``"implicit"`` (solved from ``fair_value``);
    ``escalation.percent`` is in percent (``"3"`` = 3 %).
    Raises ``InvalidLeaseInput`` (code ``invalid_lease_input``) listing every
    field problem in ``details["errors"]``.
    """
    c = FieldCollector()
    if not isinstance(data, Mapping):
        c.add("", "invalid_object", "the lease must be an object")
        raise InvalidLeaseInput(c.errors)
    currency = c.text(data, "currency", "currency", required=True).upper()
    if currency and not is_iso_currency(currency):
        c.add("currency", "invalid_currency", "currency must be an ISO 4217 code (e.g. USD, EUR, GBP).")
    commencement = c.date(data, "commencement_date", "commencement_date")
    end = c.date(data, "end_date", "end_date")
    if commencement and end and end < commencement:
        c.add("end_date", "end_before_commencement", "end_date is before commencement_date.")

    streams: list[PaymentStream] = []
    raw_payments = data.get("payments")
    if raw_payments is None:
        raw_payments = []
    if not isinstance(raw_payments, (list, tuple)):
        c.add("payments", "invalid_list", "payments must be a list of payment streams.")
        raw_payments = []
    if len(raw_payments) > MAX_PAYMENT_STREAMS:
        # Checked before parsing: an oversized list is refused at once, whatever it holds.
        c.add("payments", "too_many_items",
              f"payments may list at most {MAX_PAYMENT_STREAMS} streams; got {len(raw_payments)}.")
        raise InvalidLeaseInput(c.errors)
    for i, s in enumerate(raw_payments):
        ps = _parse_stream(c, s, f"payments[{i}]")
        if ps:
            streams.append(ps)

    others = list(parse_other_payments(c, data.get("other_payments") or [], "other_payments"))

    rvg = None
    r = _sub(data, "residual_value_guarantee")
    if r is not None:
        g = c.money(r, "guaranteed_amount", "residual_value_guarantee.guaranteed_amount", required=True,
                    non_negative=True)
        e = c.money(r, "expected_residual_value", "residual_value_guarantee.expected_residual_value",
                    required=True, non_negative=True)
        if g is not None and e is not None:
            rvg = ResidualValueGuarantee(g, e)

    po = None
    p = _sub(data, "purchase_option")
    if p is not None:
        price = c.money(p, "price", "purchase_option.price", required=True, non_negative=True)
        ed = c.date(p, "exercise_date", "purchase_option.exercise_date", required=False)
        rc = c.boolean(p, "reasonably_certain", "purchase_option.reasonably_certain", False)
        if price is not None:
            po = PurchaseOption(price, ed, bool(rc))

    overrides: list[ClassificationOverride] = []
    raw_ov = data.get("classification_override")
    if isinstance(raw_ov, Mapping):
        raw_ov = [raw_ov]
    for i, o in enumerate(raw_ov or []):
        path = "classification_override" if i == 0 and isinstance(data.get("classification_override"), Mapping) \
            else f"classification_override[{i}]"
        if not isinstance(o, Mapping):
            c.add(path, "invalid_object", f"{path} must be an object.")
            continue
        st = c.choice(o, "standard", f"{path}.standard", STANDARDS, "ASC842")
        cl = c.choice(o, "classification", f"{path}.classification", CLASSIFICATIONS, None)
        reason = c.text(o, "reason", f"{path}.reason", required=True)
        if o.get("classification") in (None, ""):
            c.add(f"{path}.classification", "required", "classification is required.")
        if st and cl and reason:
            overrides.append(ClassificationOverride(st, cl, reason))

    implicit = isinstance(data.get("discount_rate"), str) and data["discount_rate"].strip().lower() == IMPLICIT
    rate = None if implicit else c.money(data, "discount_rate", "discount_rate")
    if implicit and data.get("fair_value") in (None, ""):
        c.add("fair_value", "fair_value_required_for_implicit_rate",
              'discount_rate "implicit" solves the rate implicit in the lease from the fair value of the '
              "asset: give fair_value (and unguaranteed_residual_value if any).")
    if rate is not None and not (Decimal(0) <= rate < 1):
        c.add("discount_rate", "rate_out_of_range",
              "discount_rate is an annual fraction between 0 and 1 (0.05 for 5 %).")

    # read every field (collecting its problems) before refusing; the values are only used once
    # there is no problem, when the required ones are all present
    terms_kwargs: dict[str, Any] = dict(
        entity=c.text(data, "entity", "entity"),
        external_id=c.text(data, "external_id", "external_id"),
        description=c.text(data, "description", "description"),
        asset_class=c.text(data, "asset_class", "asset_class", default="general"),
        currency=currency,
        commencement_date=commencement,
        end_date=end,
        payments=tuple(streams),
        other_payments=tuple(others),
        residual_value_guarantee=rvg,
        discount_rate=rate,
        rate_convention=c.choice(data, "rate_convention", "rate_convention", RATE_CONVENTIONS, None),
        compounding_interval_months=c.integer(data, "compounding_interval_months",
                                              "compounding_interval_months"),
        initial_direct_costs=c.money(data, "initial_direct_costs", "initial_direct_costs",
                                     default=_ZERO, non_negative=True),
        lease_incentives_received=c.money(data, "lease_incentives_received", "lease_incentives_received",
                                          default=_ZERO, non_negative=True),
        prepaid_lease_payments=c.money(data, "prepaid_lease_payments", "prepaid_lease_payments",
                                       default=_ZERO, non_negative=True),
        restoration_costs=c.money(data, "restoration_costs", "restoration_costs", default=_ZERO,
                                  non_negative=True),
        useful_life_months=c.integer(data, "useful_life_months", "useful_life_months"),
        economic_life_months=c.integer(data, "economic_life_months", "economic_life_months"),
        transfer_of_ownership=bool(c.boolean(data, "transfer_of_ownership", "transfer_of_ownership", False)),
        purchase_option=po,
        fair_value=c.money(data, "fair_value", "fair_value", non_negative=True),
        specialized_asset=c.boolean(data, "specialized_asset", "specialized_asset", None),
        underlying_asset_value_new=c.money(data, "underlying_asset_value_new", "underlying_asset_value_new",
                                           non_negative=True),
        classification_overrides=tuple(overrides),
        index_at_commencement=c.money(data, "index_at_commencement", "index_at_commencement"),
        implicit_rate_unguaranteed_residual=c.money(data, "unguaranteed_residual_value",
                                                    "unguaranteed_residual_value", non_negative=True),
        implicit_rate_requested=implicit,
    )
    if c.errors:
        raise InvalidLeaseInput(c.errors)
    return LeaseTerms(**terms_kwargs)
