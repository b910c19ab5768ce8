"""Faults (issue #22) at a larger size than tests/faults/: the same scenarios (tests/faults/scenarios.py),
each printed as target / measured / PASS-FAIL.

    .venv/bin/python bench/bench_faults.py [--leases 1000] [--database-url URL] [--clients 8]
        [--leases-per-client 50] [--events 200] [--only sigkill,pg_restart,webhooks] [--json]

sigkill     a real `ledger-layer worker` SIGKILLed inside a recognition write transaction (after one
            of the recognition jobs committed), then another after the first committed batch of a
            monthly close; a fresh worker finishes after the lease expires. The sandbox ledger must
            equal a clean run of the same leases in the production tenant.
pg_restart  a private PostgreSQL cluster (initdb/pg_ctl in a temp dir, never the shared server)
            crashed with an immediate shutdown and restarted while clients create and confirm leases
            with Idempotency-Keys through an API process and a worker process run on.
webhooks    a receiver refusing connections for an hour of simulated time, then back.

The database given (default postgresql+psycopg://postgres@127.0.0.1:5432/test_faults_bench, whose
name must start with test_faults; or a sqlite:/// URL) is reset before each scenario that uses it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "faults")]

from backend.db.migrate import upgrade  # noqa: E402

import scenarios  # noqa: E402
from procs import private_pg_available  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test_faults_bench"


def fresh(url: str, work: Path) -> str:
    if url.startswith("sqlite"):
        path = work / f"faults-{len(list(work.glob('faults-*.db')))}.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        return url
    from bench_load import reset_database

    reset_database(url)
    return url


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", default=DEFAULT_DB)
    ap.add_argument("--leases", type=int, default=1000)
    ap.add_argument("--lease-seconds", type=float, default=5.0, help="job lease of the worker processes")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--leases-per-client", type=int, default=50)
    ap.add_argument("--events", type=int, default=200)
    ap.add_argument("--only", default="sigkill,pg_restart,webhooks")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    only = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    print(f"logs in {work}; load average {loadavg()}", flush=True)
    rows = []

    if "sigkill" in only:
        url = fresh(args.database_url, work)
        rt = scenarios.make_runtime(url)
        d = work / "sigkill"
        d.mkdir()
        out = scenarios.sigkill_mid_work(rt, url, d, leases=args.leases, recognition_batch=250,
                                         close_batch=max(1, args.leases // 5), lease_seconds=args.lease_seconds,
                                         timeout=900)
        rt.db.dispose()
        rows.append(("sigkill mid-recognition + mid-close",
                     f"every job succeeded once; journals = clean run; recovery ≤ lease ({args.lease_seconds:g} s) "
                     "+ 60 s",
                     f"jobs {out['jobs']}, {out['jobs_rerun']} re-run after the kill; entries {out['entries']} vs "
                     f"clean {out['reference_entries']}; {out['close_entries_committed_at_kill']} close entries were "
                     f"committed at the kill; recovery {out['recognition_recovery_s']} s (recognition), "
                     f"{out['close_recovery_s']} s (close)",
                     not out["problems"] and max(out["recognition_recovery_s"], out["close_recovery_s"])
                     <= args.lease_seconds + 60, out))

    if "pg_restart" in only:
        why = private_pg_available()
        if why:
            rows.append(("PostgreSQL crash + restart under load", "—", f"skipped: {why}", False, {}))
        else:
            d = work / "pg"
            d.mkdir()
            out = scenarios.pg_restart_under_load(d, clients=args.clients, leases_per_client=args.leases_per_client,
                                                  down_seconds=3.0, timeout=900)
            rows.append(("PostgreSQL crash + restart under load",
                         "0 acknowledged writes lost or doubled; all jobs succeeded; 503 (never 500) while down; "
                         "serving again ≤ 30 s after the database is back, no app restart",
                         f"{out['acknowledged_creates']} creates + {out['acknowledged_confirms']} confirms acknowledged,"
                         f" {out['leases_stored']} leases stored; jobs {out['jobs']} ({out['jobs_rerun']} re-run); "
                         f"outage {out['outage_s']} s, first success {out['recovery_s']} s after; client refusals "
                         f"{out['refusals_seen_by_clients']}",
                         not out["problems"] and out["recovery_s"] is not None and out["recovery_s"] <= 30, out))

    if "webhooks" in only:
        from datetime import datetime, timezone

        from tests.conftest import FakeClock
        from tests.webhooks.webhook_receiver import Receiver

        url = fresh(args.database_url, work)
        rt = scenarios.make_runtime(url, webhook_allow_loopback=True)
        clock = FakeClock(datetime.now(timezone.utc).replace(microsecond=0))
        rt.clock = clock
        receiver = Receiver()
        try:
            out = scenarios.receiver_down_for_an_hour(rt, clock, receiver, events=args.events)
        finally:
            receiver.stop()
            rt.db.dispose()
        rows.append(("webhook receiver down 1 h (simulated)",
                     "every event delivered with its event id; none lost or failed",
                     f"{out['distinct_events_received']}/{out['events']} events received "
                     f"({out['duplicates_received']} duplicates); {out['attempts_while_down']} refused attempts while "
                     f"down ({out['third_attempt_inside_outage']} third attempts among them); delivered at attempt "
                     f"{out['delivered_by_attempt']}; the last {out['simulated_minutes_until_all_delivered']} simulated "
                     "min after the receiver came back", not out["problems"], out))

    if args.json:
        print(json.dumps([{"scenario": n, "target": tg, "measured": m, "pass": ok, "detail": o}
                          for n, tg, m, ok, o in rows], indent=2, default=str))
    else:
        print(f"\nload average {loadavg()}")
        for name, target, measured, ok, out in rows:
            print(f"\n{name}\n  target:   {target}\n  measured: {measured}\n  {'PASS' if ok else 'FAIL'}")
            for p in out.get("problems", []):
                print(f"  PROBLEM: {p}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
