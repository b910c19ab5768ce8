"""Lease event replay, without the API: a lease whose input no longer computes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from backend.engine.leases.assessment import Assessment
from backend.services.leases import events
from backend.services.platform.errors import Conflict

ERROR = {"severity": "error", "field": "discount_rate", "code": "discount_rate_missing", "message": "no rate"}


@pytest.mark.parametrize("replay", [lambda ctx, lease: events._replay_initial(ctx, lease, "IFRS16"),
                                    lambda ctx, lease: events._replay(ctx, lease, "IFRS16", [])],
                         ids=["catch_up_without_events", "replay"])
def test_a_lease_that_no_longer_computes_is_a_conflict(replay):
    # The catch-up of a lease without events passed the failed assessment's None terms to the engine
    # (an AttributeError); it now says why, as the replay of events always did.
    ctx = SimpleNamespace(assess=lambda data, full: Assessment(None, None, None, [ERROR]))
    lease = SimpleNamespace(id="L1", data={})
    with pytest.raises(Conflict, match="no longer computes: discount_rate: no rate"):
        replay(ctx, lease)
