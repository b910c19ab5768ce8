"""Revenue from contracts with customers under IFRS 15 and ASC 606 (pure: stdlib and engine only).

Public API
----------
``parse_contract(data) -> Contract``
    The API's contract dict to frozen values; raises ``InvalidRevenueInput`` (code
    ``invalid_revenue_input``, every problem with its field path in ``details["errors"]``).
``RevenuePolicy`` / ``RevenuePolicy.from_dict(data)``
    The entity's policy snapshot: enabled standards, ``ratable_convention`` (daily | monthly),
    financing and costs-to-obtain expedients, RPO expedients. Recorded on every run (``policy``).
``recognise(contract, policy, standard, ssp_rows=(), as_of=None, events=()) -> RevenueResult``
    One book. ``ssp_rows``: SSP matrix rows as plain dicts ``{sku, currency, ssp, effective_from,
    effective_to?}``. ``as_of``: the RPO date (default: the last event's date, else the start).
    ``RevenueResult.to_dict(contract_id=None, run_id=None)`` is the schedule output contract,
    ``to_json`` its byte-stable JSON, ``periods`` the rows as Decimals, ``inputs_hash`` the run's
    fingerprint.
``recognise_books(contract, policy, standards=None, ...) -> {standard: RevenueResult}``
    Several books from one replay (what the service runs on confirm / recalculate).
``parse_event(data, currency) -> RevenueEvent`` and
``apply_event(contract, prior_events, event, policy, standard, ssp_rows=(), as_of=None) -> (result, summary)``
    MODIFICATION (separate_contract | prospective | cumulative_catch_up, proposed from the facts),
    VARIABLE_CONSIDERATION_REASSESSMENT, PROGRESS_UPDATE; replayed from the original input and the
    ordered events, so every run is reproducible. The summary has ``treatment, rationale,
    transaction_price_before, transaction_price_after, allocation_after, catch_up_adjustment``.
``posting_periods(result)``, ``period_postings(result, "YYYY-MM")``, ``all_postings(result)``
    What the monthly close asks each source: which periods post, and the balanced
    ``JournalEntry`` of a period (dated at period end) on ``ACCOUNT_CODES``.
``event_postings(before, after, period)``
    An event's own journal effect in a period (the new run's entries minus the superseded run's).
``catch_up_entry(entries, first_open_period, first_open_date, *, replaces=(), event="revenue.catch_up")``
    The ledger's source-neutral catch-up (``backend.engine.routing``, shared with leases), labelled
    ``revenue.catch_up``: for an event that changes locked periods, pass the new result's ``period_postings`` of those periods and ``replaces=`` the entries
    already posted there; one netted entry lands in the first open period.
``largest_remainder(total_units, weights)``
    The cents rule of allocations.

What the service stores and does
- The original contract input, the policy snapshot, the SSP matrix rows used, and per contract the
  ordered event requests (``RevenueEvent.lineage()``). ``recognise_books(parse_contract(input),
  policy, events=[parse_event(e, currency) ...])`` rebuilds every version byte for byte
  (``inputs_hash`` covers all of it); events must be stored in effective-date order.
- Monthly close: ``posting_periods`` / ``period_postings`` of the current version. An event's
  catch-up sits in the period of its effective date; if that period is locked, post through
  ``catch_up_entry`` (new entries of the locked periods, ``replaces=`` those already posted).
- A ``separate_contract`` modification leaves this contract alone; create a contract from the
  summary's ``new_contract`` input.

Conventions
- Money is integer minor units inside the engine (exact), Decimal strings outside.
- Receivable = cumulative billing (unconditional rights, gross of collections); the contract's
  position is one net contract asset or liability; financing interest is income (+) / expense (−).
- Allocation cents by largest remainder; ratable and progress amounts by cumulative rounding
  (period = rounded cumulative − previous rounded cumulative), ROUND_HALF_UP.
- Judgements are inputs with rationale; the engine checks, computes and records, never guesses.
"""

from .allocation import largest_remainder
from .contract import Contract, InvalidRevenueInput
from .parsing import parse_contract
from .engine import apply_event, recognise, recognise_books
from .events import RevenueEvent, parse_event
from .policy import RevenuePolicy
from .postings import (ACCOUNT_CODES, all_postings, catch_up_entry, event_postings, period_postings,
                       posting_periods)
from .result import RevenueResult

__all__ = [
    "ACCOUNT_CODES", "Contract", "InvalidRevenueInput", "RevenueEvent", "RevenuePolicy", "RevenueResult",
    "all_postings", "apply_event", "catch_up_entry", "event_postings", "largest_remainder", "parse_contract",
    "parse_event", "period_postings", "posting_periods", "recognise", "recognise_books",
]
