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
    Rate implicit in the lease from fair value and unguaranteed residual; a lease with
    ``discount_rate: "implicit"`` has it solved by the run (``discount``: precedence).
``rate_needed(terms, policy, standards=None, fx_rates=None)``
    Whether the service must look up an IBR (False for exempt leases, own or implicit rate).
``IbrMatrix(rows).resolve_for(terms)`` / ``resolve_ibr``; ``fx_rates.FxTable(rows)`` (in ``engine``)
    IBR and FX-rate rules over plain rows; ``assess_lease(data, policy, ibr, fx)`` the lease
    assessment that validate, confirm and runs share.
``fill_functional_columns(schedule, fx_rates)``, ``require_functional_row(schedule, k)``
    Foreign-currency leases: functional columns filled as month-end rates arrive;
    a period without its closing rate cannot be posted.
``closing_state(schedule, terms, policy, period)`` and ``liability_rows_from(...)``
    A period's closing state and the liability run continued from it (events work).
``parse_event(run_type, effective_date, changes)``, ``apply_events(terms, policy, standard, events, ...)``,
``catch_up_entry(entries, first_open_period, first_open_date, *, replaces=())``
    Lease events (modification, remeasurement, termination, catch-up): see ``leases.events``.

Conventions (see the module docstrings for the reasoning)
- Payment dates: ``cashflows``; arrears payments fall at the end of their date.
- Rate conventions and compounding interval: ``rates``.
- Interest of each payment period is exact; inside it, accrued to calendar months by the
  policy's ``interest_convention`` (``periodic``: compounding monthly equivalent rate;
  ``actual_days``): ``liability``. Depreciation and straight-line cost by
  ``depreciation_convention`` (``calendar_month``: equal per calendar month, part months
  by days; ``daily``: lease months allocated by days): ``timeline``.
- Rounding: each line on the currency's minor unit by cumulative rounding; the last
  row takes the residual so every schedule ties out exactly: ``liability``.
- Current portion: closing liability minus the liability 12 months later (``policy``).
"""

from .assessment import Assessment, assess_lease
from .discount import rate_needed, resolve_rate
from .fx import fill_functional_columns, require_functional_row
from .ibr import IbrMatrix, IbrRow, check_ibr_matrix, ibr_term_months, resolve_ibr
from .implicit import implicit_rate
from .policy import LeasePolicy
from .postings import all_postings, commencement_postings, period_postings
from .result import LeaseSchedule
from .schedule import compute_schedule, compute_schedules
from .state import LeaseState, closing_state, liability_rows_from
from .terms import LeaseTerms, parse_lease
from .validation import Issue, validate_lease, validate_lease_data

__all__ = [
    "Assessment", "IbrMatrix", "IbrRow", "assess_lease", "check_ibr_matrix", "fill_functional_columns",
    "ibr_term_months", "rate_needed", "require_functional_row", "resolve_ibr", "resolve_rate",
    "Issue", "LeasePolicy", "LeaseSchedule", "LeaseState", "LeaseTerms", "all_postings", "closing_state",
    "commencement_postings", "compute_schedule", "compute_schedules", "implicit_rate", "liability_rows_from",
    "parse_lease", "period_postings", "validate_lease", "validate_lease_data",
]

from .events import EventResult, LeaseEvent, apply_events, catch_up_entry, parse_event  # noqa: E402

__all__ += ["EventResult", "LeaseEvent", "apply_events", "catch_up_entry", "parse_event"]
