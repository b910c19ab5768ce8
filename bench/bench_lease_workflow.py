"""Lease workflow at portfolio scale, persisted on SQLite (issue 6 targets).

1. confirm + INITIAL_RECOGNITION of N leases × 120 months, both books, through the real services
   and job worker (target ≤ 30 s for 10,000 leases);
2. the persistence part of (1) compared with a raw sqlite3 executemany of the same rows (target ≤ 2×);
3. monthly close of one period for every lease (target ≤ 10 s) and its re-run (target ≤ 2 s).

    .venv/bin/python bench/bench_lease_workflow.py [--leases 10000] [--period 2026-06]
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_lease_engine import generate  # noqa: E402
from close_timing import time_close  # noqa: E402

from backend.db.migrate import upgrade  # noqa: E402
from backend.db.session import Database  # noqa: E402
from backend.engine.leases import LeasePolicy, compute_schedules, parse_lease  # noqa: E402
from backend.jobs.worker import Worker  # noqa: E402
from backend.services.leases import close as lease_close  # noqa: F401,E402  (registers leases)
from backend.services.leases import drafts as leases  # noqa: E402
from backend.services.platform import tenancy  # noqa: E402
from backend.services.platform.context import Actor, Runtime  # noqa: E402
from backend.services.platform.identity import authenticate  # noqa: E402
from backend.settings import Settings  # noqa: E402


def _drain(rt) -> int:
    worker = Worker(rt, worker_id="bench", schedule_housekeeping=False)
    n = 0
    while worker.run_once():
        n += 1
    return n


def _child_drain(url: str, secret: str, index: int) -> None:
    settings = Settings(database_url=url, secret_key=secret, _env_file=None)
    rt = Runtime(settings=settings, db=Database(url), secret_key=secret)
    worker = Worker(rt, worker_id=f"bench-{index}", schedule_housekeeping=False)
    while worker.run_once():
        pass


def _drain_parallel(rt, workers: int) -> None:
    """What `ledger-layer worker --processes N` does: N processes claiming from one queue."""
    import multiprocessing as mp

    procs = [mp.Process(target=_child_drain, args=(rt.settings.database_url, rt.secret_key, i))
             for i in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


def _table_rows(db_path: Path, table: str) -> tuple[list[str], list[tuple]]:
    con = sqlite3.connect(db_path)
    cur = con.execute(f"SELECT * FROM {table}")
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    con.close()
    return cols, rows


def raw_executemany(db_path: Path, tables: list[str]) -> float:
    """Insert the very rows our run wrote into empty copies of the tables with sqlite3.executemany."""
    data = {t: _table_rows(db_path, t) for t in tables}
    raw = db_path.with_name("raw.db")
    con = sqlite3.connect(raw)
    src = sqlite3.connect(db_path)
    for t in tables:
        con.execute(src.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0])
    src.close()
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    t0 = time.perf_counter()
    for t in tables:
        cols, rows = data[t]
        con.executemany(f"INSERT INTO {t} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", rows)
    con.commit()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leases", type=int, default=10_000)
    ap.add_argument("--period", default="2026-06")
    ap.add_argument("--workers", type=int, default=1, help="worker processes for recognition and close")
    ap.add_argument("--entities", type=int, default=1, help="spread the leases over this many entities (round robin)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    db_path = tmp / "bench.db"
    url = f"sqlite:///{db_path}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789abcdefghij", _env_file=None)
    rt = Runtime(settings=settings, db=Database(url), secret_key=settings.secret_key)
    codes = [f"E{k + 1}" for k in range(args.entities)]
    entity = {"code": "E1", "name": "Bench Co", "functional_currency": "USD", "enabled_standards": ["IFRS16", "ASC842"],
              "fiscal_year_end": "12-31"}
    boot = tenancy.create_account(rt, name="Bench", owner_name="B", owner_email="bench@x.com", entity=entity)
    actor: Actor = authenticate(rt, f"Bearer {boot.token}")
    for code in codes[1:]:
        tenancy.create_entity(rt, actor, {**entity, "code": code, "name": f"Bench Co {code}"})
    inputs = generate(args.leases, 120)

    t0 = time.perf_counter()
    ids = []
    with rt.db.session(actor.tenant_id, write=True) as s:
        for k, code in enumerate(codes):
            ent = tenancy.get_entity_by_code(s, code)
            created = leases.create_drafts(s, actor, rt.clock(), ent, inputs[k::len(codes)], source="api")
            ids += [x.id for x in created]
    t_drafts = time.perf_counter() - t0

    # Engine alone on the same leases (parse + both books), for the persistence share.
    policy = LeasePolicy.from_dict({"functional_currency": "USD"})
    t0 = time.perf_counter()
    for d in inputs:
        compute_schedules(parse_lease(d), policy)
    t_engine = time.perf_counter() - t0

    t0 = time.perf_counter()
    out = leases.confirm(rt, actor, ids)
    t_confirm = time.perf_counter() - t0
    t0 = time.perf_counter()
    jobs = len(out["job_ids"])
    _drain(rt) if args.workers == 1 else _drain_parallel(rt, args.workers)
    t_recognise = time.perf_counter() - t0
    assert out["confirmed"] == args.leases, out["refused"]
    total = t_confirm + t_recognise
    t_raw = raw_executemany(db_path, ["lease_runs", "lease_run_schedules", "journal_entries", "journal_lines"])
    # Persistence = the write transactions of the recognition jobs (runs, schedules, journals,
    # audit rows, outbox), summed from each job's own timings.
    with rt.db.session(system=True) as s:
        from backend.db.models import Job

        results = [j.result for j in s.query(Job).filter(Job.kind == "lease.initial_recognition")]
    persistence = sum(r["timings"]["write_seconds"] for r in results)
    compute_in_jobs = sum(r["timings"]["compute_seconds"] for r in results)

    closed = time_close(rt, actor, "lease", codes, args.period,
                        lambda: _drain(rt) if args.workers == 1 else _drain_parallel(rt, args.workers))
    totals = closed.pop("totals")
    closed.pop("drained")

    print(json.dumps({
        "leases": args.leases, "workers": args.workers, "drafts_seconds": round(t_drafts, 2), "jobs": jobs,
        "engine_only_seconds": round(t_engine, 2),
        "confirm_plus_recognition_seconds": round(total, 2), "target_seconds": 30,
        "job_compute_seconds": round(compute_in_jobs, 2),
        "persistence_seconds": round(persistence, 2), "raw_executemany_seconds": round(t_raw, 2),
        "persistence_ratio": round(persistence / t_raw, 2) if t_raw else None, "persistence_target_ratio": 2,
        "close_leases": [t.get("leases") for t in totals], **closed,
    }, indent=2))


if __name__ == "__main__":
    main()
