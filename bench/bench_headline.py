"""Headline benchmark (#22): a lease register through HTTP like a user, on `ledger-layer serve`.

    .venv/bin/python bench/bench_headline.py [--leases 10000] [--workers N | --external-workers N]
                                             [--database-url URL] [--target S]

A fresh directory, `ledger-layer serve` (SQLite by default; `--database-url postgresql+psycopg://…`
for PostgreSQL, whose `public` schema it drops and re-creates first), the printed token, then:
  1. upload   POST /v1/leases/extract-file  (an xlsx register naming the demo entities by legal name,
              mixed frequencies, timings and escalations) → drafts
  2. confirm  POST /v1/leases/confirm (all drafts) → recognition jobs for both books, polled to the end
  3. close    POST /v1/engine/monthly-close per entity for one month → close jobs, polled to the end
Prints the phase split, the total, the target, PASS/FAIL and the load average.

Where the jobs run:
  (default)              `serve` alone: its worker pool, one process per core (2 on the dev machine)
  --workers N            `serve --workers N` (N = 1: a worker thread inside the API process)
  --external-workers N   `serve` with LEDGER_WORKER_IN_PROCESS=false plus `ledger-layer worker
                         --processes N` beside it: the scale-out layout of docs/deploy.md

Targets: ≤ 60 s on `serve` alone (SQLite); ≤ 30 s with two worker processes (`--external-workers 2`,
the same as `serve` alone on a two-core machine), on SQLite and on PostgreSQL. The default target
printed is 30 s with two or more worker processes, else 60 s. The rate limit of the throwaway tenant
is lifted so the poller is not throttled. The servers run this checkout's code (PYTHONPATH).
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import build_workbook  # noqa: E402
from backend.jobs.worker import default_worker_processes  # noqa: E402

LEGAL_NAMES = ("Demo UK Ltd", "Demo US LLC", "Demo GmbH")
CODES = ("UK01", "US01", "DE01")
TERMINAL = {"succeeded", "completed_with_failures", "failed", "dead"}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str | None, in_process: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    # The `ledger-layer` script would otherwise import whichever checkout the venv was installed from.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.update(LEDGER_SECRET_KEY="headline-benchmark-secret-key-0123456789", LEDGER_DEFAULT_PLAN="enterprise",
               LEDGER_WORKER_IN_PROCESS="true" if in_process else "false")
    if database_url:
        env["LEDGER_DATABASE_URL"] = database_url
    return env


def _serve(workdir: Path, port: int, workers: int | None, database_url: str | None,
           in_process: bool = True) -> tuple[subprocess.Popen, str]:
    env = _env(database_url, in_process)
    cmd = [str(Path(sys.executable).parent / "ledger-layer"), "serve", "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    log = workdir / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        text = log.read_text()
        m = re.search(r"(ll_test_[0-9A-Za-z]{43})", text)
        if m and "Uvicorn running on" in text:
            return proc, m.group(1)
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"serve did not start:\n{log.read_text()[-3000:]}")


def _external_workers(workdir: Path, processes: int, database_url: str | None) -> subprocess.Popen:
    """`ledger-layer worker --processes N` in the same directory (same SQLite file) as `serve`."""
    cmd = [str(Path(sys.executable).parent / "ledger-layer"), "worker", "--processes", str(processes),
           "--poll-interval", "0.2"]
    with open(workdir / "worker.log", "w") as out:
        return subprocess.Popen(cmd, cwd=workdir, env=_env(database_url, False), stdout=out,
                                stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def _lift_rate_limit(workdir: Path, database_url: str | None) -> None:
    sql = "UPDATE tenants SET rate_limit_per_minute = 10000000"
    if database_url:
        from sqlalchemy import create_engine, text

        eng = create_engine(database_url)
        with eng.begin() as c:
            c.execute(text(sql))
        eng.dispose()
    else:
        with sqlite3.connect(workdir / "ledger_layer.db") as db:
            db.execute(sql)


def _wait_jobs(client: httpx.Client, job_ids: list[str]) -> dict[str, int]:
    statuses: dict[str, str] = {}
    pending = list(dict.fromkeys(job_ids))
    while pending:
        still = []
        for job_id in pending:
            status = client.get(f"/v1/engine/jobs/{job_id}").json()["status"]
            (statuses.__setitem__(job_id, status) if status in TERMINAL else still.append(job_id))
        pending = still
        if pending:
            time.sleep(0.25)
    counts: dict[str, int] = {}
    for s in statuses.values():
        counts[s] = counts.get(s, 0) + 1
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leases", type=int, default=10_000)
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, help="serve --workers N (default: one per core)")
    where.add_argument("--external-workers", type=int, default=None, metavar="N",
                       help="serve without workers + `ledger-layer worker --processes N`")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--period", default="2026-06")
    ap.add_argument("--target", type=float, default=None, help="seconds (default: 30 with 2+ worker processes, "
                                                                "else 60)")
    args = ap.parse_args()
    processes = args.external_workers or args.workers or default_worker_processes()
    target = args.target or (30.0 if processes >= 2 else 60.0)
    postgres = bool(args.database_url and args.database_url.startswith("postgresql"))
    if postgres:
        from sqlalchemy import create_engine, text

        eng = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    data = build_workbook(args.leases, entities=LEGAL_NAMES)
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = _port()
        proc, token = _serve(workdir, port, args.workers, args.database_url,
                             in_process=args.external_workers is None)
        workers = _external_workers(workdir, args.external_workers, args.database_url) \
            if args.external_workers else None
        try:
            _lift_rate_limit(workdir, args.database_url)
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600,
                                  headers={"Authorization": f"Bearer {token}"})
            t0 = time.perf_counter()
            up = client.post("/v1/leases/extract-file", files={"file": ("register.xlsx", data)},
                             data={"entity": "US01"})
            assert up.status_code == 201, up.text[:2000]
            ids = [d["id"] for d in up.json()["drafts"]]
            t1 = time.perf_counter()
            conf = client.post("/v1/leases/confirm", json={"lease_ids": ids})
            assert conf.status_code in (200, 202), conf.text[:2000]
            jobs = sorted({j for r in conf.json()["results"] for j in r.get("job_ids") or []})
            recognition = _wait_jobs(client, jobs)
            t2 = time.perf_counter()
            close_jobs = []
            for code in CODES:
                r = client.post("/v1/engine/monthly-close", json={"entity": code, "period": args.period})
                assert r.status_code == 202, r.text[:2000]
                close_jobs += r.json()["job_ids"]
            closes = _wait_jobs(client, close_jobs)
            t3 = time.perf_counter()
        finally:
            if workers is not None:
                _stop(workers)
            _stop(proc)
    total = t3 - t0
    load_end = os.getloadavg()
    layout = (f"serve + `ledger-layer worker --processes {args.external_workers}`" if args.external_workers
              else f"serve --workers {args.workers}" if args.workers
              else f"serve alone ({processes} worker processes, one per core)")
    ok = total <= target and set(recognition) | set(closes) <= {"succeeded"}
    print(f"leases {args.leases}  drafts {len(ids)}  database {'postgresql' if postgres else 'sqlite'}  {layout}")
    print(f"  upload → drafts        {t1 - t0:7.1f} s")
    print(f"  confirm + recognition  {t2 - t1:7.1f} s   jobs {recognition}")
    print(f"  first close ({args.period})   {t3 - t2:7.1f} s   jobs {closes}")
    print(f"  total                  {total:7.1f} s   target ≤ {target:.0f} s   {'PASS' if ok else 'FAIL'}")
    print(f"  load average (1/5/15 min) at start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}, "
          f"at end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
