"""Per-token rate limits: headers on every authenticated response, 429 past the plan's budget,
one budget shared by several server processes through Redis."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

REDIS_URL = os.environ.get("LEDGER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_headers_present_and_decreasing(client, demo):
    seen = []
    for _ in range(3):
        r = client.get("/v1/me", headers=demo.headers())
        assert r.status_code == 200
        assert r.headers["X-RateLimit-Limit"] == "100"
        seen.append(int(r.headers["X-RateLimit-Remaining"]))
        assert int(r.headers["X-RateLimit-Reset"]) > time.time() - 1
    assert seen == [99, 98, 97]
    # Errors after authentication carry them too.
    r = client.get("/v1/users/01ZZZZZZZZZZZZZZZZZZZZZZZZ", headers=demo.headers())
    assert r.status_code == 404 and r.headers["X-RateLimit-Remaining"] == "96"


def test_the_101st_request_in_a_minute_is_429(client, demo):
    for i in range(100):
        assert client.get("/v1/me", headers=demo.headers()).status_code == 200, i
    r = client.get("/v1/me", headers=demo.headers())
    assert r.status_code == 429
    err = r.json()["error"]
    assert err["code"] == "rate_limited" and err["request_id"] == r.headers["X-Request-Id"]
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert r.headers["X-RateLimit-Remaining"] == "0"


def test_budgets_are_per_token(client, demo, make_user):
    _u, other = make_user("REVIEWER")
    for _ in range(100):
        client.get("/v1/me", headers=demo.headers())
    assert client.get("/v1/me", headers=demo.headers()).status_code == 429
    assert client.get("/v1/me", headers=demo.headers(other)).status_code == 200


def test_professional_plan_has_500(client, demo, rt):
    from sqlalchemy import update

    from backend.db.models import Tenant

    with rt.db.session(system=True, write=True) as s:
        s.execute(update(Tenant).values(plan="professional"))
    assert client.get("/v1/me", headers=demo.headers()).headers["X-RateLimit-Limit"] == "500"


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(not _redis_up(), reason="needs a Redis server at LEDGER_TEST_REDIS_URL (CI starts one)")
def test_two_processes_sharing_redis_enforce_one_budget(tmp_path, settings, rt, demo):
    env = {**os.environ, "LEDGER_DATABASE_URL": settings.database_url, "LEDGER_SECRET_KEY": rt.secret_key,
           "LEDGER_REDIS_URL": REDIS_URL, "LEDGER_WORKER_IN_PROCESS": "false"}
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "backend.serving:asgi_app",
                               "--port", str(p), "--log-level", "warning"], env=env, cwd=tmp_path)
             for p in ports]
    try:
        for p in ports:
            for _ in range(200):
                try:
                    httpx.get(f"http://127.0.0.1:{p}/v1/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
        h = demo.headers()
        codes = [httpx.get(f"http://127.0.0.1:{ports[i % 2]}/v1/me", headers=h).status_code for i in range(100)]
        assert codes == [200] * 100
        # The budget is spent across both processes: either one now refuses.
        for p in ports:
            r = httpx.get(f"http://127.0.0.1:{p}/v1/me", headers=h)
            assert r.status_code == 429 and "Retry-After" in r.headers
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


def test_the_in_memory_window_answers_like_the_library_and_starts_no_threads(monkeypatch):
    """#22: the memory storage keeps the moving window on a deque per key (no timer thread per
    10 ms); the strategy's answers are those of limits' own MemoryStorage, hit for hit, and the
    window slides: a hit frees its slot 60 s after it was made, idle keys are swept."""
    import threading

    from limits import RateLimitItemPerMinute
    from limits.storage import MemoryStorage
    from limits.strategies import MovingWindowRateLimiter

    from backend.api import ratelimit

    clock = {"now": 1_000_000.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock["now"])
    import limits.storage.memory as library_memory

    monkeypatch.setattr(library_memory.time, "time", lambda: clock["now"])
    ours = MovingWindowRateLimiter(ratelimit.WindowMemoryStorage())
    theirs = MovingWindowRateLimiter(MemoryStorage())
    item = RateLimitItemPerMinute(5)
    before = threading.active_count()
    script = [0.0, 1.0, 1.0, 10.0, 20.0, 30.0, 30.5, 59.0, 61.5, 61.5, 62.0, 80.0, 140.0, 141.0]
    for t in script:
        clock["now"] = 1_000_000.0 + t
        for limiter in (ours, theirs):
            limiter.answer = (limiter.test(item, "k"), limiter.hit(item, "k"), limiter.hit(item, "k", cost=2),
                              tuple(limiter.get_window_stats(item, "k")))
        assert ours.answer == theirs.answer, t
    assert threading.active_count() <= before + 1  # the library's one initial timer at most; ours adds none
    # 60 s after the last hit the key is idle; the next sweep (at most once a window) drops it.
    clock["now"] += 200
    ours.hit(item, "other")
    assert list(ours.storage._windows) == [item.key_for("other")]
    ours.storage.reset()
    assert ours.test(item, "k") and ours.get_window_stats(item, "k").remaining == 5
