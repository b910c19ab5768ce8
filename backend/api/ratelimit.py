"""Per-token rate limits with the ``limits`` library (moving window).

Budget per rolling minute by plan: starter 100, professional 500, enterprise the tenant's own
figure. Storage is in-memory per process by default and Redis when LEDGER_REDIS_URL is set, so
several API processes share one budget. Burst: the moving window lets a client spend its whole
minute's budget at once (no per-second smoothing); the minute total is a hard cap.
"""
from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backend.services.context import Actor
from backend.services.errors import RateLimited

PLAN_PER_MINUTE = {"starter": 100, "professional": 500, "enterprise": 2000}


class TokenRateLimiter:
    def __init__(self, redis_url: str | None = None, namespace: str = "ledger-layer"):
        uri = redis_url or "memory://"
        options = {"key_prefix": namespace} if redis_url else {}
        self.storage = storage_from_string(uri, **options)
        self.limiter = MovingWindowRateLimiter(self.storage)

    @staticmethod
    def budget(actor: Actor) -> int:
        if actor.plan == "enterprise" and actor.rate_limit_per_minute:
            return actor.rate_limit_per_minute
        return PLAN_PER_MINUTE.get(actor.plan, PLAN_PER_MINUTE["starter"])

    def hit(self, actor: Actor, *, count: bool = True) -> dict[str, str]:
        """Spend one request of the token's budget; raise RateLimited (with headers) when spent."""
        item = RateLimitItemPerMinute(self.budget(actor))
        key = actor.token_id or actor.user_id
        allowed = self.limiter.hit(item, key) if count else True
        stats = self.limiter.get_window_stats(item, key)
        reset = int(math.ceil(stats.reset_time))
        headers = {"X-RateLimit-Limit": str(item.amount), "X-RateLimit-Remaining": str(max(stats.remaining, 0)),
                   "X-RateLimit-Reset": str(reset)}
        if not allowed:
            # Never more than the window: a moving window frees a slot at most 60 s after the oldest hit.
            retry = min(60, max(1, math.ceil(stats.reset_time - time.time())))
            headers["Retry-After"] = str(retry)
            raise RateLimited(
                f"Too many requests for this token: the {actor.plan} plan allows {item.amount} per minute. "
                f"Try again in {retry} s.", code="rate_limited", headers=headers,
                details={"limit": item.amount, "retry_after_seconds": retry})
        return headers

    def reset(self) -> None:
        self.storage.reset()
