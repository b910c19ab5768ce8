"""Latency of an authenticated, audited, rate-limited list request vs a bare route: median and p95.

Both routes live in the same server process (uvicorn in a subprocess, real HTTP over loopback,
keep-alive); the client runs in this process so the two do not share a GIL. The requests alternate
(bare, list, bare, list, …) so that load from other processes on a shared machine falls on both
routes alike. The list request does: token check (hash lookup), rate-limit hit, permission check,
a keyset page + count query, and a hash-chained audit row (a write transaction).
Target (#3, #22): the list request ≤ 3× the bare route at the median *and* at the p95 over
1,000 requests, on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_api_overhead.py [--requests 1000] [--database-url URL]

``--database-url postgresql+psycopg://…`` resets that database's ``public`` schema and migrates it.
Profile the server with py-spy (``py-spy record --subprocesses -- python bench/bench_api_overhead.py``):
the request work runs on the threadpool's threads, which a cProfile in the main thread never sees.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.api.app import create_app  # noqa: E402
from backend.db.migrate import upgrade  # noqa: E402
from backend.db.session import Database  # noqa: E402
from backend.services.platform import tenancy  # noqa: E402
from backend.services.platform.context import Runtime  # noqa: E402
from backend.settings import Settings  # noqa: E402

TARGET = 3.0


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


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def _timed(client: httpx.Client, url: str, headers: dict | None = None) -> float:
    t0 = time.perf_counter()
    r = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - t0) * 1000
    assert r.status_code == 200, r.text
    return elapsed


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
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
    dialect = rt.db.dialect
    rt.db.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=url, LEDGER_SECRET_KEY=settings.secret_key, LEDGER_WORKER_IN_PROCESS="false",
               PYTHONPATH=str(Path(__file__).parent.parent))
    server, base = _serve(env)
    headers = {"Authorization": f"Bearer {boot.token}"}
    bare: list[float] = []
    full: list[float] = []
    try:
        with httpx.Client() as c:
            for _ in range(50):  # warm up both paths
                c.get(f"{base}/bare")
                c.get(f"{base}/v1/users", headers=headers)
            for _ in range(args.requests):  # alternate, so background load hits both routes alike
                bare.append(_timed(c, f"{base}/bare"))
                full.append(_timed(c, f"{base}/v1/users?limit=50", headers))
    finally:
        server.terminate()
        server.wait(timeout=20)
    load = os.getloadavg()
    rows = {"median": (statistics.median(bare), statistics.median(full)), "p95": (p95(bare), p95(full))}
    print(f"database: {dialect}; requests per route: {args.requests} (alternating); "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'':8}{'bare route':>12}{'list route':>12}{'ratio':>8}")
    ok = True
    for name, (b, f) in rows.items():
        ratio = f / b
        ok = ok and ratio <= TARGET
        print(f"{name:8}{b:9.3f} ms{f:9.3f} ms{ratio:7.2f}x  target <= {TARGET:.0f}x  "
              f"{'PASS' if ratio <= TARGET else 'FAIL'}")
    print("(list route: token lookup + rate limit + permission + page + count + hash-chained audit row)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
