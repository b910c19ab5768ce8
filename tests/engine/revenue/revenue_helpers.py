"""Small builders for revenue engine tests (JSON-like inputs, as the API sends them)."""

from __future__ import annotations

from decimal import Decimal

from backend.engine.revenue import RevenuePolicy, parse_contract, parse_event, recognise


def po(id_, pattern="point_in_time", ssp="100", method="observable", **kw):
    d = {"id": id_, "description": id_, "pattern": pattern, "ssp_method": method, **kw}
    if ssp is not None:
        d["ssp"] = ssp
    return d


def contract(pos, fixed="100", start="2021-01-01", currency="USD", billing=(), **kw):
    tp = {"fixed": fixed, **kw.pop("tp", {})}
    return {"entity": "E1", "external_id": kw.pop("external_id", "C1"), "customer": "Cust", "currency": currency,
            "start_date": start, "transaction_price": tp, "billing": list(billing), "performance_obligations": pos,
            **kw}


def run(data, standard="IFRS15", policy=None, events=(), **kw):
    c = parse_contract(data)
    evs = [parse_event(e, c.currency) for e in events]
    return recognise(c, policy or RevenuePolicy(), standard, events=evs, **kw)


def by_period(result, field="revenue_total"):
    return {p["period"]: p[field] for p in result.to_dict()["periods"]}


def sum_periods(result, first, last, field="revenue_total"):
    return sum((Decimal(v) for k, v in by_period(result, field).items() if first <= k <= last), Decimal(0))
