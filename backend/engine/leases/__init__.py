"""Lessee lease accounting under IFRS 16 and ASC 842 (pure: stdlib and engine only).

Public API
----------
``parse_lease(data) -> LeaseTerms``
    JSON-like dict (API field names) to frozen terms; raises ``InvalidLeaseInput``
    (code ``invalid_lease_input``) listing every field problem in ``details["errors"]``.
``LeasePolicy`` / ``LeasePolicy.from_dict(data)``
    Entity policy: enabled standards, rate convention, short-term / low-value
    elections by asset class, low-value threshold, ASC 75 % / 90 % thresholds,
    current-portion method, functional currency.
``validate_lease(terms, policy) -> list[Issue]``
    Errors, warnings and hints with field and code (the API's validate endpoint);
    ``validate_lease_data(data, policy)`` does the same from the raw dict, parse errors included.
``compute_schedule(terms, policy, standard, *, discount_rate=None, fx_rates=None, lease_id=None,
run_id=None, discount_rate_source=None) -> LeaseSchedule``
    One book; ``compute_schedules(terms, policy, standards=None, ...)`` computes several
    books sharing the liability run. ``LeaseSchedule.to_dict()`` is the output contract
    (money as strings), ``to_json()`` its byte-stable JSON; ``inputs_hash``,
    ``engine_version`` and ``run_id`` identify the run.
``commencement_postings(schedule)``, ``period_postings(schedule, "YYYY-MM")``, ``all_postings``
    Balanced ``JournalEntry`` values on the engine account codes.
``implicit_rate(terms, policy)``
    Rate implicit in the lease from fair value and unguaranteed residual.
``closing_state(schedule, terms, policy, period)`` and ``liability_rows_from(...)``
    A period's closing state and the liability run continued from it (events work).
``parse_event(run_type, effective_date, changes)``, ``apply_events(terms, policy, standard, events, ...)``,
``catch_up_entry(entries, first_open_period, first_open_date, *, replaces=())``
    Lease events (modification, remeasurement, termination, catch-up): see ``leases.events``.

Conventions (see the module docstrings for the reasoning)
- Payment dates: ``cashflows``; arrears payments fall at the end of their date.
- Rate conventions and compounding interval: ``rates``.
- Interest of each payment period is exact and accrued to calendar months by days;
  depreciation and straight-line cost follow lease months allocated by days: ``timeline``.
- Rounding: each line on the currency's minor unit by cumulative rounding; the last
  row takes the residual so every schedule ties out exactly: ``liability``.
- Current portion: closing liability minus the liability 12 months later (``policy``).
"""

from .implicit import implicit_rate
from .policy import LeasePolicy
from .postings import all_postings, commencement_postings, period_postings
from .result import LeaseSchedule
from .schedule import compute_schedule, compute_schedules
from .state import LeaseState, closing_state, liability_rows_from
from .terms import LeaseTerms, parse_lease
from .validation import Issue, validate_lease, validate_lease_data

__all__ = [
    "Issue", "LeasePolicy", "LeaseSchedule", "LeaseState", "LeaseTerms", "all_postings", "closing_state",
    "commencement_postings", "compute_schedule", "compute_schedules", "implicit_rate", "liability_rows_from",
    "parse_lease", "period_postings", "validate_lease", "validate_lease_data",
]

from .events import EventResult, LeaseEvent, apply_events, catch_up_entry, parse_event  # noqa: E402

__all__ += ["EventResult", "LeaseEvent", "apply_events", "catch_up_entry", "parse_event"]
