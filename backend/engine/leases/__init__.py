"""Lessee lease accounting under IFRS 16 and ASC 842 (pure)."""

from .policy import LeasePolicy
from .result import LeaseSchedule
from .schedule import compute_schedule, compute_schedules
from .terms import LeaseTerms, parse_lease

__all__ = ["LeasePolicy", "LeaseSchedule", "LeaseTerms", "compute_schedule", "compute_schedules", "parse_lease"]

from .postings import all_postings, commencement_postings, period_postings  # noqa: E402

__all__ += ["all_postings", "commencement_postings", "period_postings"]

from .validation import Issue, validate_lease  # noqa: E402

__all__ += ["Issue", "validate_lease"]

from .implicit import implicit_rate  # noqa: E402
from .state import LeaseState, closing_state, liability_rows_from  # noqa: E402

__all__ += ["implicit_rate", "LeaseState", "closing_state", "liability_rows_from"]
