"""Build the monthly schedule of a lease for each enabled book.

Both books share the liability run (same payments, same rate); only the ROU
asset and the expense pattern differ, so ``compute_schedules`` computes the
liability once. Everything runs inside a local 34-digit Decimal context; the
caller's context is untouched.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from itertools import accumulate
from operator import add, sub
from typing import Any, Iterable, Mapping, Sequence

from ..errors import EngineError
from ..money import quantize
from .cashflows import cash_paid_by_row
from .classification import ClassificationResult, classify_asc842
from .discount import exemptions, resolve_rate
from .fx import FxRates, add_functional_columns
from .liability import accrue_interest, round_run, straight_line
from .measurement import Measurement, discount_measurement, measure, rou_parts
from .policy import LeasePolicy
from .rates import CONTEXT
from .result import LeaseSchedule
from .terms import STANDARDS, LeaseTerms

_ZERO = Decimal(0)
_CONTEXT = CONTEXT  # historical name, imported by state and events

Columns = dict[str, Sequence[Decimal | None]]


def compute_schedule(terms: LeaseTerms, policy: LeasePolicy, standard: str, *,
                     discount_rate: Decimal | str | None = None, fx_rates: FxRates | None = None,
                     lease_id: str | None = None, run_id: str | None = None,
                     discount_rate_source: Mapping[str, Any] | None = None) -> LeaseSchedule:
    """Schedule of ``terms`` under ``standard`` (``IFRS16`` or ``ASC842``).

    ``discount_rate`` (annual fraction) overrides ``terms.discount_rate``; a lease
    with ``discount_rate: "implicit"`` solves its rate; otherwise the caller resolves
    it from the entity's IBR matrix (precedence: ``discount``). Without any, a lease
    that a book recognises fails with ``discount_rate_missing``; exempt books need none. ``fx_rates`` is a
    callable or mapping ``(from_ccy, to_ccy, date) -> Decimal`` used when the
    lease currency differs from ``policy.functional_currency``.
    ``discount_rate_source`` records how the caller chose the rate (e.g.
    ``{"source": "ibr_matrix", "term_band": "5-10y", "effective_date": ...}``);
    it is returned as ``discount_rate_source`` in ``to_dict``.

    For an ASC 842 operating lease the ``interest`` column is the accretion of
    the liability (it is not posted as interest expense) and ``depreciation``
    is the ROU amortisation plug (single lease cost minus accretion).
    """
    return compute_schedules(terms, policy, (standard,), discount_rate=discount_rate, fx_rates=fx_rates,
                             lease_id=lease_id, run_id=run_id,
                             discount_rate_source=discount_rate_source)[standard]


def compute_schedules(terms: LeaseTerms, policy: LeasePolicy, standards: Iterable[str] | None = None, *,
                      discount_rate: Decimal | str | None = None, fx_rates: FxRates | None = None,
                      lease_id: str | None = None, run_id: str | None = None,
                      discount_rate_source: Mapping[str, Any] | None = None) -> dict[str, LeaseSchedule]:
    """Schedules for several books at once (default: ``policy.enabled_standards``),
    sharing the liability computation; arguments as for ``compute_schedule``."""
    stds = tuple(standards) if standards is not None else policy.enabled_standards
    for s in stds:
        if s not in STANDARDS:
            raise EngineError("unknown_standard", f"Unknown standard {s!r}; use IFRS16 or ASC842.",
                              field="standard")
    if terms.end_date < terms.commencement_date:
        raise EngineError("end_before_commencement", "The end date is before the commencement date.",
                          field="end_date")
    if not terms.payments and not terms.other_payments and terms.prepaid_lease_payments == 0:
        raise EngineError("no_payments", "The lease has no payments.", field="payments")
    rate, source = resolve_rate(terms, policy, discount_rate, discount_rate_source)
    if rate is not None and not (0 <= rate < 1):
        raise EngineError("rate_out_of_range", "The discount rate is an annual fraction between 0 and 1 "
                          "(0.05 for 5 %).", field="discount_rate", details={"discount_rate": str(rate)})
    with decimal.localcontext(_CONTEXT):
        out = _compute(terms, policy, stds, rate, fx_rates, lease_id, run_id)
    for sched in out.values():
        if sched.exemption is None:
            sched.discount_rate_source = source
    return out


def _compute(terms: LeaseTerms, policy: LeasePolicy, stds: tuple[str, ...], rate: Decimal | None,
             fx_rates: FxRates | None, lease_id: str | None, run_id: str | None) -> dict[str, LeaseSchedule]:
    base = measure(terms, policy, rate, discount=False)
    exempt = exemptions(terms, policy, stds, fx_rates)
    m: Measurement | None = None
    liab_run = None
    if any(e is None for e in exempt.values()):
        m = base
        discount_measurement(m, rate)
        liab_run = _liability_columns(m)
    inputs = (terms, policy, rate)  # canonicalised lazily for the inputs hash
    out: dict[str, LeaseSchedule] = {}
    # "cash" -> the cash_paid column; (ROU asset, depreciation months) -> the depreciation column
    shared: dict[object, Any] = {}
    for s in stds:
        exemption = exempt[s]
        if exemption is not None:
            sched = _exempt_schedule(base, policy, s, exemption)
        else:
            assert m is not None and liab_run is not None  # measured above for the recognised books
            sched = _recognised_schedule(m, policy, s, liab_run, shared)
        sched.lease_id = lease_id
        if "cash" not in shared:  # the same payments in every book
            shared["cash"] = tuple(cash_paid_by_row(base.flows, terms.commencement_date, len(sched.periods_keys),
                                                    terms.currency))
        sched.columns["cash_paid"] = shared["cash"]
        sched.interest_convention = policy.interest_convention
        sched.depreciation_convention = policy.depreciation_convention
        sched.inputs = inputs
        sched.run_id_given = run_id
        if policy.functional_currency and policy.functional_currency != terms.currency:
            add_functional_columns(sched, policy.functional_currency, fx_rates)
        # columns are shared between books where they coincide: freeze them
        sched.columns = {k: v if type(v) is tuple else tuple(v) for k, v in sched.columns.items()}
        out[s] = sched
    return out


def _liability_columns(m: Measurement) -> dict[str, list[Decimal]]:
    clock = m.clock
    ccy = m.terms.currency
    n = len(clock.row_ends)
    pay = [_ZERO] * n
    for f in m.liability_flows:
        pay[f[3]] += f[2]
    cum = accrue_interest(clock.row_ordinals, m.liability_flows, m.rate, opening=m.liability_exact,
                          start_instant=clock._anniv[0], start_t=_ZERO, end_instant=clock.end_ordinal,
                          end_t=clock.term_months)
    interest, closing = round_run(m.liability, cum, pay, ccy)
    opening = [m.liability] + closing[:-1]
    zero = quantize(_ZERO, ccy)
    # principal due within 12 months: the fall in the liability over the next 12 rows,
    # never negative (interest-only stretches) and never more than the balance
    later = closing[12:] + [zero] * min(12, n)
    current = [zero if c <= l else (c - l if l >= 0 or c < 0 else c) for c, l in zip(closing, later)]
    noncurrent = list(map(sub, closing, current))
    return {"opening_liability": opening, "interest": interest, "payment": pay, "closing_liability": closing,
            "liability_current": current, "liability_noncurrent": noncurrent}


def _depreciation_months(terms: LeaseTerms, term: Decimal, warnings: list[dict[str, Any]]) -> Decimal:
    life = terms.useful_life_months
    po = terms.purchase_option
    if terms.transfer_of_ownership or (po is not None and po.reasonably_certain):
        if life:
            return Decimal(life)
        warnings.append({"field": "useful_life_months", "code": "useful_life_missing",
                         "message": "Ownership transfers or the purchase option is reasonably certain, so the ROU "
                                    "asset depreciates over the asset's useful life, which is missing; the lease "
                                    "term was used."})
        return term
    return min(term, Decimal(life)) if life else term


def _recognised_schedule(m: Measurement, policy: LeasePolicy, standard: str, liab: dict[str, list[Decimal]],
                         shared: dict[object, Any]) -> LeaseSchedule:
    terms, clock = m.terms, m.clock
    ccy = terms.currency
    n = len(clock.row_ends)
    term = clock.term_months
    warnings: list[dict[str, Any]] = []
    parts = rou_parts(m, standard, policy)
    rou0 = parts["rou_asset"]
    if rou0 < 0:
        warnings.append({"field": "lease_incentives_received", "code": "negative_rou_asset",
                         "message": "Incentives exceed the other ROU components, so the ROU asset is negative; "
                                    "review the inputs."})
    cls = ClassificationResult(None, None)
    if standard == "ASC842":
        pv_test = _pv_for_asc_test(m)
        cls = classify_asc842(terms, policy, term, pv_test)
        warnings.extend(cls.warnings)
        classification = cls.classification
    else:
        classification = "finance"  # IFRS 16 has a single lessee model
    cols: Columns = dict(liab)
    interest = liab["interest"]
    row_x, x_of = clock.axis(policy.depreciation_convention)
    zero = quantize(_ZERO, ccy)
    dep_months: Decimal | None
    if classification == "operating":
        dep_months = term
        def q(x: Decimal) -> Decimal:
            return quantize(x, ccy)
        idc = q(terms.initial_direct_costs)
        inc = q(terms.lease_incentives_received)
        rest = parts["restoration_costs"]
        cost_total = q(m.total_payments) + idc - inc + rest
        cost = straight_line(cost_total, row_x, x_of(term), ccy)
        # IDC, incentives and capitalised restoration unwind straight-line; only their net
        # matters for the accrued-rent balance, so amortise the net once
        net = idc - inc + rest
        net_amort = straight_line(net, row_x, x_of(term), ccy)
        amort = list(map(sub, cost, interest))  # ROU amortisation is the plug (ASC 842-20-35-3)
        rou = list(accumulate(amort, sub, initial=rou0))[1:]
        unamortised = list(accumulate(net_amort, sub, initial=net))[1:]
        # ASC 842-20-35-3(b): ROU = liability + prepaid (- accrued) rent + unamortised IDC - incentives
        accrued = list(map(sub, map(add, liab["closing_liability"], unamortised), rou))
        cols["depreciation"] = amort
        cols["lease_cost"] = cost
        cols["accrued_lease_liability"] = accrued
    else:
        dep_months = _depreciation_months(terms, term, warnings)
        key = (rou0, dep_months)
        dep = shared.get(key)
        if dep is None:  # IFRS 16 and ASC 842 finance usually share the same depreciation
            dep = shared[key] = straight_line(rou0, row_x, x_of(dep_months), ccy)
        rou = list(accumulate(dep, sub, initial=rou0))[1:]
        cols["depreciation"] = dep
        cols["lease_cost"] = list(map(add, interest, dep))
        cols["accrued_lease_liability"] = [None] * n
    cols["opening_rou_asset"] = [rou0] + rou[:-1]
    cols["closing_rou_asset"] = rou
    cols["accumulated_depreciation"] = [rou0 - r for r in rou]
    cols["gain_loss"] = [zero] * n
    cols["fx_gain_loss"] = [None] * n
    if terms.restoration_costs and standard == "ASC842" and not policy.asc_restoration_in_rou:
        warnings.append({"field": "restoration_costs", "code": "asc_restoration_excluded",
                         "message": "Restoration costs were left out of the ASC 842 ROU asset (policy); account "
                                    "for the asset retirement obligation under ASC 410-20 and review."})
    return _make(m, standard, classification, None, cols, warnings, cls, dep_months, m.liability, rou0, parts)


def _pv_for_asc_test(m: Measurement) -> Decimal:
    """PV at commencement of the lease payments (incl. those paid at or before it,
    net of incentives received) plus the full guaranteed residual (ASC 842-10-25-2(d))."""
    t = m.terms
    pv = m.liability_exact + m.paid_at_commencement + t.prepaid_lease_payments - t.lease_incentives_received
    rvg = t.residual_value_guarantee
    if rvg is not None:
        extra = rvg.guaranteed_amount - rvg.expected_shortfall
        pv += extra / m.rate.growth(m.clock.term_months)
    return quantize(pv, t.currency)


def _exempt_schedule(m: Measurement, policy: LeasePolicy, standard: str, exemption: str) -> LeaseSchedule:
    """Short-term / low-value: straight-line expense, no ROU asset or liability."""
    terms, clock = m.terms, m.clock
    ccy = terms.currency
    n = len(clock.row_ends)
    def q(x: Decimal) -> Decimal:
        return quantize(x, ccy)
    pay = [_ZERO] * n
    for f in m.flows:
        pay[clock.row_of(f.date)] += f.amount
    prepaid, idc, inc = q(terms.prepaid_lease_payments), q(terms.initial_direct_costs), \
        q(terms.lease_incentives_received)
    total = q(m.total_payments) + idc - inc
    row_x, x_of = clock.axis(policy.depreciation_convention)
    cost = straight_line(total, row_x, x_of(clock.term_months), ccy)
    # accrued (+) / prepaid (-) rent: starts with what was settled at commencement
    accrued, s = [], inc - idc - prepaid
    for k in range(n):
        s += cost[k] - pay[k]
        accrued.append(s)
    none: list[Decimal | None] = [None] * n
    cols: Columns = {name: none for name in ("opening_liability", "interest", "closing_liability", "liability_current",
                                    "liability_noncurrent", "opening_rou_asset", "depreciation",
                                    "closing_rou_asset", "accumulated_depreciation", "fx_gain_loss")}
    cols.update(payment=pay, lease_cost=cost, accrued_lease_liability=accrued, gain_loss=[q(_ZERO)] * n)
    parts = {"prepaid_lease_payments": prepaid, "initial_direct_costs": idc, "lease_incentives_received": -inc}
    return _make(m, standard, None, exemption, cols, [], ClassificationResult(None, exemption), None,
                 None, None, parts)


def _make(m: Measurement, standard: str, classification: str | None, exemption: str | None, cols: Columns,
          warnings: list[dict[str, Any]], cls: ClassificationResult, dep_months: Decimal | None,
          liability: Decimal | None, rou0: Decimal | None, parts: dict[str, Decimal]) -> LeaseSchedule:
    terms, clock = m.terms, m.clock
    recognised = exemption is None
    return LeaseSchedule(
        lease_id=None, standard=standard, classification=classification, exemption=exemption,
        currency=terms.currency, functional_currency=None,
        discount_rate=m.rate.annual_rate if recognised else None,
        rate_convention=m.rate.convention if recognised else None,
        compounding_interval_months=m.rate.compounding_interval_months if recognised else None,
        commencement_date=terms.commencement_date, end_date=terms.end_date, term_months=clock.term_months,
        depreciation_months=dep_months, initial_liability=liability, initial_rou_asset=rou0,
        rou_components=parts, classification_tests=cls.tests, classification_override=cls.override,
        warnings=tuple(warnings), asset_class=terms.asset_class, entity=terms.entity,
        periods_keys=clock.period_keys, period_ends=clock.row_ends, columns=cols,
        flows=m.flows,
    )
