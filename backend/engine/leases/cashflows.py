"""Expand payment streams and one-offs into dated cash flows.

Placement rules (documented for the API):
- Stream dates are ``from``, then every interval (``from`` plus k intervals,
  a month-end ``from`` staying on month ends) up to and including ``to``.
- ``advance``: each payment is made at the start of its date.
- ``arrears``: each payment is made at the end of its date (it closes the
  period ending that day). Exception: when an arrears stream's ``from`` is on
  or before the commencement date, ``from`` is read as the start of the first
  period (an arrears payment cannot fall due on the day the lease starts), so
  each payment falls on the last day of its period.
- Escalation: the amount grows by ``percent`` % every ``every_months`` months
  counted from ``from`` (compounding). By default (``rounding: each_step``) each
  step grows the previous, already rounded amount and rounds it to the minor
  unit, as successive invoices do (10,000 at 5 %: ... 12,155.06, then
  12,762.81); ``from_base`` grows the base by all steps at once and rounds once
  (12,762.82).
- One-offs, the expected RVG shortfall and a reasonably certain purchase
  option dated on (or without a date, at) the end date are paid at the end of
  the lease; other one-offs at the start of their date.
"""

from __future__ import annotations

import datetime as _dt
from datetime import date
from typing import NamedTuple, Sequence
from decimal import Decimal

from ..calendar import ONE_DAY, add_months
from ..money import quantize
from .terms import LeaseTerms, PaymentStream
from .timeline import LeaseClock


class CashFlow(NamedTuple):
    """One dated lease payment (a NamedTuple: cheap to create by the hundred)."""

    date: _dt.date  # the payment date shown to users
    instant: _dt.date  # when it is paid (start of this day)
    amount: Decimal
    kind: str  # stream kind, termination_penalty, incentive_receivable, rvg, purchase_option
    source: str  # input path, e.g. payments[0]
    # a stream payment's place in its stream (see ``flow_t``): number k, interval in
    # months and the instant of payment 0; one-offs keep the defaults
    seq: int = -1
    step: int = 0
    anchor: _dt.date | None = None


def flow_t(f: CashFlow, clock: LeaseClock, periodic: bool) -> Decimal:
    """Lease-month time of a payment. Under the ``periodic`` interest convention every
    payment period of a stream is one equal compounding period: payment k of a stream
    sits k intervals after the stream's first payment (so rent due on the 1st of a lease
    that starts on the 15th still runs in whole months); otherwise, and for one-offs, the
    clock time of its instant (whole lease months plus days of the lease month)."""
    if periodic and f.step:
        assert f.anchor is not None  # a stream payment (step > 0) records its stream's anchor
        return clock.t(f.anchor) + f.seq * f.step
    return clock.t(f.instant)


def expand_stream(s: PaymentStream, commencement: date, currency: str, source: str,
                  anniversaries: tuple[date, ...] = ()) -> list[CashFlow]:
    """Payments of one stream. ``anniversaries`` (commencement + k months, from the
    lease clock) replace date arithmetic when the stream starts on commencement."""
    step = s.interval_months
    if s.start != commencement:
        anniversaries = ()
    n_anniv = len(anniversaries)
    out: list[CashFlow] = []
    append = out.append
    esc = s.escalation
    growth = None
    every, from_base = 1, False
    if esc is not None and esc.percent:
        growth = Decimal(1) + esc.percent / Decimal(100)
        every, from_base = esc.every_months, esc.rounding == "from_base"
    period_start_mode = s.timing == "arrears" and s.start <= commencement
    advance = s.timing == "advance"
    kind = s.kind
    base = quantize(s.amount, currency)
    amount = base
    level = 0
    k = 0
    start, end = s.start, s.end
    if advance:
        anchor = anniversaries[0] if n_anniv else start
    elif period_start_mode:
        anchor = anniversaries[step] if step < n_anniv else add_months(start, step)
    else:
        anchor = start + ONE_DAY
    # a stream dated on the lease's own anniversaries is already on the clock's whole
    # months; only other streams need their equal periods recorded (``flow_t``)
    snap = 0 if n_anniv else step
    while True:
        j = k * step
        d = anniversaries[j] if j < n_anniv else add_months(start, j)
        if d > end:
            break
        if growth is not None:
            lv = (k * step) // every
            if lv != level:  # the amount only changes when a new escalation step starts
                if from_base:
                    amount = quantize(s.amount * growth ** lv, currency)
                else:
                    for _ in range(lv - level):
                        amount = quantize(amount * growth, currency)
                level = lv
        if advance:
            append(CashFlow(d, d, amount, kind, source, k, snap, anchor))
        elif period_start_mode:
            j += step
            inst = anniversaries[j] if j < n_anniv else add_months(start, j)
            append(CashFlow(inst - ONE_DAY, inst, amount, kind, source, k, snap, anchor))
        else:
            append(CashFlow(d, d + ONE_DAY, amount, kind, source, k, snap, anchor))
        k += 1
    return out


def lease_cash_flows(terms: LeaseTerms, *, include_rvg: bool = True,
                     anniversaries: tuple[date, ...] = ()) -> list[CashFlow]:
    """All lease payments of ``terms`` in instant order (stable for equal instants)."""
    cur = terms.currency
    end_instant = terms.end_date + ONE_DAY
    flows: list[CashFlow] = []
    for i, s in enumerate(terms.payments):
        flows.extend(expand_stream(s, terms.commencement_date, cur, f"payments[{i}]", anniversaries))
    for i, o in enumerate(terms.other_payments):
        inst = end_instant if o.date >= terms.end_date else o.date
        flows.append(CashFlow(o.date, inst, quantize(o.amount, cur), o.kind, f"other_payments[{i}]"))
    rvg = terms.residual_value_guarantee
    if include_rvg and rvg is not None and rvg.expected_shortfall > 0:
        flows.append(CashFlow(terms.end_date, end_instant, quantize(rvg.expected_shortfall, cur), "rvg",
                              "residual_value_guarantee"))
    po = terms.purchase_option
    if po is not None and po.reasonably_certain and po.price > 0:
        d = po.exercise_date or terms.end_date
        inst = end_instant if d >= terms.end_date else d
        flows.append(CashFlow(d, inst, quantize(po.price, cur), "purchase_option", "purchase_option"))
    flows.sort(key=_instant)  # stable; near-linear on the already ordered streams
    return flows


def cash_paid_by_row(flows: Sequence[CashFlow], commencement: date, rows: int, currency: str) -> list[Decimal]:
    """Every payment in the calendar-month row of its date (the schedule's ``cash_paid``):
    those at commencement and those outside the liability included, so the column sums
    to the lease's payments; ``payment`` keeps only what reduces the liability."""
    out = [quantize(Decimal(0), currency)] * rows
    last = rows - 1
    base = commencement.year * 12 + commencement.month
    for f in flows:
        d = f[0]  # the payment date
        k = d.year * 12 + d.month - base
        out[0 if k < 0 else last if k > last else k] += f[2]
    return out


def _instant(f: CashFlow) -> date:
    return f.instant
