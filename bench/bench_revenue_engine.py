"""Benchmark: N generated revenue contracts x 3 POs x 36 months, both books (IFRS 15, ASC 606), in-process.

Usage: .venv/bin/python bench/bench_revenue_engine.py [--contracts N] [--workers W] [--months M] [--json]

Measures compute only (parse_contract -> recognise_books for both books, periods, balances and RPO);
contract generation happens before the clock starts; to_dict/JSON and postings are not timed.
Reports wall seconds for one process and for W forked worker processes (the engine is pure, so
contracts split cleanly), and the CPU seconds the workers used: on a shared machine the wall time
includes waiting for other people's processes, the CPU time does not. Target (issue 16): <= 5 s for 10,000 contracts on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from multiprocessing import get_context

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from backend.engine.calendar import add_months  # noqa: E402
from backend.engine.revenue import RevenuePolicy, parse_contract, recognise_books  # noqa: E402

TARGET_SECONDS = 5.0


def generate(n: int, months: int, seed: int = 606) -> list[dict]:
    """Deterministic mix per contract: a ratable subscription over the term, an implementation
    service measured by cost progress, and a point-in-time item; monthly billing; mid-month
    starts; some variable consideration (constrained), some discounts allocated to a subset."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = date(rng.randint(2021, 2025), rng.randint(1, 12), 1 if rng.random() < 0.7 else rng.randint(2, 28))
        end = add_months(start, months, sticky_month_end=False) - timedelta(days=1)
        sub, svc, hw = rng.randint(10, 200) * 360, rng.randint(5, 50) * 1000, rng.randint(1, 30) * 100
        total = sub + svc + hw
        fixed = total - rng.choice([0, 0, total // 10])
        pct = [{"date": add_months(start, m).isoformat(), "costs_incurred_to_date": str(c),
                "total_expected_costs": "1000"} for m, c in ((2, 250), (5, 600), (8, 1000))]
        bill = [{"date": add_months(start, m).isoformat(), "amount": str(fixed // months)} for m in range(months - 1)]
        bill.append({"date": add_months(start, months - 1).isoformat(), "amount": str(fixed - fixed // months * (months - 1))})
        tp: dict = {"fixed": str(fixed)}
        if rng.random() < 0.3:
            tp["variable"] = {"type": "usage_bonus", "method": "expected_value",
                              "outcomes": [{"amount": "0", "probability": "0.4"}, {"amount": "5000", "probability": "0.6"}],
                              "included": "2000", "constraint_reason": "limited experience (32-12(c))"}
        c = {"entity": "E1", "external_id": f"R{i:05d}", "customer": f"C{i % 997}", "currency": "USD",
             "start_date": start.isoformat(), "transaction_price": tp, "billing": bill,
             "performance_obligations": [
                 {"id": "subscription", "pattern": "ratable", "ssp_method": "observable", "ssp": str(sub),
                  "start_date": start.isoformat(), "end_date": end.isoformat()},
                 {"id": "implementation", "pattern": "percent_complete", "ssp_method": "expected_cost_plus_margin",
                  "ssp": str(svc), "progress": pct},
                 {"id": "hardware", "pattern": "point_in_time", "ssp_method": "observable", "ssp": str(hw),
                  "delivered_date": add_months(start, 1).isoformat()}]}
        if fixed < total and "variable" not in tp and rng.random() < 0.3:
            c["discount_allocation"] = {"po_ids": ["subscription", "implementation"],
                                        "rationale": "bundle regularly sold at this discount"}
        out.append(c)
    return out


def run_batch(contracts: list[dict]) -> int:
    pols = [RevenuePolicy(ratable_convention="daily"), RevenuePolicy(ratable_convention="monthly")]
    rows = 0
    for k, data in enumerate(contracts):
        c = parse_contract(data)
        pol = pols[k % 2]
        for r in recognise_books(c, pol, ("IFRS15", "ASC606")).values():
            rows += len(r.columns.keys)
    return rows


_SHARED: list[dict] = []  # set before the fork: workers read their slice without pickling it


def run_slice(k: int, step: int) -> int:
    return run_batch(_SHARED[k::step])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contracts", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    contracts = generate(a.contracts, a.months)

    t0, c0 = time.perf_counter(), time.process_time()
    rows = run_batch(contracts)
    single, single_cpu = time.perf_counter() - t0, time.process_time() - c0

    ctx = get_context("fork")
    _SHARED[:] = contracts
    t0 = time.perf_counter()
    ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ctx.Pool(a.workers) as pool:
        prow = sum(pool.starmap(run_slice, [(k, a.workers) for k in range(a.workers)]))
    parallel = time.perf_counter() - t0
    ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (ch1.ru_utime + ch1.ru_stime) - (ch0.ru_utime + ch0.ru_stime)
    assert prow == rows

    result = {"contracts": a.contracts, "pos_per_contract": 3, "months": a.months, "books": 2, "period_rows": rows,
              "single_process_seconds": round(single, 3), "single_process_cpu_seconds": round(single_cpu, 3),
              "workers": a.workers, "parallel_seconds": round(parallel, 3),
              "parallel_cpu_seconds_all_workers": round(child_cpu, 3), "target_seconds": TARGET_SECONDS,
              "result": "PASS" if parallel <= TARGET_SECONDS else "FAIL",
              "cpus": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 2)}
    if a.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:32s} {v}")


if __name__ == "__main__":
    main()
