"""A revenue run's schedule as stored (integer minor units, column-wise JSON) and read back.

``StoredResult`` has the attributes the engine's ``period_postings`` reads, so the close and the
catch-up routing post from the stored run exactly what the engine computed, without a replay.
"""
from __future__ import annotations


import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from backend.engine.calendar import period_end
from backend.engine.money import from_minor
from backend.engine.revenue import RevenueResult
from backend.engine.revenue.postings import period_postings, posting_periods
from backend.services.ledger.periods import PeriodAxis

FIELDS = ("revenue_total", "billed", "receivable", "contract_asset", "contract_liability", "interest")
COSTS = ("capitalised", "amortisation", "expensed", "closing")


def encode_columns(r: RevenueResult) -> str:
    c = r.columns
    cols: dict[str, Any] = {f: getattr(c, f) for f in FIELDS}
    cols["revenue"] = c.revenue
    if r.costs.any:
        cols["costs"] = {f: getattr(r.costs, f) for f in COSTS}
    return json.dumps(cols, separators=(",", ":"))


def period_keys(first: str, count: int) -> list[str]:
    n0 = int(first[:4]) * 12 + int(first[5:]) - 1
    return [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(n0, n0 + count)]


class _Ends(Sequence):
    __slots__ = ("keys",)

    def __init__(self, keys):
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, k):
        return period_end(self.keys[k])


class _Cols:
    # the engine's PeriodColumns fields (FIELDS), integer minor units per period
    revenue_total: list[int]
    billed: list[int]
    receivable: list[int]
    contract_asset: list[int]
    contract_liability: list[int]
    interest: list[int]

    def __init__(self, keys, blob: dict):
        self.keys, self.ends = keys, _Ends(keys)
        for f in FIELDS:
            setattr(self, f, blob[f])
        self.revenue = blob["revenue"]


class _Costs:
    def __init__(self, n: int, blob: dict | None):
        for f in COSTS:
            setattr(self, f, (blob or {}).get(f) or [0] * n)
        self.any = blob is not None


class StoredResult:
    """The stored run, shaped like the engine's ``RevenueResult`` for postings and schedule reads."""

    def __init__(self, *, standard: str, currency: str, external_id: str, entity: str, po_ids: Sequence[str],
                 first_period: str, period_count: int, columns: str):
        self.standard, self.currency, self.external_id, self.entity = standard, currency, external_id, entity
        self.po_ids = tuple(po_ids)
        keys = PeriodAxis(first_period, period_count)
        blob = json.loads(columns)
        self.columns = _Cols(keys, blob)
        self.costs = _Costs(period_count, blob.get("costs"))
        self._keys = keys

    @classmethod
    def of_run(cls, run) -> StoredResult:
        sm = run.summary
        return cls(standard=run.standard, currency=run.currency, external_id=sm["external_id"], entity=sm["entity"],
                   po_ids=sm["po_ids"], first_period=run.first_period, period_count=run.period_count,
                   columns=run.columns)

    def period_index(self, period: str) -> int:
        from backend.engine.errors import EngineError

        k = self._keys.position(period)
        if k is None:
            raise EngineError("period_outside_schedule", f"{period} is not a period of this contract's schedule.",
                              field="period")
        return k

    def postings(self, period: str):
        # The stored result has every attribute period_postings reads of a RevenueResult.
        return period_postings(cast(RevenueResult, self), period) if period in self._keys else []

    def rows(self) -> list[dict]:
        m = lambda u: str(from_minor(u, self.currency))
        c = self.columns
        out = []
        for k, key in enumerate(c.keys):
            row = {"period": key, "period_end": c.ends[k],
                   "revenue": {p: m(v) for p, v in zip(self.po_ids, c.revenue[k])}}
            row.update({f: m(getattr(c, f)[k]) for f in FIELDS})
            if self.costs.any:
                row["contract_costs"] = {f: m(getattr(self.costs, f)[k]) for f in COSTS}
            out.append(row)
        return out


def result_summary(r: RevenueResult) -> dict:
    """The run's headline figures (everything of ``to_dict`` but the periods), money as strings."""
    m = lambda u: str(from_minor(u, r.currency))
    rpo = r.rpo
    return {
        "external_id": r.external_id, "entity": r.entity, "po_ids": list(r.po_ids),
        "contract_exists": r.contract_exists, "transaction_price": r.transaction_price.to_dict(),
        "ssp_total": str(r.ssp_total), "ssp": {p: str(v) for p, v in zip(r.po_ids, r.ssps)},
        "allocation": {p: m(v) for p, v in zip(r.po_ids, r.allocation)},
        "rpo": {"as_of": rpo.as_of.isoformat(), "total": m(rpo.total),
                "within_12_months": m(rpo.within_12_months), "after_12_months": m(rpo.after_12_months)},
        "total_revenue": str(r.total_revenue()), "divergences": list(r.divergences), "rationale": list(r.rationale),
        "policy": r.policy, "events": list(r.events),
        "contract_cost_notes": list(r.costs.notes) if r.costs.any else []}


def moving_periods(r) -> list[str]:
    """The periods in which ``r`` posts (the engine's ``posting_periods``), from the integer columns
    directly: a period posts when any line of its entry would be non-zero (billing, revenue,
    interest, a change of the net contract position, contract costs). A test pins it to the
    engine's ``posting_periods``; this is ~100× cheaper than building every entry."""
    c, co = r.columns, r.costs
    out = []
    prev_a = prev_l = 0
    for k, key in enumerate(c.keys):
        a, li = c.contract_asset[k], c.contract_liability[k]
        if (c.billed[k] or c.interest[k] or a != prev_a or li != prev_l or any(c.revenue[k])
                or co.capitalised[k] or co.amortisation[k] or co.expensed[k]):
            out.append(key)
        prev_a, prev_l = a, li
    return out


def engine_posting_periods(r) -> list[str]:
    return posting_periods(r)


def to_decimal(v: str | None) -> Decimal | None:
    return None if v is None else Decimal(v)


__all__ = ["StoredResult", "date", "encode_columns", "engine_posting_periods", "period_keys", "result_summary"]
