"""Lessee lease accounting under IFRS 16 and ASC 842 (pure)."""

from .policy import LeasePolicy
from .result import LeaseSchedule
from .schedule import compute_schedule, compute_schedules
from .terms import LeaseTerms, parse_lease

__all__ = ["LeasePolicy", "LeaseSchedule", "LeaseTerms", "compute_schedule", "compute_schedules", "parse_lease"]
