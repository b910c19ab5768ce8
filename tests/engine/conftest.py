"""Fixtures for the engine tests (no database, no app)."""

import pytest

from backend.engine.leases import LeasePolicy, compute_schedule, parse_lease


@pytest.fixture
def build():
    """compute_schedule from a JSON-like lease dict."""
    def _build(data, standard="IFRS16", policy=None, **kw):
        return compute_schedule(parse_lease(data), policy or LeasePolicy(), standard, **kw)
    return _build
