"""Rate limits with the ``limits`` library (moving window): per token, per user, per tenant, and
for failed authentication per client address.

Budget per rolling minute by plan: starter 100, professional 500, enterprise the tenant's own
figure. The same budget also applies per user (all of a user's tokens together), so minting more
tokens does not multiply it, and the tenant as a whole gets TENANT_MULTIPLE times it. Requests
with a missing, invalid or revoked token are counted per client address; past
FAILED_AUTH_PER_MINUTE the address gets 429 instead of 401 until the window frees. Storage is in-memory per process by default and Redis when LEDGER_REDIS_URL is set, so
several API processes share one budget. Burst: the moving window lets a client spend its whole
minute's budget at once (no per-second smoothing); the minute total is a hard cap.

In memory, the moving window is kept by ``WindowMemoryStorage`` (below) rather than the library's
``MemoryStorage``, whose expiry runs on a fresh ``threading.Timer`` thread every 10 ms while
requests arrive and copies each key's list: about 100 µs of CPU per request and a tail of
200 µs on the request path (#22). Same strategy object, same answers.
"""
from __future__ import annotations

import math
import time

import threading
from collections import deque

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backend.services.platform.context import Actor
from backend.services.platform.errors import RateLimited

PLAN_PER_MINUTE = {"starter": 100, "professional": 500, "enterprise": 2000}
TENANT_MULTIPLE = 10
FAILED_AUTH_PER_MINUTE = 30


class WindowMemoryStorage(MemoryStorage):
    """The moving-window part of ``limits``' memory storage (``acquire_entry``,
    ``get_moving_window``) on one deque of hit times per key, pruned as it is read: no timer
    threads. Keys idle for a whole window are dropped by a sweep at most once a window."""

    def __init__(self) -> None:
        super().__init__()
        self._windows: dict[str, tuple[deque[float], int]] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.time() + 60

    def _window(self, key: str, expiry: int, now: float) -> deque[float]:
        entry = self._windows.get(key)
        if entry is None:
            entry = self._windows[key] = (deque(), expiry)
        hits = entry[0]
        while hits and hits[0] <= now - expiry:
            hits.popleft()
        if now >= self._next_sweep:
            self._next_sweep = now + expiry
            for k in [k for k, (h, e) in self._windows.items() if k != key and (not h or h[-1] <= now - e)]:
                del self._windows[k]
        return hits

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._lock:
            hits = self._window(key, expiry, now)
            if len(hits) + amount > limit:
                return False
            hits.extend([now] * amount)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        with self._lock:
            hits = self._window(key, expiry, now)
            return (hits[0], len(hits)) if hits else (now, 0)

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._windows)
            self._windows.clear()
        return count


class TokenRateLimiter:
    def __init__(self, redis_url: str | None = None, namespace: str = "ledger-layer"):
        if redis_url:
            self.storage = storage_from_string(redis_url, key_prefix=namespace)
        else:
            self.storage = WindowMemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)

    @staticmethod
    def budget(actor: Actor) -> int:
        if actor.plan == "enterprise" and actor.rate_limit_per_minute:
            return actor.rate_limit_per_minute
        return PLAN_PER_MINUTE.get(actor.plan, PLAN_PER_MINUTE["starter"])

    def hit(self, actor: Actor, *, count: bool = True) -> dict[str, str]:
        """Spend one request of the token's, the user's and the tenant's budgets; raise RateLimited
        (with headers) when any is spent. The headers describe the tightest of the three."""
        budget = self.budget(actor)
        scopes = [(RateLimitItemPerMinute(budget), f"token:{actor.token_id or actor.user_id}", "token"),
                  (RateLimitItemPerMinute(budget), f"user:{actor.user_id}", "user"),
                  (RateLimitItemPerMinute(budget * TENANT_MULTIPLE), f"tenant:{actor.tenant_id}", "tenant")]
        refused = None
        if count:
            # Test every budget first so a refusal does not spend the others.
            refused = next((sc for sc in scopes if not self.limiter.test(sc[0], sc[1])), None)
            if refused is None:
                for item, key, _ in scopes:
                    self.limiter.hit(item, key)
        tightest, stats = None, None
        for item, key, name in ([refused] if refused else scopes):
            st = self.limiter.get_window_stats(item, key)
            if stats is None or st.remaining < stats.remaining:
                tightest, stats = (item, name), st
        item, name = tightest
        headers = {"X-RateLimit-Limit": str(item.amount), "X-RateLimit-Remaining": str(max(stats.remaining, 0)),
                   "X-RateLimit-Reset": str(int(math.ceil(stats.reset_time)))}
        if refused:
            retry = self._retry_after(stats)
            headers["Retry-After"] = str(retry)
            whose = {"token": "this token", "user": "your user (all of its tokens together)",
                     "tenant": "this tenant (all of its users together)"}[name]
            raise RateLimited(
                f"Too many requests for {whose}: the {actor.plan} plan allows {item.amount} per minute. "
                f"Try again in {retry} s.", code="rate_limited", headers=headers,
                details={"limit": item.amount, "scope": name, "retry_after_seconds": retry})
        return headers

    def failed_authentication(self, client: str) -> None:
        """Count a failed authentication from ``client``; raise RateLimited past the allowance."""
        item = RateLimitItemPerMinute(FAILED_AUTH_PER_MINUTE)
        if not self.limiter.hit(item, f"authfail:{client}"):
            retry = self._retry_after(self.limiter.get_window_stats(item, f"authfail:{client}"))
            raise RateLimited(f"Too many requests with a missing or invalid API token from this address. "
                              f"Try again in {retry} s.", code="rate_limited", headers={"Retry-After": str(retry)},
                              details={"scope": "client_address", "retry_after_seconds": retry})

    @staticmethod
    def _retry_after(stats) -> int:
        # Never more than the window: a moving window frees a slot at most 60 s after the oldest hit.
        return min(60, max(1, math.ceil(stats.reset_time - time.time())))

    def reset(self) -> None:
        self.storage.reset()
