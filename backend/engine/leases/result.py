"""The schedule result: column-oriented rows plus headline figures, and ``to_dict``.

Rows are stored as columns (one list per field) so building a schedule makes a
handful of lists rather than one object per month; ``periods`` and
``to_dict`` materialise rows on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Sequence

from .. import ENGINE_VERSION
from ..money import quantize
from ..fingerprint import canonical, dumps, sha256_of

if TYPE_CHECKING:  # cashflows imports the terms and the clock, not the result
    from .cashflows import CashFlow

# ``payment`` is what reduces the liability; ``cash_paid`` is every lease payment dated in
# the month (a payment on the commencement date and payments outside the liability
# included), so it sums to the lease payments (``cashflows.cash_paid_by_row``).
PERIOD_FIELDS = (
    "opening_liability", "interest", "payment", "cash_paid", "closing_liability", "liability_current",
    "liability_noncurrent", "opening_rou_asset", "depreciation", "closing_rou_asset",
    "accumulated_depreciation", "lease_cost", "accrued_lease_liability", "gain_loss", "fx_gain_loss",
)
FUNCTIONAL_FIELDS = (
    "interest_functional", "payment_functional", "closing_liability_functional",
    "liability_current_functional", "liability_noncurrent_functional", "depreciation_functional",
    "closing_rou_asset_functional", "lease_cost_functional",
)


@dataclass
class LeaseSchedule:
    """Monthly schedule of one lease under one standard.

    Money is Decimal on the currency's minor unit; ``to_dict`` renders the API
    output contract with money as strings. Fields that do not apply are None.
    """

    lease_id: str | None
    standard: str
    classification: str | None
    exemption: str | None
    currency: str
    functional_currency: str | None
    discount_rate: Decimal | None
    rate_convention: str | None
    compounding_interval_months: int | None
    commencement_date: date
    end_date: date
    term_months: Decimal
    depreciation_months: Decimal | None
    initial_liability: Decimal | None
    initial_rou_asset: Decimal | None
    rou_components: dict[str, Decimal]
    classification_tests: tuple[dict[str, Any], ...]
    classification_override: dict[str, Any] | None
    warnings: tuple[dict[str, Any], ...]
    asset_class: str
    entity: str
    periods_keys: tuple[str, ...]
    period_ends: tuple[date, ...]
    columns: dict[str, Sequence[Decimal | None]]  # lists while built, tuples once frozen
    flows: list[CashFlow] = field(repr=False, default_factory=list)  # CashFlow values, instant order
    inputs: Any = field(repr=False, default=None)  # (terms, policy, rate) for the hash
    run_id_given: str | None = None
    initial_liability_functional: Decimal | None = None
    initial_rou_asset_functional: Decimal | None = None
    historical_rate: Decimal | None = None
    discount_rate_source: dict[str, Any] | None = None
    fx_rates_used: dict[str, str] | None = None  # ISO date -> rate, for a foreign-currency lease
    interest_convention: str | None = None  # policy conventions the run used
    depreciation_convention: str | None = None
    engine_version: str = ENGINE_VERSION
    _hash: str | None = field(default=None, repr=False)

    @property
    def inputs_hash(self) -> str:
        """SHA-256 of the canonical inputs: terms, policy, discount rate and the FX rates
        used (not the lease id or the standard, so both books of one lease share it)."""
        if self._hash is None:
            terms, policy, rate = self.inputs
            self._hash = sha256_of({"terms": canonical(terms), "policy": policy.to_dict(),
                                    "discount_rate": None if rate is None else str(rate),
                                    "fx_rates": self.fx_rates_used})
        return self._hash

    @property
    def cash_flows(self) -> list[dict[str, Any]]:
        """Every lease payment with its date, kind, source field and whether it is in the liability."""
        recognised = self.exemption is None
        c = self.commencement_date
        return [{"date": f.date.isoformat(), "amount": str(f.amount), "kind": f.kind, "source": f.source,
                 "in_liability": recognised and f.instant > c} for f in self.flows]

    @property
    def run_id(self) -> str:
        """The caller's run id, else one derived from the inputs, standard and engine version."""
        if self.run_id_given:
            return self.run_id_given
        return "run_" + sha256_of([self.inputs_hash, self.standard, self.engine_version])[:24]

    @property
    def rou_residual_at_end(self) -> Decimal | None:
        col = self.columns.get("closing_rou_asset")
        return col[-1] if col else None

    def amount(self, column: str, k: int) -> Decimal:
        """Row ``k`` of a column this schedule fills (a recognised lease's liability and ROU
        columns, an exempt lease's cost and payment columns): None there is a bug, not a value."""
        v = self.columns[column][k]
        assert v is not None, (column, k)
        return v

    def row_index(self, period: str) -> int:
        try:
            return self.periods_keys.index(period)
        except ValueError:
            from ..errors import EngineError
            raise EngineError("period_outside_schedule", f"{period} is not a period of this lease's schedule.",
                              field="period", details={"period": period}) from None

    def row(self, k: int) -> dict[str, Any]:
        r: dict[str, Any] = {"period": self.periods_keys[k], "period_end": self.period_ends[k]}
        for name, col in self.columns.items():
            r[name] = col[k]
        return r

    @property
    def periods(self) -> list[dict[str, Any]]:
        return [self.row(k) for k in range(len(self.periods_keys))]

    def to_dict(self) -> dict[str, Any]:
        """The API output contract (money as strings), deterministic key order."""
        ccy = self.currency
        fc = self.functional_currency or ccy
        periods = []
        cols = self.columns
        names = [n for n in PERIOD_FIELDS + FUNCTIONAL_FIELDS if n in cols]
        for k, key in enumerate(self.periods_keys):
            p: dict[str, Any] = {"period": key, "period_end": self.period_ends[k].isoformat()}
            for n in names:
                v = cols[n][k]
                p[n] = None if v is None else str(quantize(v, fc if n.endswith("_functional") else ccy))
            periods.append(p)
        return {**self._header(), "periods": periods, **self._functional_header()}

    def header_dict(self) -> dict[str, Any]:
        """``to_dict`` without the periods: the run's headline figures, cheap to store per run."""
        return {**self._header(), **self._functional_header()}

    def _m(self, v: Decimal | None, c: str | None = None) -> str | None:
        return None if v is None else str(quantize(v, c or self.currency))

    def _header(self) -> dict[str, Any]:
        m = self._m
        return {
            "lease_id": self.lease_id,
            "standard": self.standard,
            "classification": self.classification,
            "exemption": self.exemption,
            "run_id": self.run_id,
            "engine_version": self.engine_version,
            "inputs_hash": self.inputs_hash,
            "entity": self.entity,
            "asset_class": self.asset_class,
            "currency": self.currency,
            "functional_currency": self.functional_currency,
            "discount_rate": None if self.discount_rate is None else str(self.discount_rate),
            "discount_rate_source": self.discount_rate_source,
            "rate_convention": self.rate_convention,
            "compounding_interval_months": self.compounding_interval_months,
            "interest_convention": self.interest_convention,
            "depreciation_convention": self.depreciation_convention,
            "commencement_date": self.commencement_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "term_months": str(self.term_months),
            "depreciation_months": None if self.depreciation_months is None else str(self.depreciation_months),
            "initial_liability": m(self.initial_liability),
            "initial_rou_asset": m(self.initial_rou_asset),
            "rou_components": {k: m(v) for k, v in self.rou_components.items()},
            "rou_residual_at_end": m(self.rou_residual_at_end),
            "classification_tests": list(self.classification_tests),
            "classification_override": self.classification_override,
            "warnings": list(self.warnings),
            "cash_flows": self.cash_flows,
        }

    def _functional_header(self) -> dict[str, Any]:
        fc = self.functional_currency
        if not fc or fc == self.currency:
            return {}
        return {"initial_liability_functional": self._m(self.initial_liability_functional, fc),
                "initial_rou_asset_functional": self._m(self.initial_rou_asset_functional, fc),
                "historical_rate": str(self.historical_rate), "fx_rates_used": self.fx_rates_used}

    def to_json(self) -> str:
        """Byte-stable JSON of ``to_dict`` (sorted keys, no whitespace)."""
        return dumps(self.to_dict())
