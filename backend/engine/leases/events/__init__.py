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
``period_postings`` works unchanged on every new version.
"""

from .entries import catch_up_entry
from .model import LeaseEvent, parse_event
from .replay import apply_events
from .result import EventResult

__all__ = ["EventResult", "LeaseEvent", "apply_events", "catch_up_entry", "parse_event"]
