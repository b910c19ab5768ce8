"""Journal export throughput and memory: N approved journal lines as CSV, XLSX and JSON.

    .venv/bin/python bench/bench_journal_export.py [--lines 1000000] [--formats csv,xlsx]
                                                   [--database-url URL] [--keep DB_PATH]

Builds a migrated database (SQLite file by default, or the PostgreSQL URL given) holding N lines
(4 per entry, spread over 10 periods), approves every entry through the immutability triggers,
maps the accounts, then runs ``journal_export.prepare(...).body`` — exactly what the HTTP route
streams — in a fresh subprocess per run, writing the bytes to a temp file. Each run reports wall
seconds, output size and the child's peak RSS; each format runs on 10 % of the lines (one period)
and on all of them, so "memory flat in the number of lines" is visible as equal peaks.
Targets (issue 7): 1,000,000 lines ≤ 10 s as CSV, ≤ 60 s as XLSX, memory flat.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone

from sqlalchemy import create_engine, select, text

PERIODS = [f"2026-{m:02d}" for m in range(1, 11)]
ACCOUNTS = [("INTEREST_EXPENSE", "LEASE_LIABILITY_CURRENT"), ("DEPRECIATION_EXPENSE", "ROU_ACCUMULATED_DEPRECIATION")]
MAPPING = {"INTEREST_EXPENSE": "7100", "LEASE_LIABILITY_CURRENT": "2310", "DEPRECIATION_EXPENSE": "7200",
           "ROU_ACCUMULATED_DEPRECIATION": "1690"}


def build(url: str, n_lines: int) -> dict:
    from backend.db.ids import new_id
    from backend.db.migrate import upgrade
    from backend.db.models import AccountMapping, Entity, JournalEntry, JournalLine
    from backend.db.session import Database
    from backend.services.platform import tenancy
    from backend.services.platform.context import Runtime
    from backend.settings import Settings

    if url.startswith("postgresql"):
        eng = create_engine(url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    upgrade(url)
    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789-0123456789", _env_file=None)
    rt = Runtime(settings=settings, db=Database(url), secret_key=settings.secret_key)
    boot = tenancy.bootstrap_demo(rt)
    tenant = boot.sandbox_tenant_id
    now = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    n_entries = n_lines // 4
    per_period = n_entries // len(PERIODS)
    with rt.db.session(tenant, write=True) as s:
        entity_id = s.scalar(select(Entity.id).where(Entity.code == "DEMO-US"))
        s.add(AccountMapping(entity_id=entity_id, accounts=MAPPING, dimensions={"lease_id": "PROJECT"}, version=1,
                             updated_at=now))
    batch = 20_000
    for start in range(0, n_entries, batch):
        headers, lines = [], []
        for i in range(start, min(start + batch, n_entries)):
            eid, period = new_id(), PERIODS[min(i // per_period, len(PERIODS) - 1)]
            amount = 10_000 + (i * 7919) % 9_000_000
            lease = f"L-{i % 5000:05d}"
            headers.append({"id": eid, "created_at": now, "tenant_id": tenant, "entity_id": entity_id,
                            "standard": "IFRS16", "period": period, "entry_date": date(2026, int(period[5:]), 28),
                            "currency": "USD", "event": "lease.period", "source_operation": "monthly_close",
                            "lease_id": lease, "run_id": None, "close_id": None, "status": "draft",
                            "memo": f"Lease {lease} {period}", "total_debit_minor": 2 * amount,
                            "dedupe_key": eid, "prepared_by": "bench-preparer", "prepared_actor_kind": "human",
                            "request_id": None})
            dims = {"lease_id": lease, "asset_class": "property", "standard": "IFRS16", "entity": "DEMO-US"}
            n = 0
            for dr, cr in ACCOUNTS:
                n += 1
                lines.append({"entry_id": eid, "line_no": n, "tenant_id": tenant, "account": dr, "debit_minor": amount,
                              "credit_minor": 0, "currency": "USD", "dimensions": dims})
                n += 1
                lines.append({"entry_id": eid, "line_no": n, "tenant_id": tenant, "account": cr, "debit_minor": 0,
                              "credit_minor": amount, "currency": "USD", "dimensions": dims})
        with rt.db.session(tenant, write=True) as s:
            s.execute(JournalEntry.__table__.insert(), headers)
            s.execute(JournalLine.__table__.insert(), lines)
    t_insert = time.perf_counter() - t0
    t0 = time.perf_counter()
    with rt.db.session(tenant, write=True) as s:  # through the triggers: balance + four-eyes per entry
        s.execute(text("UPDATE journal_entries SET status = 'approved', approved_by = 'bench-approver', "
                       "approved_at = created_at WHERE tenant_id = :t"), {"t": tenant})
    t_approve = time.perf_counter() - t0
    if url.startswith("postgresql"):  # what autovacuum would have done by now (SQLite: no statistics, worst case)
        with rt.db.engine.begin() as c:
            c.execute(text("ANALYZE"))
    rt.db.dispose()
    return {"tenant_id": tenant, "account_id": boot.account_id, "lines": n_entries * 4,
            "insert_s": round(t_insert, 1), "approve_s": round(t_approve, 1)}


def _hwm_kib() -> int:
    """Peak RSS of this process (VmHWM). Not ru_maxrss: Linux carries that across exec, so a child
    would report the parent's peak from building the database."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(url: str, tenant_id: str, account_id: str, fmt: str, period: str | None) -> None:
    """One export in a fresh process; prints a JSON line with time, size and peak RSS."""
    from backend.db.session import Database
    from backend.services.ledger import export as journal_export
    from backend.services.platform.context import Actor, Runtime
    from backend.services.ledger.queries import Filters
    from backend.settings import Settings

    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789-0123456789", _env_file=None)
    rt = Runtime(settings=settings, db=Database(url), secret_key=settings.secret_key)
    actor = Actor(tenant_id=tenant_id, tenant_kind="sandbox", account_id=account_id, user_id="bench-reader",
                  role="REVIEWER", actor_kind="human", token_id=None)
    rss_before = _hwm_kib()
    fd, path = tempfile.mkstemp(suffix="." + fmt)
    t0, cpu0 = time.perf_counter(), time.process_time()
    size = 0
    with os.fdopen(fd, "wb") as out:
        for chunk in journal_export.prepare(rt, actor, Filters(period=period), fmt).body:
            size += len(chunk)
            out.write(chunk)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    os.unlink(path)
    peak = _hwm_kib()
    print(json.dumps({"format": fmt, "period": period, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                      "bytes": size, "rss_before_mib": round(rss_before / 1024, 1),
                      "peak_rss_mib": round(peak / 1024, 1)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--formats", default="csv,xlsx")
    ap.add_argument("--database-url")
    ap.add_argument("--keep", help="SQLite file to build (kept afterwards)")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        url, tenant, account, fmt, period = args.child
        child(url, tenant, account, fmt, None if period == "-" else period)
        return
    tmp = None
    if args.database_url:
        url = args.database_url
    else:
        path = args.keep or os.path.join(tempfile.mkdtemp(prefix="bench-journals-"), "bench.db")
        tmp = None if args.keep else path
        url = f"sqlite:///{path}"
    info = build(url, args.lines)
    print(json.dumps({"database": url.split(":", 1)[0], **info}), flush=True)
    for fmt in args.formats.split(","):
        for period in (PERIODS[0], "-"):
            res = subprocess.run([sys.executable, __file__, "--child", url, info["tenant_id"], info["account_id"],
                                  fmt, period], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": "."})
            if res.returncode:
                sys.exit(res.stderr)
            row = json.loads(res.stdout.strip().splitlines()[-1])
            row["lines"] = info["lines"] // len(PERIODS) if period != "-" else info["lines"]
            print(json.dumps(row), flush=True)
    if tmp:
        os.unlink(tmp)


if __name__ == "__main__":
    main()
