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
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from ...calendar import ONE_DAY, period_of
from ...errors import EngineError
from ...money import quantize
from ..cashflows import CashFlow, lease_cash_flows
from ..fx import FxRates
from ..policy import LeasePolicy
from ..rates import RateBasis
from ..schedule import _CONTEXT, compute_schedule
from ..terms import LeaseTerms
from ..timeline import build_clock
from . import entries as je
from .branches import Branch, resolve
from .checks import check, depreciation_months, fail, reassess_classification
from .checks import new_terms as make_terms
from .model import LeaseEvent
from .result import EventResult
from .fxview import finish_fx, initial_fx, translate_change, translate_termination
from .rows import Split, continue_rows, terminated_rows
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
    with decimal.localcontext(_CONTEXT):
        v = initial_version(base, terms, {"lease": terms, "discount_rate": str(base.discount_rate)})
        v = dataclasses.replace(v, fx=initial_fx(base, fx_rates))
        for i, ev in enumerate(events):
            v, res = _apply(v, ev, i, policy, standard)
            out.append(res)
    return out


def _apply(v: Version, ev: LeaseEvent, i: int, policy: LeasePolicy, standard: str) -> tuple[Version, EventResult]:
    check(v, ev, i)
    d = ev.effective_date
    ccy = v.terms.currency
    q = lambda x: quantize(x, ccy)  # noqa: E731
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

    # --- the previous version at d
    k = v.clock.row_of(d)
    cols = v.schedule.columns
    old_liab = v.liability_flows()
    l_before = q(pv_at(old_liab, d, v.clock, v.segment.rate))
    r_before = rou_at(v, d, l_before)
    pay_before = sum((f.amount for f in old_liab if f.date < d and v.clock.row_of(f.date) == k), _ZERO)
    adj_l, adj_r, prior_gain = v.row_adjust.get(k, (_ZERO, _ZERO, _ZERO))
    split = Split(k, d, td, cols["opening_liability"][k], cols["opening_rou_asset"][k], pay_before, l_before,
                  r_before, l_before - cols["opening_liability"][k] + pay_before - adj_l,
                  cols["opening_rou_asset"][k] + adj_r - r_before, prior_gain)
    summary: dict[str, Decimal | None] = {"liability_before": l_before, "rou_before": r_before}
    history = tuple(f for f in v.flows if f.date < d)
    if br.terminate:
        return _terminate(v, ev, i, br, split, history, lineage, summary)

    # --- the new payments and rate
    idx_base, idx_cur, idx_pending = v.index_base, v.index_current, v.index_pending
    warnings: list[dict] = []
    if ev.reason == "index_change":
        idx_cur = ev.index_value
    elif idx_pending is not None:  # ASC 842: the stored index enters at this remeasurement
        idx_cur, idx_pending = idx_pending, None
    post = [f for f in lease_cash_flows(new_terms, anniversaries=clock.anniversaries) if f.date >= d]
    if ev.payments is not None:
        idx_base = idx_cur  # replacement amounts are stated at the index now in force
    elif idx_cur is not None and idx_base and idx_cur != idx_base:
        post = [f._replace(amount=q(f.amount * idx_cur / idx_base)) if f.kind == "index_linked" else f
                for f in post]
    if ev.payments is None and new_terms.end_date <= v.terms.end_date:
        # a shorter term removes the payments for periods it no longer covers (an arrears
        # payment for a period cut short included: give ``payments`` to state a final one);
        # the same cut applies when later events regenerate the flows from the terms
        post = [f for f in post if f.instant <= clock.end_instant]
    late = next((f for f in post if f.instant > clock.end_instant), None)
    if late is not None:
        hint = "" if ev.payments is not None else " (the current streams, continued to the new end date); " \
            "give changes.payments for the new term"
        raise fail("payment_after_end_date", f"A payment on {late.date.isoformat()} falls after the new end "
                    f"date {new_terms.end_date.isoformat()}{hint}.", i, "changes.payments",
                    date=late.date.isoformat())
    rate_value = ev.discount_rate if br.revised_rate else v.segment.rate.annual_rate
    rate = RateBasis(rate_value, v.segment.rate.convention, v.segment.rate.compounding_interval_months,
                     v.segment.rate.accrual)
    l_after_exact = pv_at(post, d, clock, rate)
    l_after = q(l_after_exact)

    # --- classification (ASC 842-10-25-1) and the ROU pattern from d
    model, cls_info, sched_cls = v.segment.model, None, v.schedule.classification
    tests, override = v.schedule.classification_tests, v.schedule.classification_override
    if br.reassess_classification:
        cls = reassess_classification(new_terms, ev, policy, clock, td, rate, l_after_exact)
        sched_cls, tests, override = cls.classification, cls.tests, cls.override
        model = "operating" if sched_cls == "operating" else "finance"
        warnings.extend(cls.warnings)
        cls_info = {"previous": v.schedule.classification, "classification": sched_cls, "tests": list(cls.tests),
                    "override": cls.override}
        if ev.fair_value is None and new_terms.fair_value is not None:
            warnings.append({"field": "changes.fair_value", "code": "fair_value_at_commencement_used",
                             "message": "No fair value at the effective date was given; the commencement fair "
                                        "value was used for the 90 % test."})

    # --- partial derecognition, then remeasurement against the ROU
    rationale = list(br.rationale)
    frac = br.decrease_fraction
    penalty = q(ev.termination_payment) if frac is not None else q(_ZERO)
    l_der = r_der = cost_der = q(_ZERO)
    if frac is not None:
        l_der = q(frac * l_before) if br.decrease_method == "proportionate" else l_before - l_after
        r_der, cost_der = q(frac * r_before), q(frac * v.cost)
    gain1 = l_der - r_der - penalty  # a penalty paid on a partial termination is part of the loss
    l_mid, r_mid = l_before - l_der, r_before - r_der
    adj = l_after - l_mid
    applied, excess = adj, q(_ZERO)
    if r_mid + adj < 0:
        applied, excess = -r_mid, -(r_mid + adj)
        rationale.append(f"The decrease exceeds the ROU carrying amount: the ROU goes to zero and {excess} is a "
                         "gain (IFRS 16.39).")
    gain = gain1 + excess
    r_after = r_mid + applied
    cost = v.cost - cost_der + applied
    event_name = "lease.modification" if ev.run_type in ("MODIFICATION", "TERMINATION") else "lease.remeasurement"
    memo_der = f"Partial derecognition ({frac}) at {d.isoformat()}"
    memo_rem = f"{br.name} at {d.isoformat()}: liability {l_mid} -> {l_after} {ccy}"
    fx_new = None
    if v.fx is None:
        entries = [je.partial_derecognition(v.schedule, d, l_der, cost_der, cost_der - r_der, gain1, memo_der,
                                            penalty=penalty) if frac is not None else None,
                   je.remeasurement(v.schedule, d, adj, applied, excess, event_name, memo_rem)]
    else:  # foreign-currency lease: the entries are in the functional currency (see fxview)
        fxa = translate_change(v, d, r_before, frac, l_der, adj, penalty, excess != 0)
        fc = v.fx.fc
        entries = [je.partial_derecognition(v.schedule, d, fxa["l_der"], fxa["cost_der"],
                                            fxa["cost_der"] - fxa["r_der"], fxa["gain1"], memo_der, currency=fc,
                                            penalty=fxa["penalty"]) if frac is not None else None,
                   je.remeasurement(v.schedule, d, fxa["adj"], fxa["applied"], fxa["excess"], event_name,
                                    memo_rem, currency=fc)]
        summary["gain_loss_functional"] = fxa["gain1"] + fxa["excess"]
    u_after = _ZERO
    if model == "operating":
        u_before = unamortised_at(v, d) if v.segment.model == "operating" else _ZERO
        u_after = q(u_before * (1 - (br.decrease_fraction or 0)))
        months = clock.term_months - td
    else:
        months = depreciation_months(new_terms, clock.term_months, td)
    new_cols = continue_rows(cols, split, clock, [f for f in post], rate, ccy, model=model,
                             liability_after_exact=l_after_exact, liability_after=l_after, rou_after=r_after,
                             months=months, cost_after=cost, gain=gain, unamortised=u_after,
                             depreciation_convention=v.schedule.depreciation_convention or "calendar_month")
    sl_total = new_cols.pop("_sl_total")
    flows = tuple(sorted(history + tuple(post), key=_instant))
    source = v.schedule.discount_rate_source
    if br.revised_rate:
        source = {"source": "event", "run_type": ev.run_type, "effective_date": d.isoformat()}
    sched = dataclasses.replace(
        v.schedule, classification=sched_cls, end_date=new_terms.end_date, term_months=clock.term_months,
        depreciation_months=td + months, discount_rate=rate_value, periods_keys=clock.period_keys,
        period_ends=clock.row_ends, columns=new_cols, flows=list(flows),
        inputs=({"lease": lineage[0]["lease"], "events": list(lineage[1:])}, policy, rate_value),
        classification_tests=tests, classification_override=override,
        warnings=v.schedule.warnings + tuple(warnings), discount_rate_source=source, run_id_given=None,
        _hash=None)
    if v.fx is not None:
        fx_new = finish_fx(v, sched, k, [f for f in flows if f.instant > new_terms.commencement_date], fxa,
                           r_after, cost)
    seg = Segment(d, td, rate, model, r_after, months, sl_total, r_after - l_after, u_after)
    nv = Version(sched, new_terms, flows, clock, seg, cost, idx_base, idx_cur, idx_pending, d,
                 {k: (adj_l + l_after - l_before, adj_r + r_after - r_before, prior_gain + gain)}, False, lineage,
                 fx_new)
    summary.update(liability_after=l_after, rou_after=r_after, rou_adjustment=applied, liability_adjustment=adj,
                   liability_derecognised=l_der, rou_derecognised=r_der, gain_loss=gain,
                   termination_payment=None, new_lease_id=None)
    res = EventResult(i, ev, ev.run_type, d, period_of(d), br.name, tuple(rationale), sched,
                      tuple(e for e in entries if e is not None), summary, cls_info, None, tuple(warnings))
    return nv, res


def _instant(f: CashFlow) -> date:
    return f.instant


def _pass_through(v: Version, ev: LeaseEvent, i: int, br: Branch, lineage) -> tuple[Version, EventResult]:
    """Events that leave the schedule as it is (separate lease, ASC index change, catch-up)."""
    pending = ev.index_value if br.name == "asc842.index_change_deferred" else v.index_pending
    nv = dataclasses.replace(v, last_effective=ev.effective_date, index_pending=pending, lineage=lineage)
    summary = dict.fromkeys(SUMMARY_KEYS)  # nothing is remeasured: every figure is None
    res = EventResult(i, ev, ev.run_type, ev.effective_date, period_of(ev.effective_date), br.name, br.rationale,
                      v.schedule, (), summary, None, ev.new_lease if br.name.endswith("separate_lease") else None)
    return nv, res


def _terminate(v: Version, ev: LeaseEvent, i: int, br: Branch, split: Split, history, lineage,
               summary) -> tuple[Version, EventResult]:
    d, ccy = ev.effective_date, v.terms.currency
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
    res = EventResult(i, ev, ev.run_type, d, period_of(d), br.name, br.rationale, sched,
                      (entry,) if entry else (), summary)
    return nv, res
