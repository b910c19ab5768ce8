"""Revenue events as frozen values, and ``parse_event`` from the API's request.

``{type: MODIFICATION | VARIABLE_CONSIDERATION_REASSESSMENT | PROGRESS_UPDATE, effective_date,
treatment?, rationale?, changes: {...}}``. MODIFICATION changes: ``consideration_delta`` (net change
in consideration, after any credit), ``credit`` (the part that is a price concession on goods
already transferred: a reduction of revenue at the modification date, Example 5 Case B),
``credit_po_id?``, ``quantity_delta: {po_id: units}``, ``add_performance_obligations``,
``remove_po_ids``, ``new_end_date`` (ratable POs), ``billing`` (replaces billing dated on or after
the effective date), ``expected_costs_delta`` (number, or ``{po_id: amount}``), ``variable``.
VARIABLE_CONSIDERATION_REASSESSMENT: ``variable: {estimate | outcomes, included, constraint_reason}``
or nothing (the contract's dated ``estimates`` decide). PROGRESS_UPDATE: ``progress: {po_id:
[points]}``, ``delivered: {po_id: date}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from .contract import Billing, InvalidRevenueInput, PerformanceObligation, ProgressPoint, VariableConsideration
from .parsing import _C, _list, _obj, _progress, parse_billing, parse_po, parse_variable

EVENT_TYPES = ("MODIFICATION", "VARIABLE_CONSIDERATION_REASSESSMENT", "PROGRESS_UPDATE")
TREATMENTS = ("separate_contract", "prospective", "cumulative_catch_up")
_ZERO = Decimal(0)


@dataclass(frozen=True)
class RevenueEvent:
    type: str
    effective_date: date
    treatment: str | None = None
    rationale: str = ""
    consideration_delta: Decimal = _ZERO
    credit: Decimal = _ZERO
    credit_po_id: str | None = None
    quantity_delta: tuple[tuple[str, Decimal], ...] = ()
    add_performance_obligations: tuple[PerformanceObligation, ...] = ()
    remove_po_ids: tuple[str, ...] = ()
    new_end_date: date | None = None
    billing: tuple[Billing, ...] | None = None
    expected_costs_delta: tuple[tuple[str, Decimal], ...] = ()
    variable: VariableConsideration | None = None
    progress: tuple[tuple[str, tuple[ProgressPoint, ...]], ...] = ()
    delivered: tuple[tuple[str, date], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def lineage(self) -> dict[str, Any]:
        """What the service stores to replay this event (the request as given)."""
        return dict(self.raw)

    @property
    def adds_goods(self) -> bool:
        return bool(self.add_performance_obligations) or any(q > 0 for _, q in self.quantity_delta)


def _per_po(c: _C, v: Any, path: str, amount: bool = True) -> tuple[tuple[str, Decimal | date], ...]:
    if v is None:
        return ()
    if not isinstance(v, Mapping):
        c.add(path, "invalid_object", f"{path} is an object keyed by PO id.")
        return ()
    out: list[tuple[str, Decimal | date]] = []
    for k in sorted(v):
        x = c.money({"v": v[k]}, "v", f"{path}.{k}", required=True) if amount else c.date({"v": v[k]}, "v", f"{path}.{k}")
        if x is not None:
            out.append((str(k), x))
    return tuple(out)


def parse_event(data: Mapping[str, Any], currency: str = "USD") -> RevenueEvent:
    """Validate one event request; raises ``InvalidRevenueInput`` listing every bad field."""
    c = _C()
    c.currency = currency.upper()
    if not isinstance(data, Mapping):
        raise InvalidRevenueInput([{"field": "", "code": "invalid_object", "message": "an event is an object."}])
    etype = c.choice(data, "type", "type", EVENT_TYPES, None)
    if data.get("type") in (None, ""):
        c.add("type", "required", "type is required.")
    eff = c.date(data, "effective_date", "effective_date")
    treatment = c.choice(data, "treatment", "treatment", TREATMENTS, None)
    ch = _obj(c, data.get("changes"), "changes") or {}
    kw: dict[str, Any] = {}
    if etype == "MODIFICATION":
        kw["consideration_delta"] = c.cents(ch, "consideration_delta", "changes.consideration_delta", default=_ZERO)
        kw["credit"] = c.cents(ch, "credit", "changes.credit", default=_ZERO, non_negative=True)
        kw["credit_po_id"] = c.text(ch, "credit_po_id", "changes.credit_po_id") or None
        kw["quantity_delta"] = _per_po(c, ch.get("quantity_delta"), "changes.quantity_delta")
        adds = []
        for i, p in enumerate(_list(c, ch, "add_performance_obligations", "changes.add_performance_obligations")):
            path = f"changes.add_performance_obligations[{i}]"
            if _obj(c, p, path) is not None:
                po = parse_po(c, p, path, eff)
                if po is not None:
                    adds.append(po)
        kw["add_performance_obligations"] = tuple(adds)
        kw["remove_po_ids"] = tuple(str(x) for x in _list(c, ch, "remove_po_ids", "changes.remove_po_ids"))
        kw["new_end_date"] = c.date(ch, "new_end_date", "changes.new_end_date", required=False)
        if ch.get("billing") is not None:
            kw["billing"] = parse_billing(c, _list(c, ch, "billing", "changes.billing"), "changes.billing")
        ecd = ch.get("expected_costs_delta")
        if ecd is not None and not isinstance(ecd, Mapping):
            ecd = {"*": ecd}
        kw["expected_costs_delta"] = _per_po(c, ecd, "changes.expected_costs_delta")
    if etype in ("MODIFICATION", "VARIABLE_CONSIDERATION_REASSESSMENT") and ch.get("variable") is not None:
        vraw = _obj(c, ch.get("variable"), "changes.variable")
        if vraw:
            vraw = {"type": "reassessed", **vraw}
            kw["variable"] = parse_variable(c, vraw, "changes.variable")
    if etype == "PROGRESS_UPDATE":
        prog = ch.get("progress") or {}
        if not isinstance(prog, Mapping):
            c.add("changes.progress", "invalid_object", "progress is an object keyed by PO id.")
            prog = {}
        kw["progress"] = tuple((str(k), _progress(c, list(prog[k] or []), f"changes.progress.{k}")) for k in sorted(prog))
        kw["delivered"] = _per_po(c, ch.get("delivered"), "changes.delivered", amount=False)
        if not kw["progress"] and not kw["delivered"]:
            c.add("changes", "empty_progress_update", "give progress points or delivery dates.")
    if c.errors:
        raise InvalidRevenueInput(c.errors)
    assert etype is not None and eff is not None  # both required: a missing one is in c.errors
    return RevenueEvent(type=etype, effective_date=eff, treatment=treatment,
                        rationale=c.text(data, "rationale", "rationale"), raw=dict(data), **kw)
