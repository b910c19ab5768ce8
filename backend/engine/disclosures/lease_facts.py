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

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

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
    columns: Mapping[str, Sequence]
    cash_flows: Sequence[Mapping[str, Any]] = ()
    initial_liability_functional: Decimal | None = None
    initial_rou_asset_functional: Decimal | None = None
    historical_rate: Decimal | None = None
    fx_rates_used: Mapping[str, str] | None = None
    terminated_on: date | None = None
    external_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_schedule(cls, s, *, terminated_on: date | None = None, external_id: str = "") -> "LeaseFacts":
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


@dataclass
class LeaseFigures:
    """One lease over a window, in the pack currency. Balances at the window's edges."""

    facts: LeaseFacts
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
    remaining_flows: list[tuple[date, Decimal]] = field(default_factory=list)  # in the lease currency
    remaining_payments_scheduled: Decimal = ZERO  # payment column after the window, lease currency
    problem: str | None = None


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
    q = lambda x: quantize(x, currency)  # noqa: E731

    def col(name: str) -> Sequence:
        c = cols.get(name + "_functional") if fx and name in FUNCTIONAL else cols.get(name)
        return c if c is not None else ()

    def v(c: Sequence, k: int) -> Decimal:
        x = c[k] if k < len(c) else None
        if x is None:
            if fx and out.problem is None:
                out.problem = f"functional columns missing from {f.periods_keys[k]} (FX rate not entered)"
            return ZERO
        return x

    started_in = w.start_index <= first
    active = a <= b
    out.active = active
    if not f.recognised:
        if active:
            cost, pay = col("lease_cost"), col("payment")
            out.lease_cost = sum((v(cost, k) for k in range(a, b + 1)), ZERO)
            out.cash_paid = sum((v(pay, k) for k in range(a, b + 1)), ZERO)
        return out

    liab, rou = col("closing_liability"), col("closing_rou_asset")
    interest, pay, dep = col("interest"), col("payment"), col("depreciation")
    cur, cost = col("liability_current"), col("lease_cost")
    fxgl = cols.get("fx_gain_loss") or ()
    raw_pay, raw_cash = cols.get("payment") or (), cols.get("cash_paid") or ()
    l0 = (f.initial_liability_functional if fx else f.initial_liability) or ZERO
    r0 = (f.initial_rou_asset_functional if fx else f.initial_rou_asset) or ZERO

    def opening(k: int) -> tuple[Decimal, Decimal]:
        return (l0, r0) if k == 0 else (v(liab, k - 1), v(rou, k - 1))

    if not active:  # ended before the window: balances are zero (or the last row's)
        out.liab_open = out.liab_close = v(liab, n - 1)
        out.rou_open = out.rou_close = v(rou, n - 1)
        return out
    out.liab_open, out.rou_open = (ZERO, ZERO) if started_in else opening(a)
    if started_in:
        out.liab_add, out.rou_add = l0, r0
    term_k = None
    if f.terminated_on is not None:
        term_k = month_index(f"{f.terminated_on.year:04d}-{f.terminated_on.month:02d}") - first
    hist = f.historical_rate or Decimal(1)
    for k in range(a, b + 1):
        lo, ro = opening(k)
        i, p, d = v(interest, k), v(pay, k), v(dep, k)
        g = (fxgl[k] or ZERO) if fx and k < len(fxgl) else ZERO
        lc, rc = v(liab, k), v(rou, k)
        other_l = lc - lo - i + p - g
        other_r = rc - ro + d
        if k == term_k:
            out.liab_term += other_l
            out.rou_term += other_r
        else:
            out.liab_mod += other_l
            out.rou_mod += other_r
        out.interest += i
        out.payments += p
        out.fx += g
        out.depreciation += d
        out.lease_cost += v(cost, k)
        # cash: liability payments (translated at their own rates) and payments outside the
        # liability in the month (the commencement-date payment: historical rate)
        outside = (raw_cash[k] or ZERO) - (raw_pay[k] or ZERO) if k < len(raw_cash) else ZERO
        out.cash_paid += p + (q(outside * hist) if fx else outside)
    out.liab_close, out.rou_close = v(liab, b), v(rou, b)
    out.liab_current = v(cur, b)
    # what is still payable after the window end (maturity analysis), in the lease currency
    end = w.end_date
    out.remaining_flows = [(date.fromisoformat(x["date"]), Decimal(x["amount"])) for x in f.cash_flows
                           if x.get("in_liability") and date.fromisoformat(x["date"]) > end]
    out.remaining_payments_scheduled = sum(((raw_pay[k] or ZERO) for k in range(b + 1, n) if k < len(raw_pay)),
                                           ZERO)
    if fx:
        rate = (f.fx_rates_used or {}).get(end.isoformat())
        if rate is not None:
            out.closing_rate = Decimal(rate)
        else:
            raw_close = (cols.get("closing_liability") or ())[b]
            out.closing_rate = (out.liab_close / raw_close) if raw_close else hist
    return out
