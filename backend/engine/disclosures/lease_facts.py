"""One lease's book as the pack reads it, and its figures over a reporting window.

``LeaseFacts`` holds what a stored run gives back (the schedule columns, the dated cash flows and
the run's headline figures); the service builds it from ``LeaseRun`` + ``LeaseRunSchedule``,
tests from an engine ``LeaseSchedule`` (``from_schedule``). Figures are in the pack's currency:
a lease in another currency is read through its functional-currency columns (liability at closing
rates with the FX difference, ROU at the historical rate), exactly as the ledger posts it.

Roll-forward of one lease over rows ``a..b`` of its schedule:
``closing = opening + additions + interest − payments + FX + modifications + terminations``.
Additions are the initial liability / ROU of a lease commencing in the window; the event
movements are what the columns do not explain row by row (``closing − opening − interest +
payment − FX``; for the ROU ``closing − opening + depreciation``), and the row of a termination
is a termination, any other row a modification or remeasurement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from ..money import quantize
from .common import ZERO, Window, month_index

FUNCTIONAL = {"interest", "payment", "closing_liability", "liability_current", "liability_noncurrent",
              "depreciation", "closing_rou_asset", "lease_cost"}


@dataclass(frozen=True)
class LeaseFacts:
    lease_id: str
    standard: str
    classification: str | None
    exemption: str | None
    asset_class: str
    currency: str
    functional_currency: str | None
    commencement_date: date
    end_date: date
    discount_rate: Decimal | None
    initial_liability: Decimal | None
    initial_rou_asset: Decimal | None
    periods_keys: Sequence[str]
    columns: Mapping[str, Sequence[Decimal | None]]
    cash_flows: Sequence[Mapping[str, Any]] = ()
    initial_liability_functional: Decimal | None = None
    initial_rou_asset_functional: Decimal | None = None
    historical_rate: Decimal | None = None
    fx_rates_used: Mapping[str, str] | None = None
    terminated_on: date | None = None
    external_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_schedule(cls, s: Any, *, terminated_on: date | None = None, external_id: str = "") -> LeaseFacts:
        """From an engine ``LeaseSchedule`` (or anything with its attributes and headline figures)."""
        return cls(lease_id=s.lease_id or external_id, standard=s.standard, classification=s.classification,
                   exemption=s.exemption, asset_class=s.asset_class or "", currency=s.currency,
                   functional_currency=s.functional_currency, commencement_date=s.commencement_date,
                   end_date=s.end_date, discount_rate=s.discount_rate, initial_liability=s.initial_liability,
                   initial_rou_asset=s.initial_rou_asset, periods_keys=s.periods_keys, columns=s.columns,
                   cash_flows=s.cash_flows, initial_liability_functional=s.initial_liability_functional,
                   initial_rou_asset_functional=s.initial_rou_asset_functional,
                   historical_rate=s.historical_rate, fx_rates_used=s.fx_rates_used, terminated_on=terminated_on,
                   external_id=external_id)

    @property
    def recognised(self) -> bool:
        return self.exemption is None

    @property
    def kind(self) -> str:
        """finance | operating | short_term | low_value (IFRS 16 recognised leases are 'finance')."""
        return self.exemption or self.classification or "finance"


class FactsView:
    """What the pack keeps of a lease after its figures are computed (no columns)."""

    __slots__ = (
        "asset_class",
        "classification",
        "currency",
        "discount_rate",
        "end_date",
        "exemption",
        "external_id",
        "functional_currency",
        "lease_id",
        "standard",
    )

    lease_id: str
    external_id: str
    standard: str
    classification: str | None
    exemption: str | None
    asset_class: str
    currency: str
    functional_currency: str | None
    end_date: date
    discount_rate: Decimal | None

    def __init__(self, f: LeaseFacts):
        for k in self.__slots__:
            setattr(self, k, getattr(f, k))

    @property
    def recognised(self) -> bool:
        return self.exemption is None

    @property
    def kind(self) -> str:
        return self.exemption or self.classification or "finance"


@dataclass
class LeaseFigures:
    """One lease over a window, in the pack currency. Balances at the window's edges."""

    facts: LeaseFacts | FactsView
    active: bool = False  # has a row in the window
    liab_open: Decimal = ZERO
    liab_add: Decimal = ZERO
    interest: Decimal = ZERO
    payments: Decimal = ZERO
    fx: Decimal = ZERO
    liab_mod: Decimal = ZERO
    liab_term: Decimal = ZERO
    liab_close: Decimal = ZERO
    liab_current: Decimal = ZERO
    rou_open: Decimal = ZERO
    rou_add: Decimal = ZERO
    depreciation: Decimal = ZERO
    rou_mod: Decimal = ZERO
    rou_term: Decimal = ZERO
    rou_close: Decimal = ZERO
    lease_cost: Decimal = ZERO
    cash_paid: Decimal = ZERO
    closing_rate: Decimal | None = None  # transaction → pack currency at the window end (FX leases)
    remaining: list[Decimal] = field(default_factory=list)  # payments per 12 months after the window, lease ccy
    remaining_flows: list[tuple[str, Decimal]] | None = None  # dated in-liability flows after it (when given)
    problem: str | None = None


def _slice(c: Sequence[Decimal | None], a: int, b: int) -> list[Decimal | None]:
    """Rows ``a..b`` of a column (a stored column converts only these cells)."""
    return list(c[a:b + 1]) if len(c) else []


def figures(f: LeaseFacts, w: Window, currency: str) -> LeaseFigures:
    out = LeaseFigures(f)
    n = len(f.periods_keys)
    if n == 0:
        return out
    first = month_index(f.periods_keys[0])
    a, b = max(w.start_index - first, 0), min(w.end_index - first, n - 1)
    if w.end_index < first:
        return out  # commences after the window
    fx = f.currency != currency
    if fx and f.functional_currency != currency:
        out.problem = f"lease currency {f.currency} has no {currency} columns"
        return out
    cols = f.columns

    def col(name: str) -> Sequence[Decimal | None]:
        c = cols.get(name + "_functional") if fx and name in FUNCTIONAL else cols.get(name)
        return c if c is not None else ()

    def rows(name: str, lo: int, hi: int) -> list[Decimal]:
        vals = _slice(col(name), lo, hi)
        if len(vals) < hi - lo + 1:
            vals += [None] * (hi - lo + 1 - len(vals))
        if None not in vals:
            return cast("list[Decimal]", vals)
        if fx and out.problem is None and name in FUNCTIONAL:
            k = lo + vals.index(None)
            out.problem = f"functional columns missing from {f.periods_keys[k]} (FX rate not entered)"
        return [ZERO if x is None else x for x in vals]

    started_in = w.start_index <= first
    active = a <= b
    out.active = active
    if not f.recognised:
        if active:
            out.lease_cost = sum(rows("lease_cost", a, b), ZERO)
            out.cash_paid = sum(rows("payment", a, b), ZERO)
        return out

    l0 = (f.initial_liability_functional if fx else f.initial_liability) or ZERO
    r0 = (f.initial_rou_asset_functional if fx else f.initial_rou_asset) or ZERO
    if not active:  # ended before the window: balances are those of its last row (zero)
        out.liab_open = out.liab_close = rows("closing_liability", n - 1, n - 1)[0]
        out.rou_open = out.rou_close = rows("closing_rou_asset", n - 1, n - 1)[0]
        return out
    lo_ = max(a - 1, 0)
    liab = rows("closing_liability", lo_, b)
    rou = rows("closing_rou_asset", lo_, b)
    if a == 0:
        liab_prev, rou_prev = [l0] + liab[:-1], [r0] + rou[:-1]
    else:
        liab_prev, rou_prev, liab, rou = liab[:-1], rou[:-1], liab[1:], rou[1:]
    interest, pay, dep = rows("interest", a, b), rows("payment", a, b), rows("depreciation", a, b)
    cost = rows("lease_cost", a, b)
    fxgl = [ZERO if x is None else x for x in _slice(cols.get("fx_gain_loss") or (), a, b)] if fx else []
    fxgl += [ZERO] * (b - a + 1 - len(fxgl))
    out.liab_open, out.rou_open = (ZERO, ZERO) if started_in else (liab_prev[0], rou_prev[0])
    if started_in:
        out.liab_add, out.rou_add = l0, r0
    term_k = None
    if f.terminated_on is not None:
        term_k = month_index(f"{f.terminated_on.year:04d}-{f.terminated_on.month:02d}") - first
    for j in range(b - a + 1):
        other_l = liab[j] - liab_prev[j] - interest[j] + pay[j] - fxgl[j]
        other_r = rou[j] - rou_prev[j] + dep[j]
        if a + j == term_k:
            out.liab_term += other_l
            out.rou_term += other_r
        elif other_l or other_r:
            out.liab_mod += other_l
            out.rou_mod += other_r
    out.interest = sum(interest, ZERO)
    out.payments = sum(pay, ZERO)
    out.fx = sum(fxgl, ZERO)
    out.depreciation = sum(dep, ZERO)
    out.lease_cost = sum(cost, ZERO)
    # cash: liability payments (translated at their own rates) and payments outside the liability
    # in the month (the commencement-date payment: at the historical rate)
    raw_pay = [ZERO if x is None else x for x in _slice(cols.get("payment") or (), a, b)] if fx else pay
    raw_cash = [ZERO if x is None else x for x in _slice(cols.get("cash_paid") or (), a, b)]
    outside = sum(raw_cash, ZERO) - (sum(raw_pay, ZERO) if fx else out.payments)
    hist = f.historical_rate or Decimal(1)
    out.cash_paid = out.payments + (quantize(outside * hist, currency) if fx and outside else outside)
    out.liab_close, out.rou_close = liab[-1], rou[-1]
    out.liab_current = rows("liability_current", b, b)[0]
    # what is still payable after the window end (maturity analysis), in the lease currency: the
    # payment column's later rows (rows are calendar months, so 12-month bands are row ranges);
    # the dated cash flows, when given, are a second reading the pack checks against
    end_iso = w.end_date.isoformat()
    later_raw = _slice(cols.get("payment") or (), b + 1, n - 1)
    later = cast("list[Decimal]", later_raw) if None not in later_raw else [
        ZERO if x is None else x for x in later_raw]
    out.remaining = [sum(later[k:k + 12], ZERO) for k in range(0, len(later), 12)]
    if f.cash_flows:
        out.remaining_flows = [(x["date"], Decimal(x["amount"])) for x in f.cash_flows
                               if x.get("in_liability") and x["date"] > end_iso]
    if fx:
        rate = (f.fx_rates_used or {}).get(end_iso)
        if rate is not None:
            out.closing_rate = Decimal(rate)
        else:
            raw_close = (cols.get("closing_liability") or ())[b]
            out.closing_rate = (out.liab_close / raw_close) if raw_close else hist
    return out
