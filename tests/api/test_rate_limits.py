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
