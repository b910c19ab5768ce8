"""Median latency of an authenticated, audited, rate-limited list request vs a bare route.

Both routes live in the same server process (uvicorn in a subprocess, real HTTP over loopback,
keep-alive); the client runs in this process so the two do not share a GIL.
The list request does: token check (hash lookup), rate-limit hit, permission check, a keyset
page + count query, and a hash-chained audit row (a write transaction). Target: ≤ 3× the bare route.

    .venv/bin/python bench/bench_api_overhead.py [--requests 1000] [--database-url URL]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from backend.api.app import create_app
from backend.db.migrate import upgrade
from backend.db.session import Database
from backend.services.platform import tenancy
from backend.services.platform.context import Runtime
from backend.settings import Settings


def bench_app():
    """uvicorn factory for the server subprocess: the real app plus one bare route."""
    from backend.bootstrap import build_runtime

    app = create_app(build_runtime())

    @app.get("/bare")
    def bare() -> dict:
        return {"ok": True}

    return app


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "bench_api_overhead:bench_app",
                             "--app-dir", str(Path(__file__).parent), "--port", str(port), "--log-level", "warning"],
                            env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/v1/health", timeout=1)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _median_ms(client: httpx.Client, url: str, n: int, headers: dict | None = None) -> float:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url, headers=headers)
        samples.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789abcdefghij",
                        default_plan="enterprise", worker_in_process=False, _env_file=None)
    rt = Runtime(settings=settings, db=Database(url), secret_key=settings.secret_key)
    boot = tenancy.create_account(rt, name="Bench", owner_name="B", owner_email=f"b{time.time_ns()}@x.com",
                                  entity=tenancy.DEMO_ENTITY)
    from sqlalchemy import update

    from backend.db.models import Tenant

    with rt.db.session(system=True, write=True) as s:  # a budget the benchmark cannot exhaust
        s.execute(update(Tenant).values(rate_limit_per_minute=10_000_000))
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_SECRET_KEY": settings.secret_key,
           "LEDGER_WORKER_IN_PROCESS": "false", "PYTHONPATH": str(Path(__file__).parent.parent)}
    server, base = _serve(env)
    headers = {"Authorization": f"Bearer {boot.token}"}
    with httpx.Client() as c:
        for _ in range(50):  # warm up both paths
            c.get(f"{base}/bare")
            c.get(f"{base}/v1/users", headers=headers)
        bare_ms = _median_ms(c, f"{base}/bare", args.requests)
        full_ms = _median_ms(c, f"{base}/v1/users?limit=50", args.requests, headers)
    server.terminate()
    server.wait(timeout=20)
    ratio = full_ms / bare_ms
    print(f"database: {rt.db.dialect}; requests per route: {args.requests}")
    print(f"bare FastAPI route        median {bare_ms:7.3f} ms")
    print(f"authenticated list route  median {full_ms:7.3f} ms  (auth + rate limit + page + count + audit row)")
    print(f"ratio {ratio:.2f}x (target <= 3x): {'PASS' if ratio <= 3 else 'FAIL'}")


if __name__ == "__main__":
    main()
