"""Journal postings of a lease schedule, on the engine account codes.

Commencement (IFRS 16 IE 13 pattern): Dr ROU asset / Cr lease liability, Cr
cash for payments at commencement, Cr prepaid lease payments, Cr cash for
initial direct costs, Dr cash for incentives received, Cr restoration
provision. The whole initial liability is credited to the non-current account;
each period's reclass entry then trues the current account up to the
schedule's current portion, so both accounts tie to the schedule at every
period end. Each period: interest (IFRS / ASC finance) or single operating
lease cost (ASC operating: Dr lease expense / Cr liability accretion / Cr
accumulated amortisation), payment, depreciation, reclass, and FX
remeasurement of the liability for a foreign-currency lease (postings are then
in the functional currency). Exempt leases: Dr lease expense / Cr cash, the
difference to accrued lease liability.
"""

from __future__ import annotations

from typing import Any, Mapping

from datetime import date
from decimal import Decimal

from ..journal import JournalEntry, JournalLine, as_dimensions, assert_balanced
from ..money import quantize
from .fx import require_functional_row
from .result import LeaseSchedule

ROU_ASSET = "ROU_ASSET"
ROU_ACCUMULATED_DEPRECIATION = "ROU_ACCUMULATED_DEPRECIATION"
LEASE_LIABILITY_CURRENT = "LEASE_LIABILITY_CURRENT"
LEASE_LIABILITY_NONCURRENT = "LEASE_LIABILITY_NONCURRENT"
INTEREST_EXPENSE = "INTEREST_EXPENSE"
DEPRECIATION_EXPENSE = "DEPRECIATION_EXPENSE"
LEASE_EXPENSE = "LEASE_EXPENSE"
CASH = "CASH"
GAIN_LOSS = "GAIN_LOSS"
FX_GAIN_LOSS = "FX_GAIN_LOSS"
PREPAID_LEASE_PAYMENTS = "PREPAID_LEASE_PAYMENTS"
ACCRUED_LEASE_LIABILITY = "ACCRUED_LEASE_LIABILITY"
RESTORATION_PROVISION = "RESTORATION_PROVISION"

_ZERO = Decimal(0)


class _Builder:
    """Collects signed amounts per account (positive = debit) into balanced lines."""

    def __init__(self, currency: str, dims: Mapping[str, Any]) -> None:
        self.currency = currency
        self.dims = as_dimensions(dims)
        self.lines: list[JournalLine] = []
        self.zero = quantize(_ZERO, currency)

    def post(self, account: str, signed: Decimal) -> None:
        if signed > 0:
            self.lines.append(JournalLine(account, signed, self.zero, self.currency, self.dims))
        elif signed < 0:
            self.lines.append(JournalLine(account, self.zero, -signed, self.currency, self.dims))

    def entry(self, sched: LeaseSchedule, k: int, event: str, memo: str,
              entry_date: date | None = None) -> JournalEntry | None:
        if not self.lines:
            return None
        e = JournalEntry(entry_date or sched.period_ends[k], sched.periods_keys[k], event, tuple(self.lines), memo)
        assert_balanced(e)
        return e


def _dims(s: LeaseSchedule) -> dict[str, Any]:
    return {"lease_id": s.lease_id or "", "standard": s.standard, "asset_class": s.asset_class,
            "entity": s.entity, "classification": s.classification or s.exemption or ""}


def _functional(s: LeaseSchedule) -> bool:
    return bool(s.functional_currency and s.functional_currency != s.currency)


def commencement_postings(s: LeaseSchedule) -> list[JournalEntry]:
    """The initial-recognition entry. An exempt lease has one only when IDC,
    incentives or prepaid rent were settled at commencement (they open the
    accrued / prepaid rent balance that the straight-line expense unwinds)."""
    fx = _functional(s)
    ccy = (s.functional_currency or s.currency) if fx else s.currency

    def conv(x: Decimal) -> Decimal:
        if not fx:
            return x
        assert s.historical_rate is not None  # a foreign-currency schedule records its historical rate
        return quantize(x * s.historical_rate, ccy)
    b = _Builder(ccy, _dims(s))
    parts = s.rou_components
    if s.exemption is not None:
        for acc, amount in ((PREPAID_LEASE_PAYMENTS, conv(parts["prepaid_lease_payments"])),
                            (CASH, conv(parts["initial_direct_costs"])),
                            (CASH, conv(parts["lease_incentives_received"]))):
            b.post(ACCRUED_LEASE_LIABILITY, amount)
            b.post(acc, -amount)
        e = b.entry(s, 0, "lease.commencement", f"Exempt lease: amounts settled at commencement ({s.standard})",
                    entry_date=s.commencement_date)
        return [e] if e else []
    liab = s.initial_liability_functional if fx else s.initial_liability
    assert liab is not None  # a recognised lease has an initial liability
    # gross lines, as in IFRS 16 IE 13: payment, IDC and incentive shown separately
    credits = [
        (LEASE_LIABILITY_NONCURRENT, liab),
        (CASH, conv(parts["payments_at_or_before_commencement"])),
        (PREPAID_LEASE_PAYMENTS, conv(parts["prepaid_lease_payments"])),
        (CASH, conv(parts["initial_direct_costs"])),
        (CASH, conv(parts["lease_incentives_received"])),  # negative: a debit to cash
        (RESTORATION_PROVISION, conv(parts["restoration_costs"])),
    ]
    b.post(ROU_ASSET, sum((a for _, a in credits), _ZERO))
    for acc, amount in credits:
        b.post(acc, -amount)
    e = b.entry(s, 0, "lease.commencement", f"Initial recognition ({s.standard})", entry_date=s.commencement_date)
    return [e] if e else []


def period_postings(s: LeaseSchedule, period: str) -> list[JournalEntry]:
    """Balanced entries for one ``YYYY-MM`` period of the schedule."""
    k = s.row_index(period)
    require_functional_row(s, k)
    fx = _functional(s)
    ccy = (s.functional_currency or s.currency) if fx else s.currency
    dims = _dims(s)
    out: list[JournalEntry] = []

    def add(b: _Builder, event: str, memo: str) -> None:
        e = b.entry(s, k, event, memo)
        if e is not None:
            out.append(e)

    if s.exemption is not None:
        cost = s.amount("lease_cost_functional" if fx else "lease_cost", k)
        pay = s.amount("payment_functional" if fx else "payment", k)
        b = _Builder(ccy, dims)
        b.post(LEASE_EXPENSE, cost)
        b.post(CASH, -pay)
        b.post(ACCRUED_LEASE_LIABILITY, pay - cost)
        add(b, "lease.expense", f"{s.exemption.replace('_', '-')} lease expense")
        return out

    sfx = "_functional" if fx else ""
    interest = s.amount("interest" + sfx, k)
    payment = s.amount("payment" + sfx, k)
    dep = s.amount("depreciation" + sfx, k)
    if s.classification == "operating" and s.standard == "ASC842":
        b = _Builder(ccy, dims)
        b.post(LEASE_EXPENSE, interest + dep)
        b.post(LEASE_LIABILITY_NONCURRENT, -interest)
        b.post(ROU_ACCUMULATED_DEPRECIATION, -dep)
        add(b, "lease.operating_cost", "Single straight-line operating lease cost")
    else:
        b = _Builder(ccy, dims)
        b.post(INTEREST_EXPENSE, interest)
        b.post(LEASE_LIABILITY_NONCURRENT, -interest)
        add(b, "lease.interest", "Interest on the lease liability")
        b = _Builder(ccy, dims)
        b.post(DEPRECIATION_EXPENSE, dep)
        b.post(ROU_ACCUMULATED_DEPRECIATION, -dep)
        add(b, "lease.depreciation", "Depreciation of the right-of-use asset")
    b = _Builder(ccy, dims)
    b.post(LEASE_LIABILITY_CURRENT, payment)
    b.post(CASH, -payment)
    add(b, "lease.payment", "Lease payment")
    if fx:
        g = s.amount("fx_gain_loss", k)
        b = _Builder(ccy, dims)
        b.post(FX_GAIN_LOSS, g)
        b.post(LEASE_LIABILITY_NONCURRENT, -g)
        add(b, "lease.fx_remeasurement", "Retranslation of the lease liability at the closing rate")
    # reclass: bring the current account to the schedule's current portion
    cur = "liability_current" + sfx
    prev_cur = s.amount(cur, k - 1) if k > 0 else _ZERO
    move = s.amount(cur, k) - (prev_cur - payment)
    b = _Builder(ccy, dims)
    b.post(LEASE_LIABILITY_NONCURRENT, move)
    b.post(LEASE_LIABILITY_CURRENT, -move)
    add(b, "lease.reclass", "Current / non-current reclassification (principal due in 12 months)")
    return out


def all_postings(s: LeaseSchedule) -> list[JournalEntry]:
    """Commencement plus every period, in order."""
    out = commencement_postings(s)
    for p in s.periods_keys:
        out.extend(period_postings(s, p))
    return out
