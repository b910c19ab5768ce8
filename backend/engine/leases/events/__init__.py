"""Lease events: modification, remeasurement, termination and catch-up (pure).

``parse_event(run_type, effective_date, changes) -> LeaseEvent``
    Validates one request (``InvalidLeaseInput`` listing every bad field as ``changes.…``).
``apply_events(terms, policy, standard, events, *, discount_rate=None, fx_rates=None,
lease_id=None, discount_rate_source=None) -> list[EventResult]``
    Replays the lease from commencement through the ordered events; each result holds the
    new schedule version, the change entries, a summary, the branch and its rationale.
``catch_up_entry(entries, first_open_period, first_open_date, *, replaces=()) -> (entry, periods)``
    One cumulative entry in the first open period for what belongs to locked periods.

Conventions: an event takes effect at the start of its effective date; payments dated
before it are history. Rows before the effective month are never recomputed (``rows``);
the branch taken is decided by the recorded type and the standard (``branches``).
``period_postings`` works unchanged on every new version; foreign-currency leases post in
the functional currency (``fxview``).

What the service stores and does
- The original lease input, the ``compute_schedule`` keyword arguments (discount rate and
  its source, FX rates or their source) and, per book, the ordered list of
  ``LeaseEvent.lineage()`` dicts (run type, effective date, changes as given). Replaying
  ``apply_events`` on them rebuilds every version byte for byte; ``schedule.inputs_hash``
  covers the lease and the events.
- Events in effective-date order (ties keep the stored order); a new event dated before the
  last one is rejected, so a back-dated change must be entered in date order by the user.
- Monthly close: ``period_postings(result.schedule, period)`` of the version current at the
  period end, plus each event's ``entries`` in its effective period.
- Locked periods: post nothing there. Pass the entries that belong to them (the event's
  ``entries`` and the new version's ``period_postings`` of locked periods from the effective
  period on) to ``catch_up_entry`` with ``replaces=`` the entries already posted for those
  periods from the previous version; post the one result in the first open period and keep
  the returned period list on the run.
- Separate lease: create a lease from ``result.new_lease`` (and set ``new_lease_id``).
"""

from ...routing import catch_up_entry
from .model import LeaseEvent, parse_event
from .replay import apply_events
from .result import EventResult

__all__ = ["EventResult", "LeaseEvent", "apply_events", "catch_up_entry", "parse_event"]
