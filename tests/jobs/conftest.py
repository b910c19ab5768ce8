"""Job tests run with a FakeClock on the Runtime: no sleeping, leases expire when told."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.db.models import Job

import job_kinds  # noqa: F401  (registers the test.* kinds)
from tests.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def jrt(rt, clock):
    rt.clock = clock
    return rt


@pytest.fixture
def put(jrt, clock):
    """Enqueue one job in its own committed transaction; returns its id."""
    from backend.jobs import enqueue

    def _put(kind: str = "test.echo", payload: dict | None = None, **kw) -> str:
        with jrt.db.session(system=True, write=True) as s:
            return enqueue(s, kind=kind, payload=payload or {}, now=clock(), **kw).id

    return _put


@pytest.fixture
def load(jrt):
    """The job row as stored now."""

    def _load(job_id: str) -> Job:
        with jrt.db.session(system=True) as s:
            return s.execute(select(Job).where(Job.id == job_id)).scalar_one()

    return _load
