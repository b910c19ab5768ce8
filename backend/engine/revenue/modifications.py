"""Contract modifications (25-10..13; IFRS 15.18-21) on the replay state.

The engine proposes the treatment from the facts and records why; a stated treatment wins but
must carry its own rationale when it differs:
- ``separate_contract`` (25-12): the change only adds goods and the added consideration equals
  their SSPs. The old schedules are untouched; the new contract's input is returned for the service.
- ``cumulative_catch_up`` (25-13(b)): every unsatisfied PO is measured by progress (a single,
  partially satisfied PO whose remaining goods are not distinct). New price and progress, with the
  catch-up in the period of the modification (Example 8).
- ``prospective`` (25-13(a)): otherwise. Revenue to date stays; the pool = consideration not yet
  recognised + new consideration (+ any credit, which is taken off revenue at the date, Example
  5 Case B) is allocated over what remains by the SSP of what remains (Example 7).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import partial
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..calendar import ONE_DAY
from ..errors import EngineError
from .allocation import largest_remainder, to_units
from .contract import PerformanceObligation, ProgressPoint
from .events import RevenueEvent
from .patterns import Progress, done, fraction, never, progress_for, ratable_daily, ratable_monthly, remaining_from
from .ssp import lookup_ssp
from .state import State
from .timeline import Step, vc_step


def _added_ssp(st: State, ev: RevenueEvent, rows: Sequence[Mapping[str, Any]]) -> Decimal:
    tot = Decimal(0)
    for i, po in enumerate(ev.add_performance_obligations):
        tot += po.ssp if po.ssp is not None else lookup_ssp(
            po, st.contract.currency, ev.effective_date, rows, f"changes.add_performance_obligations[{i}]")
    for po_id, q in ev.quantity_delta:
        k = st.index(po_id, "changes.quantity_delta")
        po = st.tl.pos[k]
        if not po.quantity:
            raise EngineError("quantity_delta_without_quantity", f"PO {po_id} has no quantity.",
                              field=f"changes.quantity_delta.{po_id}")
        tot += unit_ssp_at(st, k, ev.effective_date, rows) * q
    return tot


def unit_ssp_at(st: State, k: int, on: date, rows: Sequence[Mapping[str, Any]]) -> Decimal:
    """SSP per unit of PO k for goods added on ``on`` (25-12(b) looks at the SSP of the added goods
    when they are added): the matrix row effective then if the PO has a sku, else the inception SSP."""
    po = st.tl.pos[k]
    if po.sku and rows:
        try:
            return lookup_ssp(dataclasses.replace(po, quantity=None), st.contract.currency, on, rows, "changes")
        except EngineError:
            pass  # no row effective at the modification date: the inception SSP stands
    assert po.quantity is not None  # a quantity change names a PO with a quantity
    return st.ssps[k] / po.quantity


def propose(st: State, ev: RevenueEvent, rows: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    only_adds = ev.adds_goods and not (ev.remove_po_ids or ev.new_end_date or ev.credit or ev.variable
                                       or ev.expected_costs_delta or any(q < 0 for _, q in ev.quantity_delta))
    if only_adds:
        ssp = _added_ssp(st, ev, rows)
        if ev.consideration_delta == ssp:
            return "separate_contract", (f"adds distinct goods priced at their SSP {ssp} (25-12): "
                                         "a separate contract; the original is unchanged")
    before = ev.effective_date - ONE_DAY
    open_pos = [k for k, f in enumerate(st.tl.step_at(before).fracs) if k not in st.removed and not done(f, before)]
    if open_pos and all(st.tl.pos[k].pattern == "percent_complete" for k in open_pos) and not ev.add_performance_obligations:
        return "cumulative_catch_up", ("remaining goods are not distinct: a single performance obligation "
                                       "partially satisfied, measured by progress (25-13(b))")
    return "prospective", ("remaining goods are distinct from those transferred and the change is not priced at "
                           "SSP: termination of the old contract and a new one (25-13(a))")


def _po_after(st: State, k: int, ev: RevenueEvent) -> PerformanceObligation:
    po = st.tl.pos[k]
    changes: dict[str, Any] = {}
    q = dict(ev.quantity_delta).get(po.id)
    if q:
        assert po.quantity is not None  # a quantity change names a PO with a quantity
        if po.quantity + q <= 0:
            raise EngineError("quantity_not_positive", "the quantity after the change must be positive.",
                              field=f"changes.quantity_delta.{po.id}")
        changes["quantity"] = po.quantity + q
    if ev.new_end_date and po.pattern == "ratable":
        if ev.new_end_date < ev.effective_date:
            raise EngineError("end_date_before_effective_date", "new_end_date is before the modification.",
                              field="changes.new_end_date")
        changes["end_date"] = ev.new_end_date
    ecd = dict(ev.expected_costs_delta)
    delta = ecd.get(po.id, ecd.get("*"))
    cost_pts = [p for p in po.progress if p.costs_incurred_to_date is not None]
    if delta is not None and cost_pts:
        last = [p for p in cost_pts if p.date <= ev.effective_date][-1:] or cost_pts[:1]
        assert last[0].total_expected_costs is not None  # parse_contract: costs to date come with the total
        # the measure at the modification: costs to date over the revised total; points dated later
        # were recorded with the total expected then, so they stand as given
        pt = ProgressPoint(ev.effective_date, costs_incurred_to_date=last[0].costs_incurred_to_date,
                           total_expected_costs=last[0].total_expected_costs + delta)
        changes["progress"] = (tuple(p for p in po.progress if p.date < ev.effective_date) + (pt,)
                               + tuple(p for p in po.progress if p.date > ev.effective_date))
    return dataclasses.replace(po, **changes) if changes else po


def catch_up(st: State, ev: RevenueEvent) -> None:
    if ev.add_performance_obligations or ev.remove_po_ids or ev.credit:
        raise EngineError("catch_up_cannot_add_or_remove",
                          "a cumulative catch-up modification changes price and progress only; adding or removing "
                          "goods or a credit for delivered goods is prospective.", field="treatment")
    E = ev.effective_date
    prev = st.tl.step_at(E)
    fracs = list(prev.fracs)
    for k, old in enumerate(st.tl.pos):
        new = _po_after(st, k, ev)
        if new is not old and k not in st.removed:
            st.tl.pos[k] = new
            fracs[k] = st.progress_of(k, new)
    st.fixed_delta += ev.consideration_delta
    if ev.variable is not None:
        st.set_variable(ev.variable)
    vc_step(st.tl, st.contract, st.alloc, E, st.tp_at(E), "cumulative catch-up modification", fracs)


def _remaining_weight(st: State, k: int, new: PerformanceObligation, E: date, f_before: Fraction) -> Fraction:
    old = st.tl.pos[k]
    ssp = Fraction(st.ssps[k])
    if old.pattern == "ratable":
        # parse_po gives a ratable PO both dates; a modification keeps them
        assert old.start_date is not None and old.end_date is not None
        assert new.start_date is not None and new.end_date is not None
        days = (old.end_date - old.start_date).days + 1
        left = (new.end_date - max(E, new.start_date)).days + 1
        return ssp * max(left, 0) / days
    if old.quantity and (any(p.units_delivered is not None for p in old.progress) or new.quantity != old.quantity):
        done = f_before * Fraction(old.quantity)
        assert new.quantity is not None  # the same PO after the change keeps a quantity
        return ssp / Fraction(old.quantity) * (Fraction(new.quantity) - done)
    return ssp * (1 - f_before)


def _remaining_progress(st: State, new: PerformanceObligation, E: date, before: date, units_before: Fraction) -> Progress:
    conv = st.policy.ratable_convention
    if new.pattern == "ratable":
        fn = ratable_monthly if conv == "monthly" else ratable_daily
        assert new.start_date is not None and new.end_date is not None  # parse_po: a ratable PO has both
        return fn(max(E, new.start_date), new.end_date)
    f = progress_for(new, conv)
    if new.quantity and units_before:
        qty = Fraction(new.quantity)
        left = qty - units_before

        def g(d: date) -> tuple[int, int]:
            v = (fraction(f, d) * qty - units_before) / left
            v = min(max(v, Fraction(0)), Fraction(1))
            return (v.numerator, v.denominator)
        return g
    return remaining_from(f, before)


def prospective(st: State, ev: RevenueEvent, rows: Sequence[Mapping[str, Any]]) -> None:
    E = ev.effective_date
    before = E - ONE_DAY
    tl = st.tl
    ccy = st.contract.currency
    prev = tl.step_at(before)
    cum = tl.cum(before)
    unrecognised = sum(b + a for b, a in zip(prev.base, prev.alloc)) - sum(cum)
    credit = to_units(ev.credit, ccy)
    credits = [0] * len(cum)
    if credit:
        if ev.credit_po_id:
            credits[st.index(ev.credit_po_id, "changes.credit_po_id")] = credit
        elif any(cum):
            credits = largest_remainder(credit, [max(x, 0) for x in cum])
        else:
            raise EngineError("credit_without_revenue", "a credit for delivered goods needs revenue to date.",
                              field="changes.credit")
    tp_before = st.tp_at(before)
    st.fixed_delta += ev.consideration_delta
    if ev.variable is not None:
        st.set_variable(ev.variable)
    tp_after = st.tp_at(E)
    pool = unrecognised + to_units(tp_after.total - tp_before.total, ccy) + credit
    for x in ev.remove_po_ids:
        st.removed.add(st.index(x, "changes.remove_po_ids"))
    weights: list[Fraction] = []
    fracs: list[Progress] = []
    base: list[int] = []
    for k, po in enumerate(tl.pos):
        f_before = fraction(prev.fracs[k], before)
        base.append(cum[k] - credits[k])
        new = _po_after(st, k, ev)
        tl.pos[k] = new
        if k in st.removed or (f_before >= 1 and new.quantity == po.quantity):
            weights.append(Fraction(0))
            fracs.append(never)
            st.makers[k] = lambda p: never
            continue
        weights.append(_remaining_weight(st, k, new, E, f_before))
        ub = f_before * Fraction(po.quantity) if po.quantity else Fraction(0)
        st.makers[k] = partial(_remaining_progress, st, E=E, before=before, units_before=ub)
        fracs.append(st.makers[k](new))
    for i, po in enumerate(ev.add_performance_obligations):
        if po.id in tl.po_ids:
            raise EngineError("duplicate_po_id", f"PO id {po.id!r} already exists.",
                              field=f"changes.add_performance_obligations[{i}].id")
        ssp = po.ssp if po.ssp is not None else lookup_ssp(po, ccy, E, rows, f"changes.add_performance_obligations[{i}]")
        tl.add_po(po)
        st.ssps.append(ssp)
        base.append(0)
        weights.append(Fraction(ssp))
        fracs.append(progress_for(po, st.policy.ratable_convention))
    if not any(weights):
        raise EngineError("nothing_remaining", "no unsatisfied goods remain to take the remaining consideration.",
                          field="changes")
    shares = largest_remainder(pool, weights)
    tl.add_step(Step(E, base, shares, fracs, tp_after, "prospective modification"))
    tl.prospective = True


def separate_contract(st: State, ev: RevenueEvent, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    if ev.remove_po_ids or ev.new_end_date or ev.credit or ev.variable or ev.expected_costs_delta:
        raise EngineError("separate_contract_changes_existing",
                          "a separate contract only adds goods; other changes make it a modification of this one.",
                          field="treatment")
    c = st.contract
    pos: list[dict[str, Any]] = []
    for po_id, q in ev.quantity_delta:
        k = st.index(po_id, "changes.quantity_delta")
        po = st.tl.pos[k]
        unit = unit_ssp_at(st, k, ev.effective_date, rows)
        pos.append({"id": po.id, "description": po.description, "pattern": po.pattern, "ssp_method": po.ssp_method,
                    "ssp": str(unit * q), "quantity": str(q), "sku": po.sku})
    added = [dict(p) for p in ev.raw.get("changes", {}).get("add_performance_obligations", [])]
    return {"entity": c.entity, "external_id": f"{c.external_id}/M{ev.effective_date.isoformat()}",
            "customer": c.customer, "currency": c.currency, "start_date": ev.effective_date.isoformat(),
            "transaction_price": {"fixed": str(ev.consideration_delta)},
            "billing": list(ev.raw.get("changes", {}).get("billing") or []),
            "performance_obligations": pos + added}
