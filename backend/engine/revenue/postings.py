"""Balanced journal entries of a revenue result, one per period, dated at period end.

Each period's entry: Dr RECEIVABLE for billing (the unconditional right); Cr REVENUE per PO
(a ``po_id`` dimension; a reversal or negative catch-up is a debit); financing interest (Cr
FINANCING_INTEREST_INCOME, or Dr FINANCING_INTEREST_EXPENSE when the customer paid in advance);
and the movement of the contract's net position split into CONTRACT_ASSET and
CONTRACT_LIABILITY so both accounts equal the schedule's balances at every period end (45-1,
net per contract). Costs to obtain: Dr CAPITALISED_CONTRACT_COSTS / Cr CONTRACT_COSTS_PAYABLE
when capitalised, Dr CONTRACT_COST_AMORTISATION / Cr CAPITALISED_CONTRACT_COSTS as amortised,
Dr CONTRACT_COST_AMORTISATION / Cr CONTRACT_COSTS_PAYABLE when expensed under the expedient.
Collections (cash) are the ledger's, not the engine's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Sequence

from .. import routing
from ..journal import Dimensions, JournalEntry, JournalLine, as_dimensions, assert_balanced
from ..money import from_minor
from .result import RevenueResult

REVENUE = "REVENUE"
CONTRACT_ASSET = "CONTRACT_ASSET"
CONTRACT_LIABILITY = "CONTRACT_LIABILITY"
RECEIVABLE = "RECEIVABLE"
FINANCING_INTEREST_INCOME = "FINANCING_INTEREST_INCOME"
FINANCING_INTEREST_EXPENSE = "FINANCING_INTEREST_EXPENSE"
CAPITALISED_CONTRACT_COSTS = "CAPITALISED_CONTRACT_COSTS"
CONTRACT_COST_AMORTISATION = "CONTRACT_COST_AMORTISATION"
CONTRACT_COSTS_PAYABLE = "CONTRACT_COSTS_PAYABLE"

ACCOUNT_CODES = (REVENUE, CONTRACT_ASSET, CONTRACT_LIABILITY, RECEIVABLE, FINANCING_INTEREST_INCOME,
                 FINANCING_INTEREST_EXPENSE, CAPITALISED_CONTRACT_COSTS, CONTRACT_COST_AMORTISATION,
                 CONTRACT_COSTS_PAYABLE)
"""Every engine account code the revenue engine posts to (the entity maps each to its chart)."""

EVENT = "revenue.period"
CATCH_UP_EVENT = "revenue.catch_up"


def _entry_lines(r: RevenueResult, k: int) -> list[JournalLine]:
    ccy = r.currency
    base = {"contract": r.external_id, "entity": r.entity, "standard": r.standard}
    zero = from_minor(0, ccy)
    lines: list[JournalLine] = []

    def post(account: str, signed: int, dims: dict[str, str] | None = None) -> None:
        if signed:
            amt = from_minor(abs(signed), ccy)
            lines.append(JournalLine(account, amt if signed > 0 else zero, zero if signed > 0 else amt, ccy,
                                     as_dimensions(dims or base)))

    c = r.columns
    post(RECEIVABLE, c.billed[k])
    for po_id, v in zip(r.po_ids, c.revenue[k]):
        post(REVENUE, -v, {**base, "po_id": po_id})
    i = c.interest[k]
    if i > 0:
        post(FINANCING_INTEREST_INCOME, -i)
    elif i < 0:
        post(FINANCING_INTEREST_EXPENSE, -i)
    prev_a = c.contract_asset[k - 1] if k else 0
    prev_l = c.contract_liability[k - 1] if k else 0
    post(CONTRACT_ASSET, c.contract_asset[k] - prev_a)
    post(CONTRACT_LIABILITY, -(c.contract_liability[k] - prev_l))
    co = r.costs
    post(CAPITALISED_CONTRACT_COSTS, co.capitalised[k] - co.amortisation[k])
    post(CONTRACT_COSTS_PAYABLE, -(co.capitalised[k] + co.expensed[k]))
    post(CONTRACT_COST_AMORTISATION, co.amortisation[k] + co.expensed[k])
    return lines


def period_postings(r: RevenueResult, period: str) -> list[JournalEntry]:
    """The entries of ``period`` (``YYYY-MM``): none when nothing moves; raises
    ``EngineError('period_outside_schedule')`` for a period the schedule does not cover."""
    k = r.period_index(period)
    lines = _entry_lines(r, k)
    if not lines:
        return []
    e = JournalEntry(r.columns.ends[k], period, EVENT, tuple(lines),
                     f"Revenue {r.standard} {r.external_id} {period}")
    assert_balanced(e)
    return [e]


def posting_periods(r: RevenueResult) -> list[str]:
    """The periods in which this result posts something (what the monthly close asks for)."""
    return [key for k, key in enumerate(r.columns.keys) if _entry_lines(r, k)]


def all_postings(r: RevenueResult) -> list[JournalEntry]:
    return [e for key in r.columns.keys for e in period_postings(r, key)]


def event_postings(before: RevenueResult, after: RevenueResult, period: str) -> list[JournalEntry]:
    """The journal effect of an event in ``period``: ``after``'s entries of the period minus
    ``before``'s, netted per account and dimensions into one balanced entry (none when nothing
    changes). ``before`` is the run the event supersedes; a period outside either schedule counts
    as empty. This is the event's own entry (e.g. Example 8's Dr contract asset / Cr revenue
    91,463.41) for review; the close posts ``period_postings`` of the current run, not both."""
    net: dict[tuple[str, str, Dimensions], Decimal] = {}
    date_: date | None = None
    for sign, r in ((1, after), (-1, before)):
        if period not in r.columns.keys:
            continue
        for e in period_postings(r, period):
            date_ = e.entry_date
            for ln in e.lines:
                key = (ln.account, ln.currency, ln.dimensions)
                net[key] = net.get(key, Decimal(0)) + sign * (ln.debit - ln.credit)
    lines = []
    for (acc, ccy, dims), v in sorted(net.items()):
        if v:
            z = from_minor(0, ccy)
            lines.append(JournalLine(acc, v if v > 0 else z, -v if v < 0 else z, ccy, dims))
    if not lines:
        return []
    assert date_ is not None  # lines come from some period entry, which sets it
    e = JournalEntry(date_, period, "revenue.event", tuple(lines), f"Revenue {after.standard} {after.external_id} "
                     f"event effect {period}")
    assert_balanced(e)
    return [e]


def catch_up_entry(entries: Sequence[JournalEntry], first_open_period: str, first_open_date: date, *,
                   replaces: Sequence[JournalEntry] = (), event: str = CATCH_UP_EVENT
                   ) -> tuple[JournalEntry | None, list[str]]:
    """The ledger's source-neutral catch-up (``routing.catch_up_entry``), labelled ``revenue.catch_up``:
    entries of locked periods become one netted entry in the first open period."""
    return routing.catch_up_entry(entries, first_open_period, first_open_date, replaces=replaces, event=event)
