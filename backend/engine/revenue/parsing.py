"""``parse_contract``: the API's JSON-like contract to frozen values.

Every field problem is reported at once with its path (``performance_obligations[1].ssp``); the
engine's ``FieldCollector`` (shared with the lease parser) keeps messages and codes the same across sources.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from ..inputs import FieldCollector
from ..money import quantize, quantum
from .contract import (COLLECTIBILITY, COMPOUNDING, PATTERNS, SSP_METHODS, VC_METHODS, VOLUME_DISCOUNT, Billing,
                       Collectibility, Contract, ContractCost, DiscountAllocation, Financing, InvalidRevenueInput,
                       Outcome, PerformanceObligation, ProgressPoint, TransactionPriceInput, VariableConsideration,
                       VolumeEstimate)



class _C(FieldCollector):
    """The engine's field collector plus a minor-unit check (contract money is on the currency's unit)."""

    currency = "USD"

    def cents(self, data: Mapping[str, Any], key: str, path: str, **kw: Any) -> Decimal | None:
        v = self.money(data, key, path, **kw)
        if v is not None and quantize(v, self.currency) != v:
            self.add(path, "not_minor_unit", f"{path} has more decimals than {self.currency} allows.")
        return v


def _list(c: _C, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
    v = data.get(key)
    if v is None:
        return []
    if not isinstance(v, (list, tuple)):
        c.add(path, "invalid_list", f"{path} must be a list.")
        return []
    return list(v)


def _obj(c: _C, v: Any, path: str) -> Mapping[str, Any] | None:
    if v is None or type(v) is dict:  # the common case first: isinstance on Mapping is slow
        return v
    if not isinstance(v, Mapping):
        c.add(path, "invalid_object", f"{path} must be an object.")
        return None
    return v


def parse_variable(c: _C, v: Mapping[str, Any], path: str) -> VariableConsideration:
    vtype = c.text(v, "type", f"{path}.type", required=True)
    method = c.choice(v, "method", f"{path}.method", VC_METHODS, None)
    if v.get("method") in (None, ""):
        c.add(f"{path}.method", "required", f"{path}.method is required (expected_value | most_likely_amount).")
    outcomes = []
    for i, o in enumerate(_list(c, v, "outcomes", f"{path}.outcomes")):
        p = f"{path}.outcomes[{i}]"
        if _obj(c, o, p) is None:
            continue
        a = c.money(o, "amount", f"{p}.amount", required=True)
        pr = c.money(o, "probability", f"{p}.probability", required=True)
        if pr is not None and not (0 <= pr <= 1):
            c.add(f"{p}.probability", "out_of_range", "probability is a fraction between 0 and 1.")
        if a is not None and pr is not None:
            outcomes.append(Outcome(a, pr))
    if outcomes and sum((o.probability for o in outcomes), Decimal(0)) != 1:
        c.add(f"{path}.outcomes", "probabilities_not_one", "outcome probabilities must add up to 1.")
    estimates = []
    for i, e in enumerate(_list(c, v, "estimates", f"{path}.estimates")):
        p = f"{path}.estimates[{i}]"
        if _obj(c, e, p) is None:
            continue
        d = c.date(e, "as_of", f"{p}.as_of")
        flag = c.boolean(e, "expect_threshold_exceeded", f"{p}.expect_threshold_exceeded", default=None)
        if flag is None:
            c.add(f"{p}.expect_threshold_exceeded", "required", "the threshold judgement is required.")
        elif d is not None:
            estimates.append(VolumeEstimate(d, flag))
    out = VariableConsideration(
        type=vtype, method=method or "", outcomes=tuple(outcomes),
        estimate=c.cents(v, "estimate", f"{path}.estimate"), included=c.cents(v, "included", f"{path}.included"),
        constraint_reason=c.text(v, "constraint_reason", f"{path}.constraint_reason"),
        list_unit_price=c.money(v, "list_unit_price", f"{path}.list_unit_price", non_negative=True),
        discounted_unit_price=c.money(v, "discounted_unit_price", f"{path}.discounted_unit_price", non_negative=True),
        threshold_units=c.money(v, "threshold_units", f"{path}.threshold_units", non_negative=True),
        estimates=tuple(sorted(estimates, key=lambda e: e.as_of)),
        allocated_to=c.text(v, "allocated_to", f"{path}.allocated_to") or None,
        allocation_rationale=c.text(v, "allocation_rationale", f"{path}.allocation_rationale"))
    if vtype == VOLUME_DISCOUNT:
        for k in ("list_unit_price", "discounted_unit_price", "threshold_units"):
            if getattr(out, k) is None:
                c.add(f"{path}.{k}", "required", f"{path}.{k} is required for a volume discount.")
        if not estimates:
            c.add(f"{path}.estimates", "required", "a volume discount needs dated threshold estimates.")
    elif vtype:
        if out.included is None:
            c.add(f"{path}.included", "required",
                  "included (the amount after the constraint) is a judgement the engine does not guess.")
        if out.estimate is None and not outcomes:
            c.add(f"{path}.estimate", "required", "give the estimate or the outcomes it comes from.")
    if out.allocated_to and not out.allocation_rationale:
        c.add(f"{path}.allocation_rationale", "required",
              "allocating variable consideration to one PO needs the rationale (32-40 conditions).")
    return out


def _progress(c: _C, raw: list[Any], path: str) -> tuple[ProgressPoint, ...]:
    out: list[ProgressPoint] = []
    for i, p in enumerate(raw):
        pp = f"{path}[{i}]"
        if _obj(c, p, pp) is None:
            continue
        d = c.date(p, "date", f"{pp}.date")
        percent = c.money(p, "percent", f"{pp}.percent", non_negative=True)
        costs = c.money(p, "costs_incurred_to_date", f"{pp}.costs_incurred_to_date", non_negative=True)
        total = c.money(p, "total_expected_costs", f"{pp}.total_expected_costs", non_negative=True)
        units = c.money(p, "units_delivered", f"{pp}.units_delivered", non_negative=True)
        kinds = (percent is not None) + (costs is not None) + (units is not None)
        if kinds != 1:
            c.add(pp, "invalid_progress", "give one of percent, costs_incurred_to_date or units_delivered.")
        elif percent is not None and percent > 100:
            c.add(f"{pp}.percent", "out_of_range", "percent is at most 100.")
        elif costs is not None and not total:
            c.add(f"{pp}.total_expected_costs", "required", "total_expected_costs (> 0) is required.")
        elif costs is not None and total is not None and costs > total:
            c.add(f"{pp}.costs_incurred_to_date", "out_of_range", "costs to date exceed the total expected.")
        elif d is not None:
            out.append(ProgressPoint(d, percent, costs, total, units))
    dates = [p.date for p in out]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        c.add(path, "progress_not_in_date_order", f"{path} must be in strictly increasing date order.")
    return tuple(out)


def parse_po(c: _C, p: Mapping[str, Any], path: str, contract_start: date | None) -> PerformanceObligation | None:
    po_id = c.text(p, "id", f"{path}.id", required=True)
    pattern = c.choice(p, "pattern", f"{path}.pattern", PATTERNS, None)
    if p.get("pattern") in (None, ""):
        c.add(f"{path}.pattern", "required", f"{path}.pattern is required.")
    method = c.choice(p, "ssp_method", f"{path}.ssp_method", SSP_METHODS, None)
    if p.get("ssp_method") in (None, ""):
        c.add(f"{path}.ssp_method", "required", f"{path}.ssp_method is required (a judgement).")
    ssp = c.money(p, "ssp", f"{path}.ssp", non_negative=True)
    rng = None
    if p.get("ssp_range") is not None:
        r = p["ssp_range"]
        if not isinstance(r, (list, tuple)) or len(r) != 2:
            c.add(f"{path}.ssp_range", "invalid_range", "ssp_range is [low, high].")
        else:
            lo = c.money({"v": r[0]}, "v", f"{path}.ssp_range[0]", required=True)
            hi = c.money({"v": r[1]}, "v", f"{path}.ssp_range[1]", required=True)
            if lo is not None and hi is not None:
                if lo > hi:
                    c.add(f"{path}.ssp_range", "invalid_range", "low is above high.")
                rng = (lo, hi)
    if method == "residual" and ssp is not None:
        c.add(f"{path}.ssp", "residual_with_ssp", "a residual PO takes its SSP from the residual, not the input.")
    if method == "residual" and rng is None:
        c.add(f"{path}.ssp_range", "required", "the residual approach needs the observed ssp_range to check against.")
    start = c.date(p, "start_date", f"{path}.start_date", required=False)
    end = c.date(p, "end_date", f"{path}.end_date", required=False)
    delivered = c.date(p, "delivered_date", f"{path}.delivered_date", required=False)
    qty = c.money(p, "quantity", f"{path}.quantity")
    if qty is not None and qty <= 0:
        c.add(f"{path}.quantity", "out_of_range", "quantity must be positive.")
    progress = _progress(c, _list(c, p, "progress", f"{path}.progress"), f"{path}.progress")
    if pattern == "ratable":
        start = start or contract_start
        if end is None:
            c.add(f"{path}.end_date", "required", "a ratable PO needs end_date (the last service day).")
        elif start and end < start:
            c.add(f"{path}.end_date", "end_before_start", "end_date is before start_date.")
    if pattern == "percent_complete" and not progress and delivered is None:
        pass  # nothing measured yet: no revenue, all in RPO
    if any(pt.units_delivered is not None for pt in progress) and qty is None:
        c.add(f"{path}.quantity", "required", "units_delivered progress needs the PO's quantity.")
    if not po_id or pattern is None or method is None:
        return None
    return PerformanceObligation(
        id=po_id, description=c.text(p, "description", f"{path}.description"), pattern=pattern, ssp_method=method,
        ssp=ssp, ssp_range=rng, sku=c.text(p, "sku", f"{path}.sku") or None, start_date=start, end_date=end,
        delivered_date=delivered, quantity=qty, unit_price=c.money(p, "unit_price", f"{path}.unit_price"),
        progress=progress, right_to_invoice=bool(c.boolean(p, "right_to_invoice", f"{path}.right_to_invoice")))


def parse_billing(c: _C, raw: list[Any], path: str) -> tuple[Billing, ...]:
    out = []
    q = quantum(c.currency)
    for i, b in enumerate(raw):
        # fast path for the common shape (ISO date string, amount string on the minor unit); anything
        # else goes through the collector so its message and field path are the usual ones
        try:
            d, a = date.fromisoformat(b["date"]), Decimal(b["amount"])
            if a.is_finite() and a.quantize(q) == a and type(b["amount"]) is str:
                out.append(Billing(d, a))
                continue
        except (TypeError, ValueError, KeyError, ArithmeticError):
            pass
        p = f"{path}[{i}]"
        if _obj(c, b, p) is None:
            continue
        bd = c.date(b, "date", f"{p}.date")
        ba = c.cents(b, "amount", f"{p}.amount", required=True)
        if bd is not None and ba is not None:
            out.append(Billing(bd, ba))
    return tuple(sorted(out, key=lambda b: b.date))


def parse_contract(data: Mapping[str, Any]) -> Contract:
    """The API's contract dict to a frozen ``Contract``; raises ``InvalidRevenueInput`` listing every problem."""
    if not isinstance(data, Mapping):
        raise InvalidRevenueInput([{"field": "", "code": "invalid_object", "message": "a contract is an object."}])
    c = _C()
    c.currency = (c.text(data, "currency", "currency", required=True) or "USD").upper()
    start = c.date(data, "start_date", "start_date")
    tp_raw = _obj(c, data.get("transaction_price"), "transaction_price") or {}
    if not tp_raw:
        c.add("transaction_price", "required", "transaction_price is required.")
    fixed = c.cents(tp_raw, "fixed", "transaction_price.fixed", required=True)
    vraw = _obj(c, tp_raw.get("variable"), "transaction_price.variable")
    variable = parse_variable(c, vraw, "transaction_price.variable") if vraw else None
    fraw = _obj(c, tp_raw.get("financing"), "transaction_price.financing")
    financing = None
    if fraw:
        rate = c.money(fraw, "discount_rate", "transaction_price.financing.discount_rate", required=True)
        comp = c.choice(fraw, "compounding", "transaction_price.financing.compounding", COMPOUNDING, "annual")
        if rate is not None and not (0 <= rate < 1):
            c.add("transaction_price.financing.discount_rate", "out_of_range", "discount_rate is an annual fraction.")
        if rate is not None:
            financing = Financing(rate, comp or "annual",
                                  c.date(fraw, "transfer_date", "transaction_price.financing.transfer_date", False))
    payable = c.cents(tp_raw, "consideration_payable", "transaction_price.consideration_payable",
                      default=Decimal(0), non_negative=True)
    pos: list[PerformanceObligation] = []
    for i, p in enumerate(_list(c, data, "performance_obligations", "performance_obligations")):
        path = f"performance_obligations[{i}]"
        if _obj(c, p, path) is not None:
            po = parse_po(c, p, path, start)
            if po is not None:
                if any(q.id == po.id for q in pos):
                    c.add(f"{path}.id", "duplicate_po_id", f"PO id {po.id!r} is used twice.")
                pos.append(po)
    if not data.get("performance_obligations"):
        c.add("performance_obligations", "required", "a contract needs at least one performance obligation.")
    if sum(1 for po in pos if po.ssp_method == "residual") > 1:
        c.add("performance_obligations", "several_residuals", "at most one PO may use the residual approach.")
    ids = {po.id for po in pos}
    da = None
    draw = _obj(c, data.get("discount_allocation"), "discount_allocation")
    if draw:
        po_ids = tuple(str(x) for x in _list(c, draw, "po_ids", "discount_allocation.po_ids"))
        for k, x in enumerate(po_ids):
            if x not in ids:
                c.add(f"discount_allocation.po_ids[{k}]", "unknown_po_id", f"no PO {x!r} in this contract.")
        if not po_ids or set(po_ids) == ids:
            c.add("discount_allocation.po_ids", "invalid_subset", "the discount goes to a proper subset of the POs.")
        da = DiscountAllocation(po_ids, c.cents(draw, "bundle_price", "discount_allocation.bundle_price"),
                                c.text(draw, "rationale", "discount_allocation.rationale")
                                or "the input allocates the discount to these POs (32-37)")
    if variable and variable.allocated_to and variable.allocated_to not in ids:
        c.add("transaction_price.variable.allocated_to", "unknown_po_id", "no such PO in this contract.")
    if variable and variable.type == VOLUME_DISCOUNT and not any(po.quantity for po in pos):
        c.add("transaction_price.variable", "volume_without_quantity", "a volume discount needs a PO with quantity.")
    costs = []
    for i, k in enumerate(_list(c, data, "costs_to_obtain", "costs_to_obtain")):
        p = f"costs_to_obtain[{i}]"
        if _obj(c, k, p) is None:
            continue
        d = c.date(k, "date", f"{p}.date")
        a = c.cents(k, "amount", f"{p}.amount", required=True, non_negative=True)
        m = c.integer(k, "amortisation_months", f"{p}.amortisation_months")
        if d is not None and a is not None:
            costs.append(ContractCost(d, a, c.text(k, "description", f"{p}.description"), m))
    coll = None
    craw = _obj(c, data.get("collectibility"), "collectibility")
    if craw:
        assessment = c.choice(craw, "assessment", "collectibility.assessment", COLLECTIBILITY, None)
        if assessment:
            coll = Collectibility(assessment, c.text(craw, "rationale", "collectibility.rationale",
                                                     required=assessment != "probable"))
    billing = parse_billing(c, _list(c, data, "billing", "billing"), "billing")
    if c.errors:
        raise InvalidRevenueInput(c.errors)
    assert start is not None and fixed is not None and payable is not None  # required / defaulted
    return Contract(
        entity=c.text(data, "entity", "entity"), external_id=c.text(data, "external_id", "external_id"),
        customer=c.text(data, "customer", "customer"), currency=c.currency, start_date=start,
        transaction_price=TransactionPriceInput(fixed, variable, financing, payable),
        performance_obligations=tuple(pos), billing=billing, discount_allocation=da,
        costs_to_obtain=tuple(costs), collectibility=coll)
