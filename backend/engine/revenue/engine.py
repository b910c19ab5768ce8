"""``recognise``: one contract, one book, from the original input and its ordered events.

Replay is deterministic: inception (steps 3-5), then in date order the contract's dated
volume-discount estimates and the events. Each event's summary is kept on the result; the last
is what ``apply_event`` returns.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from ..calendar import ONE_DAY, add_months
from ..errors import EngineError
from ..fingerprint import canonical
from ..money import from_minor
from .allocation import to_units
from .balances import build_periods
from .contract import VOLUME_DISCOUNT, Contract
from .costs import build_costs
from .divergences import contract_exists, divergences
from .events import RevenueEvent
from .modifications import catch_up, propose, prospective, separate_contract
from .policy import ASC_ONLY_RPO_EXPEDIENTS, STANDARDS, RevenuePolicy
from .result import RevenueResult
from .rpo import Rpo, compute_rpo
from .state import State
from .timeline import Inception, Step, build_inception, vc_step


def _alloc_dict(st: State) -> dict[str, str]:
    last = st.tl.last
    return {po.id: str(from_minor(b + a, st.contract.currency)) for po, b, a in zip(st.tl.pos, last.base, last.alloc)}


def _eval(st: State, step: Step, d: date) -> int:
    return sum(st.tl.cum(d, step))


def _apply(st: State, ev: RevenueEvent, rows: Sequence[Mapping[str, Any]], path: str) -> dict[str, Any]:
    E = ev.effective_date
    if E < st.contract.start_date:
        raise EngineError("effective_date_before_start", "the event is dated before the contract starts.",
                          field=f"{path}.effective_date")
    if E < st.tl.last.start:
        raise EngineError("effective_date_before_previous_event", "events are applied in date order.",
                          field=f"{path}.effective_date")
    ccy = st.contract.currency
    tp_before = st.tp_at(E - ONE_DAY)
    before = sum(st.tl.cum(E))
    summary: dict[str, Any] = {"type": ev.type, "effective_date": E.isoformat(),
                               "transaction_price_before": tp_before.to_dict()}
    treatment, rationale = None, ""
    if ev.billing is not None:
        keep = tuple(b for b in st.contract.billing if b.date < E)
        st.contract = dataclasses.replace(st.contract, billing=keep + ev.billing)
    if ev.type == "MODIFICATION":
        proposed, why = propose(st, ev, rows)
        treatment = ev.treatment or proposed
        if treatment != proposed and not ev.rationale:
            raise EngineError("treatment_rationale_required",
                              f"the facts point to {proposed}; state why {treatment} applies.", field=f"{path}.rationale")
        rationale = why if treatment == proposed else f"stated: {ev.rationale} (the engine proposed {proposed}: {why})"
        if ev.rationale and treatment == proposed:
            rationale += f"; {ev.rationale}"
        summary["proposed_treatment"] = proposed
        if treatment == "separate_contract":
            summary["new_contract"] = separate_contract(st, ev, rows)
            adj = 0
        elif treatment == "cumulative_catch_up":
            catch_up(st, ev)
            adj = sum(st.tl.cum(E)) - before
        else:
            prospective(st, ev, rows)
            adj = -to_units(ev.credit, ccy)  # by construction: the credit is the only catch-up
    elif ev.type == "VARIABLE_CONSIDERATION_REASSESSMENT":
        if ev.variable is not None:
            st.set_variable(ev.variable)
            vc_step(st.tl, st.contract, st.alloc, E, st.tp_at(E), "variable consideration reassessed")
            adj = sum(st.tl.cum(E)) - before
            assert st.variable is not None  # set_variable just set it
            rationale = f"estimate {st.variable[0]}, included {st.variable[1]}: {ev.variable.constraint_reason or 'unconstrained'}"
        else:
            v = st.contract.transaction_price.variable
            if v is None or v.type != VOLUME_DISCOUNT:
                raise EngineError("no_estimate_for_reassessment", "give changes.variable or dated estimates.",
                                  field=f"{path}.changes.variable")
            adj = _eval(st, st.tl.step_at(E), E) - _eval(st, st.tl.step_at(E - ONE_DAY), E)
            est = [e for e in v.estimates if e.as_of <= E][-1]
            rationale = (f"estimate of {est.as_of}: threshold {'' if est.expect_threshold_exceeded else 'not '}"
                         "expected to be exceeded; allocated on the inception basis (32-43..44)")
    else:
        prog, dlv = dict(ev.progress), dict(ev.delivered)
        for k, po in enumerate(st.tl.pos):
            if po.id in prog or po.id in dlv:
                merged = {p.date: p for p in po.progress}
                merged.update((p.date, p) for p in prog.get(po.id, ()))  # a new point replaces one of its date
                pts = tuple(merged[d] for d in sorted(merged))
                st.tl.pos[k] = dataclasses.replace(po, progress=pts, delivered_date=dlv.get(po.id, po.delivered_date))
        for x in list(prog) + list(dlv):
            st.index(x, f"{path}.changes")
        prev = st.tl.step_at(E)
        fracs = [st.progress_of(k, po) if (po.id in prog or po.id in dlv) else f
                 for k, (po, f) in enumerate(zip(st.tl.pos, prev.fracs))]
        st.tl.add_step(Step(E, list(prev.base), list(prev.alloc), fracs, prev.tp, "progress update"))
        adj = sum(st.tl.cum(E)) - before
        rationale = "change in the measure of progress accounted for as a change in estimate (25-35)"
    summary.update({"treatment": treatment, "rationale": rationale,
                    "transaction_price_after": st.tp_at(E).to_dict(), "allocation_after": _alloc_dict(st),
                    "catch_up_adjustment": str(from_minor(adj, ccy))})
    return summary


def _horizon(st: State, costs_end: date) -> tuple[date, date]:
    c = st.contract
    ds = [c.start_date, costs_end] + [b.date for b in c.billing] + [s.start for s in st.tl.steps[1:]]
    for po in st.tl.pos:
        ds += [d for d in (po.start_date, po.end_date, po.delivered_date) if d] + [p.date for p in po.progress]
    if st.fin.transfer_date:
        ds.append(st.fin.transfer_date)
    return min(ds), max(ds)


def _replay(contract: Contract, policy: RevenuePolicy, ssp_rows: Sequence[Mapping[str, Any]],
            events: Sequence[RevenueEvent]) -> tuple[Inception, State, list[dict[str, Any]]]:
    inc = build_inception(contract, policy, ssp_rows)
    st = State(contract, policy, inc.timeline, inc.allocation, inc.financing, list(inc.allocation.ssps))
    queue: list[tuple[date, int, int, Any]] = []
    v = contract.transaction_price.variable
    if v is not None and v.type == VOLUME_DISCOUNT:
        queue += [(e.as_of, 0, k, e) for k, e in enumerate(v.estimates) if e.as_of > contract.start_date]
    for k in range(1, len(events)):
        if events[k].effective_date < events[k - 1].effective_date:
            raise EngineError("effective_date_before_previous_event", "events are applied in effective-date order.",
                              field=f"events[{k}].effective_date")
    queue += [(ev.effective_date, 1, k, ev) for k, ev in enumerate(events)]
    summaries: list[dict[str, Any]] = []
    for d, kind, k, item in sorted(queue, key=lambda q: (q[0], q[1], q[2])):
        if kind == 0:
            vc_step(st.tl, st.contract, st.alloc, d, st.tp_at(d), "volume estimate")
        else:
            summaries.append(_apply(st, item, ssp_rows, f"events[{k}]"))
    return inc, st, summaries


def recognise_books(contract: Contract, policy: RevenuePolicy, standards: Sequence[str] | None = None,
                    ssp_rows: Sequence[Mapping[str, Any]] = (), as_of: date | None = None,
                    events: Sequence[RevenueEvent] = ()) -> dict[str, RevenueResult]:
    """``recognise`` for several books (default: the policy's enabled standards) sharing one replay:
    the books differ only where a divergence or a one-book election changes a number."""
    standards = tuple(standards or policy.enabled_standards)
    for s in standards:
        if s not in STANDARDS:
            raise EngineError("unknown_standard", "standard must be IFRS15 or ASC606.", field="standard")
    inc, st, summaries = _replay(contract, policy, ssp_rows, events)
    last_transfer = max([d for po in st.tl.pos for d in (po.end_date, po.delivered_date) if d]
                        + [p.date for po in st.tl.pos for p in po.progress] + [contract.start_date])
    cost_end = max([add_months(k.date, (k.amortisation_months or 1) - 1) for k in contract.costs_to_obtain]
                   + [contract.start_date])
    first, last = _horizon(st, max(cost_end, last_transfer))
    if as_of is None:  # default: the date of the last event, else the contract start
        as_of = st.tl.last.start if len(st.tl.steps) > 1 else contract.start_date
    n_periods = (last.year - first.year) * 12 + last.month - first.month + 1
    costs = build_costs(contract, policy, first, n_periods, last_transfer)
    last_step = st.tl.last
    base_rationale = list(inc.allocation.rationale) + [inc.financing.rationale] + costs.notes
    vc = contract.transaction_price.variable
    if vc is not None and vc.constraint_reason:
        base_rationale.append(f"variable consideration constrained: {vc.constraint_reason} (32-11)")
    inputs = _Inputs(contract, policy, tuple(ssp_rows), tuple(events), as_of)
    periods: dict[bool, Any] = {}
    rpos: dict[tuple[str, ...], Rpo] = {}
    out: dict[str, RevenueResult] = {}
    for standard in standards:
        exists = contract_exists(contract, standard)
        if exists not in periods:
            periods[exists] = build_periods(st.contract, st.tl, st.fin, first, last, recognised=exists)
        key = tuple(e for e in policy.rpo_expedients if standard == "ASC606" or e not in ASC_ONLY_RPO_EXPEDIENTS)
        if not exists:  # no contract under this standard: nothing remains to be performed under it
            key = ("no_contract",)
            rpos[key] = Rpo(as_of, 0, 0, 0, {}, 0, [{"scope": "contract", "expedient": "no_contract",
                                                   "reference": "ASC 606-10-25-1(e); IFRS 15.9(e)"}])
        if key not in rpos:
            rpos[key] = compute_rpo(st.contract, st.tl, policy, standard, as_of)
        rationale = base_rationale + ([] if exists else
                                      ["no contract under this standard (step 1 collectibility): nothing recognised"])
        out[standard] = RevenueResult(
            standard=standard, currency=contract.currency, entity=contract.entity, external_id=contract.external_id,
            po_ids=tuple(st.tl.po_ids), transaction_price=last_step.tp, ssp_total=sum(st.ssps, Decimal(0)),
            ssps=tuple(st.ssps), allocation=tuple(b + a for b, a in zip(last_step.base, last_step.alloc)),
            columns=periods[exists], rpo=rpos[key], divergences=divergences(contract, policy, standard), costs=costs,
            rationale=rationale, contract_exists=exists, policy=policy.to_dict(), inputs=inputs,
            events=[dict(s) for s in summaries])
    return out


class _Inputs:
    """The run's inputs; their canonical form is built only when the hash is asked for, once per replay."""

    def __init__(self, *parts: Any) -> None:
        self.parts = parts
        self._canon: dict[str, Any] | None = None

    def canonical(self) -> dict[str, Any]:
        if self._canon is None:
            contract, policy, rows, events, as_of = self.parts
            self._canon = {"contract": canonical(contract), "policy": policy.to_dict(),
                           "ssp_rows": canonical(list(rows)), "events": [canonical(e.lineage()) for e in events],
                           "as_of": as_of.isoformat()}
        return self._canon


def recognise(contract: Contract, policy: RevenuePolicy, standard: str, ssp_rows: Sequence[Mapping[str, Any]] = (),
              as_of: date | None = None, events: Sequence[RevenueEvent] = ()) -> RevenueResult:
    """The schedule of ``contract`` under ``standard`` after ``events`` (in effective-date order).
    Raises ``EngineError`` naming the rule and the field (``events[i].…`` for an event's fields)."""
    return recognise_books(contract, policy, (standard,), ssp_rows, as_of, events)[standard]


def apply_event(contract: Contract, prior_events: Sequence[RevenueEvent], event: RevenueEvent, policy: RevenuePolicy,
                standard: str, ssp_rows: Sequence[Mapping[str, Any]] = (),
                as_of: date | None = None) -> tuple[RevenueResult, dict[str, Any]]:
    """The new run after ``event`` (replayed from the original input and ``prior_events``) and the
    event's summary ``{treatment, rationale, transaction_price_before, transaction_price_after,
    allocation_after, catch_up_adjustment, …}``."""
    r = recognise(contract, policy, standard, ssp_rows, as_of, list(prior_events) + [event])
    return r, r.events[-1]
