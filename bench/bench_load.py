"""Load (issue #22): N concurrent users of mixed traffic against 2 API processes + workers + Redis on
PostgreSQL, then a check that nothing acknowledged was lost and nothing was duplicated.

    .venv/bin/python bench/bench_load.py [--users 100] [--duration 60] [--api-processes 2]
        [--worker-processes 2] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_faults_load]
        [--redis-url redis://127.0.0.1:6379/14] [--seed-leases 100] [--keep-rate-limit] [--json]

The database is dropped and re-migrated (its name must start with test_faults). Traffic is driven
by locust (bench/load_locustfile.py) headless, each user bound round-robin to one API process.
Targets: 0 errors other than 429; p99 of reads < 1 s; every acknowledged write present afterwards,
no duplicate from a retried Idempotency-Key, every job done, every journal balanced.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "faults")]

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from backend.db.migrate import upgrade  # noqa: E402
from backend.db.models import CloseRun, Job, JournalEntry, Lease, LeaseRun  # noqa: E402

import scenarios  # noqa: E402
from procs import child_env, free_port, start_api, start_worker, stop, wait_for, wait_http  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test_faults_load"
READ_P99_TARGET_MS = 1000.0


def reset_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    if not name.startswith("test_faults"):
        raise SystemExit(f"refusing to reset {name!r}: the database name must start with test_faults")
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    eng.dispose()
    upgrade(url)


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--spawn-rate", type=float, default=20.0)
    ap.add_argument("--duration", type=int, default=60, help="seconds of traffic")
    ap.add_argument("--api-processes", type=int, default=2)
    ap.add_argument("--worker-processes", type=int, default=2)
    ap.add_argument("--database-url", default=DEFAULT_DB)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    ap.add_argument("--seed-leases", type=int, default=100, help="leases recognised and closed before the run")
    ap.add_argument("--approvers", type=int, default=2, help="APPROVER users (tokens) sharing the approvals")
    ap.add_argument("--wait-min", type=float, default=0.5, help="think time between a user's tasks (s)")
    ap.add_argument("--wait-max", type=float, default=1.5)
    ap.add_argument("--keep-rate-limit", action="store_true", help="keep the demo tenant's starter plan limits")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(f"logs in {work}; load average before: {loadavg()}", flush=True)
    reset_database(args.database_url)
    rt = scenarios.make_runtime(args.database_url, redis_url=args.redis_url)
    t = scenarios.demo_tenants(rt)
    if not args.keep_rate_limit:
        scenarios.lift_rate_limits(rt)

    from backend.services.platform import admin
    from backend.services.platform.identity import create_user

    approver_tokens = []
    for i in range(args.approvers):
        create_user(rt, t.sandbox, name=f"Approver {i}", email=f"approver{i}@demo.example", role="APPROVER")
        approver_tokens.append(admin.mint_token(rt, email=f"approver{i}@demo.example", tenant_kind="sandbox",
                                                name="load")["token"])

    env = child_env(args.database_url, rt.secret_key, redis_url=args.redis_url)
    procs = []
    try:
        worker = start_worker(env, work / "workers.log", processes=args.worker_processes, lease_seconds=60,
                              poll=0.2)
        procs.append(worker)
        # Seed: leases with schedules and closed journals to read and approve from the first second.
        seed = scenarios.add_leases(rt, t.sandbox, args.seed_leases, "SEED")
        seed_jobs = scenarios.confirm(rt, t.sandbox, seed, 50)
        wait_for(lambda: scenarios.all_done(rt, seed_jobs), 600, "the seed recognition", interval=0.5)
        close_jobs = scenarios.request_close(rt, t.sandbox, "2026-01")
        wait_for(lambda: scenarios.all_done(rt, close_jobs), 600, "the seed close", interval=0.5)

        ports = [free_port() for _ in range(args.api_processes)]
        for i, port in enumerate(ports):
            procs.append(start_api(env, work / f"api-{i}.log", port))
        hosts = [f"http://127.0.0.1:{p}" for p in ports]
        for h in hosts:
            wait_http(f"{h}/v1/health")

        out_path = work / "locust-out.json"
        run_tag = uuid.uuid4().hex[:6]
        lenv = {**os.environ, "BENCH_HOSTS": ",".join(hosts), "BENCH_OWNER_TOKEN": t.token,
                "BENCH_APPROVER_TOKENS": ",".join(approver_tokens), "BENCH_SEED_LEASES": ",".join(seed),
                "BENCH_OUT": str(out_path), "BENCH_RUN": run_tag, "BENCH_WAIT_MIN": str(args.wait_min),
                "BENCH_WAIT_MAX": str(args.wait_max), "BENCH_APPROVER_SLOTS": str(max(1, args.users * 2 // 10))}
        print(f"traffic: {args.users} users × {args.duration} s over {hosts}; load average {loadavg()}", flush=True)
        load_before = loadavg()
        t0 = time.monotonic()
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "locust"), "-f", str(HERE / "load_locustfile.py"),
                        "--headless", "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
                        "--only-summary", "--stop-timeout", "30", "--loglevel", "WARNING"],
                       env=lenv, cwd=work, check=False, stdout=open(work / "locust.log", "w"), stderr=subprocess.STDOUT)
        wall = time.monotonic() - t0
        load_after = loadavg()
        data = json.loads(out_path.read_text())

        # Drain: every job the traffic queued must finish.
        t1 = time.monotonic()
        with rt.db.session(system=True) as s:
            job_ids = list(s.scalars(select(Job.id)))
        wait_for(lambda: scenarios.all_done(rt, job_ids), 900, "the queued jobs to finish", interval=1.0)
        drain_s = time.monotonic() - t1
    finally:
        for p in procs:
            stop(p)

    records = data["records"]
    acked = data["acked"]
    statuses = Counter(r[2] for r in records)
    errors = {str(k): v for k, v in statuses.items() if not (200 <= k < 300 or k == 429)}
    reads = [r[3] for r in records if r[1] == "read" and 200 <= r[2] < 300]
    writes = [r[3] for r in records if r[1] == "write" and 200 <= r[2] < 300]
    by_name = Counter(r[0] for r in records)

    # Nothing lost, nothing doubled.
    problems = []
    tenant = t.sandbox.tenant_id
    with rt.db.session(system=True) as s:
        lease_ids = {a["id"] for a in acked["leases"]}
        stored = dict(s.execute(select(Lease.id, Lease.status).where(Lease.tenant_id == tenant)).all())
        per_ext = Counter(s.scalars(select(Lease.external_id).where(Lease.tenant_id == tenant)))
        approved = set(s.scalars(select(JournalEntry.id).where(JournalEntry.tenant_id == tenant,
                                                               JournalEntry.status == "approved")))
        closes = {c.id: c.status for c in s.scalars(select(CloseRun).where(CloseRun.tenant_id == tenant))}
        jobs_by_status = Counter(s.scalars(select(Job.status)))
        dup_runs = s.scalar(select(func.count()).select_from(
            select(LeaseRun.lease_id, LeaseRun.standard).where(LeaseRun.run_type == "INITIAL_RECOGNITION")
            .group_by(LeaseRun.lease_id, LeaseRun.standard).having(func.count() > 1).subquery()))
    snap = scenarios.ledger_snapshot(rt, tenant)
    missing = lease_ids - set(stored)
    if missing:
        problems.append(f"{len(missing)} acknowledged lease creates are missing")
    replay_mismatch = [r for r in acked["replays"] if r["first_id"] and r["id"] != r["first_id"]]
    if replay_mismatch:
        problems.append(f"{len(replay_mismatch)} retries with the same Idempotency-Key returned another lease")
    dup_ext = [e for e, n in per_ext.items() if n > 1]
    if dup_ext:
        problems.append(f"{len(dup_ext)} external ids stored more than once")
    not_confirmed = [i for i in acked["confirms"] if stored.get(i) != "confirmed"]
    if not_confirmed:
        problems.append(f"{len(not_confirmed)} acknowledged confirms are not confirmed")
    not_approved = set(acked["approvals"]) - approved
    if not_approved:
        problems.append(f"{len(not_approved)} acknowledged approvals are not approved")
    lost_closes = [c for c in acked["closes"] if closes.get(c["id"]) != "completed"]
    if lost_closes:
        problems.append(f"{len(lost_closes)} acknowledged closes are not completed")
    bad_jobs = {k: v for k, v in jobs_by_status.items() if k != "succeeded"}
    if bad_jobs:
        problems.append(f"jobs not succeeded: {bad_jobs}")
    if dup_runs or snap["unbalanced"]:
        problems.append(f"duplicate recognition runs {dup_runs}, unbalanced journals {snap['unbalanced']}")
    recognised = sum(1 for st in stored.values() if st == "confirmed")
    if snap["runs"] != 2 * recognised:
        problems.append(f"{snap['runs']} recognition runs for {recognised} confirmed leases × 2 books")

    read_p99 = pct(reads, 99)
    checks = [("errors other than 429", "0", str(sum(errors.values())), not errors),
              ("p99 of reads", f"< {READ_P99_TARGET_MS:.0f} ms", f"{read_p99:.0f} ms", read_p99 < READ_P99_TARGET_MS),
              ("nothing lost or duplicated", "0 problems", str(len(problems)), not problems)]
    result = {
        "users": args.users, "duration_s": args.duration, "wall_s": round(wall, 1),
        "api_processes": args.api_processes, "worker_processes": args.worker_processes,
        "load_average_before": load_before, "load_average_after": load_after,
        "requests": len(records), "throughput_rps": round(len(records) / args.duration, 1),
        "status_counts": {str(k): v for k, v in sorted(statuses.items())}, "errors": errors,
        "read_ms": {"n": len(reads), "p50": round(pct(reads, 50)), "p95": round(pct(reads, 95)),
                    "p99": round(read_p99)},
        "write_ms": {"n": len(writes), "p50": round(pct(writes, 50)), "p95": round(pct(writes, 95)),
                     "p99": round(pct(writes, 99))},
        "requests_by_name": dict(by_name.most_common()),
        "acknowledged": {"lease_creates": len(acked["leases"]), "same_key_retries": len(acked["replays"]),
                         "confirmed_leases": len(acked["confirms"]), "closes": len(acked["closes"]),
                         "approvals": len(acked["approvals"])},
        "after": {"leases": len(stored), "recognition_runs": snap["runs"], "journal_entries": snap["entry_count"],
                  "jobs": dict(jobs_by_status), "drain_s_after_traffic": round(drain_s, 1)},
        "problems": problems, "checks": [{"check": c, "target": tg, "measured": m, "pass": ok} for c, tg, m, ok in checks],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"\n{args.users} users × {args.duration} s, {args.api_processes} API + {args.worker_processes} worker "
              f"processes, PostgreSQL + Redis; load average {load_before} before, {load_after} after")
        print(f"requests {len(records)}  throughput {result['throughput_rps']} req/s  statuses {result['status_counts']}")
        print(f"reads  n={len(reads)}  p50 {result['read_ms']['p50']} ms  p95 {result['read_ms']['p95']} ms  "
              f"p99 {result['read_ms']['p99']} ms")
        print(f"writes n={len(writes)}  p50 {result['write_ms']['p50']} ms  p95 {result['write_ms']['p95']} ms  "
              f"p99 {result['write_ms']['p99']} ms")
        print(f"acknowledged {result['acknowledged']}")
        print(f"afterwards {result['after']}")
        for name, n in by_name.most_common():
            print(f"  {n:6d}  {name}")
        for p in problems:
            print(f"PROBLEM: {p}")
        for c, tg, m, ok in checks:
            print(f"{c:32s} target {tg:12s} measured {m:10s} {'PASS' if ok else 'FAIL'}")
    rt.db.dispose()
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
