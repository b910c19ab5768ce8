"""Benchmark: N generated leases x 120 months, both books (IFRS 16 and ASC 842), in-process.

Usage: .venv/bin/python bench/bench_lease_engine.py [--leases N] [--workers W] [--months M] [--json]

Measures compute only (parse -> compute_schedules for both books); lease generation is
done before the clock starts. Reports wall seconds for a single process and for W worker
processes (the engine is pure, so leases split cleanly), peak traced Python memory of the
single-process run (tracemalloc, measured in a separate pass because tracing slows the
run) and the peak RSS of the process (resource.getrusage). Target: <= 5 s for 10,000
leases on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import date
from multiprocessing import get_context

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from backend.engine.calendar import add_months  # noqa: E402
from backend.engine.leases import LeasePolicy, compute_schedules, parse_lease  # noqa: E402

FREQ = [("monthly", 1), ("quarterly", 3), ("semiannual", 6), ("annual", 12)]


def generate(n: int, months: int, seed: int = 842) -> list[dict]:
    """Deterministic mix: every frequency, advance/arrears, escalations, mid-month starts,
    IDC/incentives, both rate conventions, some purchase options and RVGs."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        y, m = rng.randint(2020, 2026), rng.randint(1, 12)
        day = 1 if rng.random() < 0.7 else rng.randint(2, 28)
        start = date(y, m, day)
        # the day before the 120th monthly anniversary (month-end starts stay on month ends)
        end = date.fromordinal(add_months(start, months).toordinal() - 1)
        freq, step = FREQ[rng.choice([0, 0, 0, 1, 1, 3])]
        stream = {"from": start.isoformat(), "to": end.isoformat(), "amount": str(rng.randint(500, 50000)),
                  "frequency": freq, "timing": "advance" if rng.random() < 0.6 else "arrears"}
        if rng.random() < 0.5:
            stream["escalation"] = {"percent": str(rng.choice([2, 3, 5])), "every_months": 12}
        lease = {
            "entity": "E1", "external_id": f"L{i:05d}", "asset_class": rng.choice(["building", "vehicle", "it"]),
            "currency": "USD", "commencement_date": start.isoformat(), "end_date": end.isoformat(),
            "payments": [stream], "discount_rate": f"0.0{rng.randint(2, 9)}{rng.randint(0, 9)}",
            "rate_convention": rng.choice(["nominal", "effective"]),
            "initial_direct_costs": str(rng.choice([0, 0, 1000, 5000])),
            "lease_incentives_received": str(rng.choice([0, 0, 2000])),
            "useful_life_months": rng.choice([None, 180, 240]),
            "economic_life_months": rng.choice([180, 240, 480]), "fair_value": str(rng.randint(100000, 5000000)),
            "specialized_asset": False,
        }
        if rng.random() < 0.1:
            lease["residual_value_guarantee"] = {"guaranteed_amount": "10000", "expected_residual_value": "6000"}
        if rng.random() < 0.1:
            lease["purchase_option"] = {"price": "50000", "reasonably_certain": rng.random() < 0.5}
        out.append(lease)
    return out


def run_batch(leases: list[dict], keep: list | None = None) -> int:
    policy = LeasePolicy()
    rows = 0
    for data in leases:
        scheds = compute_schedules(parse_lease(data), policy, ("IFRS16", "ASC842"))
        for s in scheds.values():
            rows += len(s.periods_keys)
        if keep is not None:
            keep.append(scheds)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leases", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="keep every schedule in memory during the single-process run (peak RSS then "
                         "includes all results)")
    a = ap.parse_args()
    leases = generate(a.leases, a.months)

    kept: list | None = [] if a.keep else None
    t0, c0 = time.perf_counter(), time.process_time()
    rows = run_batch(leases, kept)
    single = time.perf_counter() - t0
    single_cpu = time.process_time() - c0
    rss_single_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del kept

    ctx = get_context("fork")
    chunks = [leases[i::a.workers] for i in range(a.workers)]
    t0 = time.perf_counter()
    with ctx.Pool(a.workers) as pool:
        prow = sum(pool.map(run_batch, chunks))
    parallel = time.perf_counter() - t0
    assert prow == rows

    sample = leases[: max(1, min(len(leases), 200))]
    tracemalloc.start()
    run_batch(sample)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    result = {
        "leases": a.leases, "months": a.months, "books": 2, "schedule_rows": rows,
        "single_process_seconds": round(single, 3), "single_process_cpu_seconds": round(single_cpu, 3),
        "workers": a.workers,
        "parallel_seconds": round(parallel, 3),
        "tracemalloc_peak_mib_200_leases": round(peak / 2**20, 2),
        "peak_rss_mib_single_process": round(rss_single_kib / 1024, 1), "results_kept": a.keep,
        "cpus": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if a.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:40s} {v}")
        print(f"{'target (<= 5 s on 2 cores)':40s} {'met' if parallel <= 5 else 'NOT met'} (parallel)")


if __name__ == "__main__":
    main()
