"""The fault suite: real worker and API processes killed or starved mid-work (see scenarios.py)."""
from __future__ import annotations

import pytest

from tests.conftest import FakeClock


@pytest.fixture
def wall_clock() -> FakeClock:
    """A controllable clock that starts at the real time (webhook signatures carry timestamps)."""
    from datetime import datetime, timezone

    return FakeClock(datetime.now(timezone.utc).replace(microsecond=0))
