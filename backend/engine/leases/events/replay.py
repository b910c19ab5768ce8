"""``apply_events``: replay a lease from commencement through its ordered events.

The service stores the original lease input and the ordered event list; replaying
them rebuilds any version deterministically. Each event starts a new *segment* at
its effective date ``d`` (the start of that day): payments dated before ``d`` are
history (an arrears payment dated the day before is paid, as in IFRS 16 IE 17);
payments dated on or after ``d`` are the remeasured liability's. See ``rows`` for
how the effective month is split and ``branches`` for the accounting branches.
"""

from __future__ import annotations

import dataclasses
import decimal
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from ...calendar import ONE_DAY, period_of
from ...errors import EngineError
from ...money import quantize
from ..cashflows import CashFlow, cash_paid_by_row
from ..fx import FxRates
from ..policy import LeasePolicy
from ..rates import CONTEXT, RateBasis
from ..result import LeaseSchedule
from ..schedule import compute_schedule
from ..terms import LeaseTerms
from ..timeline import LeaseClock, build_clock
from . import entries as je
from .branches import Branch, resolve
from .checks import check, depreciation_months, fail, reassess_classification
from .checks import new_terms as make_terms
from .fxview import finish_fx, initial_fx, translate_termination
from .model import LeaseEvent
from .result import EventResult
from .rows import continue_rows, terminated_rows
from .steps import (Before, Derecognition, Payments, Posting, Remeasurement, derecognise, measure_before,
                    new_payments, post, remeasure)
from .version import Segment, Version, initial_version, pv_at, rou_at, unamortised_at

_ZERO = Decimal(0)
SUMMARY_KEYS = ("liability_before", "liability_after", "rou_before", "rou_after", "rou_adjustment",
                "liability_adjustment", "liability_derecognised", "rou_derecognised", "gain_loss",
                "termination_payment", "new_lease_id")


def apply_events(terms: LeaseTerms, policy: LeasePolicy, standard: str, events: Sequence[LeaseEvent], *,
                 discount_rate: Decimal | str | None = None, fx_rates: FxRates | None = None,
                 lease_id: str | None = None,
                 discount_rate_source: Mapping[str, Any] | None = None) -> list[EventResult]:
    """One ``EventResult`` per event, in order; the last one's schedule is the current version.

    ``terms`` and the keyword arguments are those of the original ``compute_schedule`` run
    (the commencement version); ``events`` are ``parse_event`` values in effective-date order.
    Raises ``EngineError`` naming the rule (``event_after_termination``,
    ``effective_date_before_commencement``, ``effective_date_after_end``,
    ``effective_date_before_previous_event``, ``end_date_before_effective_date``,
    ``end_date_not_later`` / ``end_date_not_earlier``, ``index_at_commencement_missing``,
    ``payment_after_end_date``, ``event_on_exempt_lease``, ``fx_rate_missing``),
    with ``field`` = ``events[i].…``; nothing is returned for any event then.
    """
    base = compute_schedule(terms, policy, standard, discount_rate=discount_rate, fx_rates=fx_rates,
                            lease_id=lease_id, discount_rate_source=discount_rate_source)
    if events and base.exemption is not None:
        raise EngineError("event_on_exempt_lease", f"The lease is {base.exemption.replace('_', '-')} under "
                          f"{standard} (no ROU asset or liability); events apply to recognised leases only.",
                          field="events[0]")
    out: list[EventResult] = []
    with decimal.localcontext(CONTEXT):
        v = initial_version(base, terms, {"lease": terms, "discount_rate": str(base.discount_rate)})
        v = dataclasses.replace(v, fx=initial_fx(base, fx_rates))
        for i, ev in enumerate(events):
            v, res = _apply(v, ev, i, policy, standard)
            out.append(res)
    return out


def _apply(v: Version, ev: LeaseEvent, i: int, policy: LeasePolicy, standard: str) -> tuple[Version, EventResult]:
    check(v, ev, i)
    d = ev.effective_date
    new_terms = make_terms(v, ev)
    clock = build_clock(new_terms.commencement_date, new_terms.end_date)
    td = clock.t(d)
    term_fraction = None
    if new_terms.end_date < v.terms.end_date:
        term_fraction = (v.clock.term_months - clock.term_months) / (v.clock.term_months - td)
    br = resolve(ev, standard, term_fraction)
    lineage = v.lineage + (ev.lineage(),)
    if br.pass_through:
        return _pass_through(v, ev, i, br, lineage)
    if ev.reason == "index_change" and v.index_base is None:
        raise fail("index_at_commencement_missing", "An index change needs the lease's index_at_commencement "
                   "(the level the index-linked payments are stated at).", i, "changes.index_value")
    before = measure_before(v, d, td)
    if br.terminate:
        return _terminate(v, ev, i, br, before, lineage)

    pay = new_payments(v, ev, i, new_terms, clock)
    rate_value = ev.discount_rate if br.revised_rate else v.segment.rate.annual_rate
    assert rate_value is not None  # parse_event requires a revised rate where the branch revises it
    old = v.segment.rate
    rate = RateBasis(rate_value, old.convention, old.compounding_interval_months, old.accrual)
    l_after_exact = pv_at(pay.flows, d, clock, rate)
    l_after = quantize(l_after_exact, v.terms.currency)
    cls = _reassess(v, ev, br, policy, new_terms, clock, td, rate, l_after_exact)
    der = derecognise(v, ev, br, before, l_after)
    rem = remeasure(v, before, der, l_after)
    posting = post(v, ev, br, before, der, rem, l_after)
    nv, sched = _next_version(v, ev, br, policy, before, pay, new_terms, clock, rate, cls, der, rem, posting,
                              l_after_exact, l_after, lineage)
    summary: dict[str, Decimal | None] = {"liability_before": before.split.liability_before,
                                          "rou_before": before.split.rou_before}
    if posting.fx_amounts is not None:
        summary["gain_loss_functional"] = posting.fx_amounts["gain1"] + posting.fx_amounts["excess"]
    summary.update(liability_after=l_after, rou_after=rem.rou_after, rou_adjustment=rem.rou_adjustment,
                   liability_adjustment=rem.liability_adjustment, liability_derecognised=der.liability,
                   rou_derecognised=der.rou, gain_loss=der.gain + rem.excess_gain, termination_payment=None,
                   new_lease_id=None)
    rationale = br.rationale + ((rem.note,) if rem.note else ())
    res = EventResult(index=i, event=ev, run_type=ev.run_type, effective_date=d, effective_period=period_of(d),
                      branch=br.name, rationale=rationale, schedule=sched, entries=posting.entries,
                      summary=summary, classification=cls.info, warnings=cls.warnings)
    return nv, res


@dataclass(frozen=True)
class _Classification:
    """ASC 842-10-25-1 reassessment at the effective date (IFRS 16: the previous one kept)."""

    model: str  # finance | operating: the ROU pattern from d
    classification: str | None
    tests: tuple[dict[str, Any], ...]
    override: dict[str, Any] | None
    info: dict[str, Any] | None
    warnings: tuple[dict[str, Any], ...]


def _reassess(v: Version, ev: LeaseEvent, br: Branch, policy: LeasePolicy, terms: LeaseTerms, clock: LeaseClock,
              td: Decimal,
              rate: RateBasis, l_after_exact: Decimal) -> _Classification:
    s = v.schedule
    if not br.reassess_classification:
        return _Classification(model=v.segment.model, classification=s.classification,
                               tests=s.classification_tests, override=s.classification_override, info=None,
                               warnings=())
    cls = reassess_classification(terms, ev, policy, clock, td, rate, l_after_exact)
    warnings = list(cls.warnings)
    if ev.fair_value is None and terms.fair_value is not None:
        warnings.append({"field": "changes.fair_value", "code": "fair_value_at_commencement_used",
                         "message": "No fair value at the effective date was given; the commencement fair "
                                    "value was used for the 90 % test."})
    return _Classification(
        model="operating" if cls.classification == "operating" else "finance", classification=cls.classification,
        tests=cls.tests, override=cls.override, warnings=tuple(warnings),
        info={"previous": s.classification, "classification": cls.classification, "tests": list(cls.tests),
              "override": cls.override})


def _next_version(v: Version, ev: LeaseEvent, br: Branch, policy: LeasePolicy, before: Before, pay: Payments,
                  terms: LeaseTerms, clock: LeaseClock, rate: RateBasis, cls: _Classification,
                  der: Derecognition, rem: Remeasurement, posting: Posting, l_after_exact: Decimal, l_after: Decimal,
                  lineage: tuple[dict[str, Any], ...]) -> tuple[Version, LeaseSchedule]:
    """The rows from the effective month on, the new schedule and the version the next event starts from."""
    d, td, ccy = ev.effective_date, before.split.t, v.terms.currency
    u_after = _ZERO
    if cls.model == "operating":
        u_before = unamortised_at(v, d) if v.segment.model == "operating" else _ZERO
        u_after = quantize(u_before * (1 - (br.decrease_fraction or 0)), ccy)
        months = clock.term_months - td
    else:
        months = depreciation_months(terms, clock.term_months, td)
    gain = der.gain + rem.excess_gain
    new_cols = continue_rows(v.schedule.columns, before.split, clock, list(pay.flows), rate, ccy, model=cls.model,
                             liability_after_exact=l_after_exact, liability_after=l_after, rou_after=rem.rou_after,
                             months=months, cost_after=rem.cost_after, gain=gain, unamortised=u_after,
                             depreciation_convention=v.schedule.depreciation_convention or "calendar_month")
    sl_total = new_cols.pop("_sl_total")
    flows = tuple(sorted(before.history + tuple(pay.flows), key=_instant))
    new_cols["cash_paid"] = tuple(cash_paid_by_row(flows, terms.commencement_date, len(clock.row_ends), ccy))
    source = v.schedule.discount_rate_source
    if br.revised_rate:
        source = {"source": "event", "run_type": ev.run_type, "effective_date": d.isoformat()}
    sched = dataclasses.replace(
        v.schedule, classification=cls.classification, end_date=terms.end_date, term_months=clock.term_months,
        depreciation_months=td + months, discount_rate=rate.annual_rate, periods_keys=clock.period_keys,
        period_ends=clock.row_ends, columns=new_cols, flows=list(flows),
        inputs=({"lease": lineage[0]["lease"], "events": list(lineage[1:])}, policy, rate.annual_rate),
        classification_tests=cls.tests, classification_override=cls.override,
        warnings=v.schedule.warnings + cls.warnings, discount_rate_source=source, run_id_given=None, _hash=None)
    fx_new = None
    if v.fx is not None:
        assert posting.fx_amounts is not None  # posted in the functional currency too
        fx_new = finish_fx(v, sched, before.split.k, [f for f in flows if f.instant > terms.commencement_date],
                           posting.fx_amounts, rem.rou_after, rem.cost_after)
    seg = Segment(start=d, t=td, rate=rate, model=cls.model, rou=rem.rou_after, months=months, sl_total=sl_total,
                  gap=rem.rou_after - l_after, unamortised=u_after)
    adj_l, adj_r, prior_gain = before.row_adjust
    moved = (adj_l + l_after - before.split.liability_before, adj_r + rem.rou_after - before.split.rou_before,
             prior_gain + gain)
    nv = Version(schedule=sched, terms=terms, flows=flows, clock=clock, segment=seg, cost=rem.cost_after,
                 index_base=pay.index_base, index_current=pay.index_current, index_pending=pay.index_pending,
                 last_effective=d, row_adjust={before.split.k: moved}, terminated=False, lineage=lineage, fx=fx_new)
    return nv, sched


def _instant(f: CashFlow) -> date:
    return f.instant


def _pass_through(v: Version, ev: LeaseEvent, i: int, br: Branch,
                  lineage: tuple[dict[str, Any], ...]) -> tuple[Version, EventResult]:
    """Events that leave the schedule as it is (separate lease, ASC index change, catch-up)."""
    pending = ev.index_value if br.name == "asc842.index_change_deferred" else v.index_pending
    nv = dataclasses.replace(v, last_effective=ev.effective_date, index_pending=pending, lineage=lineage)
    summary = dict.fromkeys(SUMMARY_KEYS)  # nothing is remeasured: no figure applies
    separate = br.name.endswith("separate_lease")
    if separate:
        # IFRS 16.44 / ASC 842-10-25-8: the original lease is untouched; show its balances at the
        # effective date (before = after) so the run explains itself; the service sets new_lease_id
        d, ccy = ev.effective_date, v.terms.currency
        zero = quantize(_ZERO, ccy)
        l_at = quantize(pv_at(v.liability_flows(), d, v.clock, v.segment.rate), ccy)
        r_at = rou_at(v, d, l_at)
        summary.update(liability_before=l_at, liability_after=l_at, rou_before=r_at, rou_after=r_at,
                       rou_adjustment=zero, liability_adjustment=zero, liability_derecognised=zero,
                       rou_derecognised=zero, gain_loss=zero)
    res = EventResult(index=i, event=ev, run_type=ev.run_type, effective_date=ev.effective_date,
                      effective_period=period_of(ev.effective_date), branch=br.name, rationale=br.rationale,
                      schedule=v.schedule, entries=(), summary=summary, classification=None,
                      new_lease=ev.new_lease if separate else None)
    return nv, res


def _terminate(v: Version, ev: LeaseEvent, i: int, br: Branch, before: Before,
               lineage: tuple[dict[str, Any], ...]) -> tuple[Version, EventResult]:
    d, ccy = ev.effective_date, v.terms.currency
    split, history = before.split, before.history
    summary: dict[str, Decimal | None] = {"liability_before": split.liability_before, "rou_before": split.rou_before}
    penalty = quantize(ev.termination_payment, ccy)
    l_before, r_before, cost = split.liability_before, split.rou_before, v.cost
    gain = l_before - r_before - penalty
    memo = f"Early termination at {d.isoformat()}" + (f", penalty {penalty}" if penalty else "")
    if v.fx is None:
        entry = je.termination(v.schedule, d, l_before, cost, cost - r_before, penalty, gain, memo)
    else:
        fxa = translate_termination(v, d, l_before, r_before, penalty)
        entry = je.termination(v.schedule, d, fxa["liability"], fxa["cost"], fxa["accumulated"], fxa["penalty"],
                               fxa["gain"], memo, currency=v.fx.fc)
        summary["gain_loss_functional"] = fxa["gain"]
    clock = build_clock(v.terms.commencement_date, d)
    cols = terminated_rows(v.schedule.columns, split, v.segment.model, gain, ccy)
    cols["cash_paid"] = tuple(cash_paid_by_row(history, v.terms.commencement_date, len(clock.row_ends), ccy))
    end = d - ONE_DAY
    sched = dataclasses.replace(
        v.schedule, end_date=end, term_months=split.t, periods_keys=clock.period_keys, period_ends=clock.row_ends,
        columns=cols, flows=list(history), run_id_given=None, _hash=None,
        inputs=({"lease": lineage[0]["lease"], "events": list(lineage[1:])}, v.schedule.inputs[1],
                v.schedule.discount_rate))
    if v.fx is not None:
        finish_fx(v, sched, split.k, [f for f in history if f.instant > v.terms.commencement_date], fxa,
                  _ZERO, _ZERO)
    nv = dataclasses.replace(v, schedule=sched, terms=dataclasses.replace(v.terms, end_date=end),
                             flows=history, clock=clock, cost=_ZERO, last_effective=d, terminated=True,
                             lineage=lineage)
    summary.update(liability_after=quantize(_ZERO, ccy), rou_after=quantize(_ZERO, ccy),
                   rou_adjustment=-r_before, liability_adjustment=-l_before, liability_derecognised=l_before,
                   rou_derecognised=r_before, gain_loss=gain, termination_payment=penalty, new_lease_id=None)
    res = EventResult(index=i, event=ev, run_type=ev.run_type, effective_date=d, effective_period=period_of(d),
                      branch=br.name, rationale=br.rationale, schedule=sched,
                      entries=(entry,) if entry else (), summary=summary)
    return nv, res
