"""Fixtures of the first-hour tests: the lease tests' in-process job runner."""
from tests.leases.conftest import drain  # noqa: F401
