"""When each delivery attempt runs: offsets from the FIRST attempt, with ±10 % jitter.

Attempt 1 runs at once; attempts 2-5 at +5 min, +1 h, +6 h and +24 h after attempt 1, each
offset scaled by a factor in [0.9, 1.1] so that many deliveries failing together do not retry
in lock-step. The last offset is capped at 24 h so every delivery is decided within a day.
When the worker falls behind (it was down for hours), the next attempt is not fired at once to
catch up: it waits the nominal gap from now instead, so a backlog does not become a burst.
The jitter comes from ``random.Random`` seeded with the delivery id and attempt number:
deterministic (a re-run computes the same time; tests can predict it) yet spread across
deliveries because their ids are random.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

OFFSETS = (timedelta(0), timedelta(minutes=5), timedelta(hours=1), timedelta(hours=6), timedelta(hours=24))
MAX_ATTEMPTS = len(OFFSETS)
JITTER = 0.10
WINDOW = OFFSETS[-1]


def offset(delivery_id: str, attempt: int) -> timedelta:
    """Offset of attempt ``attempt`` (1-based) from the first attempt."""
    if not 1 <= attempt <= MAX_ATTEMPTS:
        raise ValueError(f"attempt must be between 1 and {MAX_ATTEMPTS}")
    nominal = OFFSETS[attempt - 1]
    factor = 1 + random.Random(f"{delivery_id}:{attempt}").uniform(-JITTER, JITTER)
    return min(nominal * factor, WINDOW)


def attempt_at(first_attempt_at: datetime, delivery_id: str, attempt: int) -> datetime:
    return first_attempt_at + offset(delivery_id, attempt)


def next_attempt_at(first_attempt_at: datetime, delivery_id: str, attempt: int, now: datetime) -> datetime:
    """When attempt ``attempt`` should run, given that the previous one ran at ``now``."""
    planned = attempt_at(first_attempt_at, delivery_id, attempt)
    return planned if planned > now else now + (OFFSETS[attempt - 1] - OFFSETS[attempt - 2])
