"""The result of one run for one book, and ``to_dict`` (the schedule output contract, money as strings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import ENGINE_VERSION
from ..errors import EngineError
from ..money import from_minor
from ..fingerprint import dumps, sha256_of
from .balances import PeriodColumns
from .costs import CostColumns
from .price import TransactionPrice
from .rpo import Rpo


@dataclass
class RevenueResult:
    """One contract under one standard. Money inside is integer minor units (exact); ``to_dict``
    renders Decimal strings on the currency's minor unit. ``contract_id`` and ``run_id`` belong to
    the service: pass them to ``to_dict`` (else None and an inputs-derived run id).

    Period fields: ``revenue`` per PO and ``revenue_total`` for the month; ``billed`` in the month;
    ``receivable`` = cumulative billing (unconditional rights, gross of collections the engine does
    not see); ``contract_asset`` / ``contract_liability`` = the contract's one net position at the
    period end; ``interest`` = financing interest of the month, income positive, expense negative.
    ``transaction_price`` and ``allocation`` are the terms in force after the last event."""

    standard: str
    currency: str
    entity: str
    external_id: str
    po_ids: tuple[str, ...]
    transaction_price: TransactionPrice
    ssp_total: Decimal
    ssps: tuple[Decimal, ...]
    allocation: tuple[int, ...]
    columns: PeriodColumns
    rpo: Rpo
    divergences: list[dict[str, Any]]
    costs: CostColumns
    rationale: list[str]
    contract_exists: bool
    policy: dict[str, Any]
    inputs: Any = field(repr=False, default=None)
    events: list[dict[str, Any]] = field(default_factory=list)
    engine_version: str = ENGINE_VERSION
    _hash: str | None = field(default=None, repr=False)

    # ------------------------------------------------------------ access
    def m(self, units: int) -> Decimal:
        return from_minor(units, self.currency)

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the canonical inputs (contract, policy, SSP rows, events, as_of): both books
        of one replay share it."""
        if self._hash is None:
            self._hash = sha256_of(self.inputs.canonical() if hasattr(self.inputs, "canonical") else self.inputs)
        return self._hash

    @property
    def periods(self) -> list[dict[str, Any]]:
        return [self.period_row(k) for k in range(len(self.columns.keys))]

    def period_index(self, period: str) -> int:
        try:
            return self.columns.keys.index(period)
        except ValueError:
            raise EngineError("period_outside_schedule", f"{period} is not a period of this contract's schedule.",
                              field="period", details={"period": period}) from None

    def period_row(self, k: int) -> dict[str, Any]:
        c, m = self.columns, self.m
        return {"period": c.keys[k], "period_end": c.ends[k],
                "revenue": {p: m(v) for p, v in zip(self.po_ids, c.revenue[k])},
                "revenue_total": m(c.revenue_total[k]), "billed": m(c.billed[k]), "receivable": m(c.receivable[k]),
                "contract_asset": m(c.contract_asset[k]), "contract_liability": m(c.contract_liability[k]),
                "interest": m(c.interest[k])}

    def total_revenue(self) -> Decimal:
        return self.m(sum(self.columns.revenue_total))

    # ------------------------------------------------------------ output contract
    def to_dict(self, *, contract_id: str | None = None, run_id: str | None = None) -> dict[str, Any]:
        m = self.m

        def s(u: int) -> str:
            return str(m(u))
        c = self.columns
        periods = []
        for k, key in enumerate(c.keys):
            periods.append({
                "period": key, "period_end": c.ends[k].isoformat(),
                "revenue": {p: s(v) for p, v in zip(self.po_ids, c.revenue[k])},
                "revenue_total": s(c.revenue_total[k]), "billed": s(c.billed[k]), "receivable": s(c.receivable[k]),
                "contract_asset": s(c.contract_asset[k]), "contract_liability": s(c.contract_liability[k]),
                "interest": s(c.interest[k])})
        r = self.rpo
        out: dict[str, Any] = {
            "contract_id": contract_id, "standard": self.standard,
            "run_id": run_id or "run_" + sha256_of([self.inputs_hash, self.standard, self.engine_version])[:24],
            "engine_version": self.engine_version, "inputs_hash": self.inputs_hash,
            "entity": self.entity, "external_id": self.external_id, "currency": self.currency,
            "contract_exists": self.contract_exists,
            "transaction_price": {k: v for k, v in self.transaction_price.to_dict().items()},
            "ssp_total": str(self.ssp_total),
            "ssp": {p: str(v) for p, v in zip(self.po_ids, self.ssps)},
            "allocation": {p: s(v) for p, v in zip(self.po_ids, self.allocation)},
            "periods": periods,
            "rpo": {"as_of": r.as_of.isoformat(), "total": s(r.total),
                    "transaction_price": None if r.transaction_price is None else s(r.transaction_price),
                    "time_bands": {"within_12_months": s(r.within_12_months), "after_12_months": s(r.after_12_months),
                                   "by_year": {y: s(v) for y, v in r.by_year.items()},
                                   "unscheduled": s(r.unscheduled)},
                    "omitted": [{k: v for k, v in o.items() if k != "amount_units"}
                                | ({"amount": s(o["amount_units"])} if "amount_units" in o else {})
                                for o in r.omitted]},
            "divergences": list(self.divergences),
            "rationale": list(self.rationale),
            "policy": self.policy,
            "events": list(self.events),
        }
        if self.costs.any:
            out["contract_costs"] = {
                "notes": list(self.costs.notes),
                "periods": [{"period": key, "capitalised": s(self.costs.capitalised[k]),
                             "amortisation": s(self.costs.amortisation[k]), "expensed": s(self.costs.expensed[k]),
                             "closing": s(self.costs.closing[k])} for k, key in enumerate(c.keys)]}
        return out

    def to_json(self, **kw: Any) -> str:
        """Byte-stable JSON of ``to_dict`` (sorted keys, no whitespace)."""
        return dumps(self.to_dict(**kw))
