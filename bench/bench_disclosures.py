"""Disclosure packs at portfolio scale (issue 18 targets: each pack ≤ 5 s).

1. Lease pack from stored runs: N leases × 120 months, both books, are computed with the engine and
   stored as runs + schedules in a fresh SQLite database (setup, not timed); then the timed part is
   ``services.disclosures.lease.lease_pack`` (load every current run and schedule of the entity, the
   ledger query, build, overrides, webhook) for a fiscal year, per standard, and the XLSX rendering.
2. Revenue pack: N contracts × 3 POs (bench_revenue_engine's generator), both books computed with the
   engine at the year end (setup, not timed); the timed part is ``build_revenue_pack`` for one book
   and for COMBINED. (Revenue runs are not stored yet: this is the pure-engine half of the target.)

    .venv/bin/python bench/bench_disclosures.py [--leases 10000] [--contracts 10000] [--period 2026]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from bench_lease_engine import generate as generate_leases
from bench_revenue_engine import generate as generate_contracts

from backend.db.ids import new_id
from backend.db.migrate import upgrade
from backend.db.session import Database
from backend.engine.disclosures import RevenueContractFacts, build_revenue_pack, parse_window
from backend.engine.leases import LeasePolicy, compute_schedules, parse_lease
from backend.engine.revenue import RevenuePolicy, parse_contract, recognise_books
from backend.services.disclosures.lease import lease_pack
from backend.services.disclosures.xlsx import pack_xlsx
from backend.services.leases import drafts as leases
from backend.services.leases.runs import NewRun, persist_runs
from backend.services.platform import tenancy
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.identity import authenticate
from backend.settings import Settings

TARGET_SECONDS = 5.0


def setup_leases(n: int, keep: str | None = None):
    path = Path(keep) if keep else Path(tempfile.mkdtemp()) / "bench.db"
    url = f"sqlite:///{path}"
    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789abcdefghij", _env_file=None)
    token_file = path.with_suffix(".token")
    if keep and path.exists() and token_file.exists():  # a database kept by an earlier run
        rt = Runtime(settings=settings, db=Database(url), secret_key=settings.secret_key)
        return rt, authenticate(rt, f"Bearer {token_file.read_text()}")
    upgrade(url)
    rt = Runtime(settings=settings, db=Database(url), secret_key=settings.secret_key)
    entity = {"code": "E1", "name": "Bench Co", "functional_currency": "USD", "enabled_standards": ["IFRS16", "ASC842"],
              "fiscal_year_end": "12-31"}
    boot = tenancy.create_account(rt, name="Bench", owner_name="B", owner_email="bench@x.com", entity=entity)
    actor: Actor = authenticate(rt, f"Bearer {boot.token}")
    if keep:
        token_file.write_text(boot.token)
    inputs = generate_leases(n, 120)
    policy = LeasePolicy.from_dict({"functional_currency": "USD"})
    with rt.db.session(actor.tenant_id, write=True) as s:
        ent = tenancy.get_entity_by_code(s, "E1")
        created = leases.create_drafts(s, actor, rt.clock(), ent, inputs, source="api")
        runs = []
        for lease, data in zip(created, inputs):
            for sched in compute_schedules(parse_lease(data), policy).values():
                rid = new_id()
                sched.run_id_given = rid
                runs.append(NewRun(lease, sched, rid, "INITIAL_RECOGNITION", sched.commencement_date, 1).prepare())
            if len(runs) >= 2000:
                persist_runs(s, actor.tenant_id, runs, job_id=None, actor_user_id=actor.user_id, now=rt.clock())
                runs = []
        persist_runs(s, actor.tenant_id, runs, job_id=None, actor_user_id=actor.user_id, now=rt.clock())
    return rt, actor


def bench_leases(n: int, period: str, keep: str | None = None) -> dict:
    t0 = time.perf_counter()
    rt, actor = setup_leases(n, keep)
    setup = time.perf_counter() - t0
    out = {"leases": n, "setup_seconds": round(setup, 1), "target_seconds": TARGET_SECONDS}
    for std in ("IFRS16", "ASC842"):
        t0 = time.perf_counter()
        res = lease_pack(rt, actor, entity="E1", period=period, standard=std)
        t_pack = time.perf_counter() - t0
        t0 = time.perf_counter()
        data = pack_xlsx(res.pack)
        t_xlsx = time.perf_counter() - t0
        out[std] = {"pack_seconds": round(t_pack, 2), "xlsx_seconds": round(t_xlsx, 2), "xlsx_bytes": len(data),
                    "lease_counts": res.pack["lease_counts"], "schedule_checks_ok": all(
                        c["ok"] for c in res.pack["checks"] if c["source"] == "schedules"),
                    "liability_closing": res.pack["maturity_analysis"]["lease_liability"]}
    return out


def bench_revenue(n: int, period: str) -> dict:
    w = parse_window(period)
    contracts = generate_contracts(n, 36)
    pol = RevenuePolicy(rpo_expedients=("right_to_invoice",))
    t0 = time.perf_counter()
    facts = []
    for k, data in enumerate(contracts):
        c = parse_contract(data)
        facts.append(RevenueContractFacts(f"C{k:05d}", c, recognise_books(c, pol, as_of=w.end_date),
                                          {"geography": ("EMEA", "Americas", "APAC")[k % 3]}))
    setup = time.perf_counter() - t0
    out = {"contracts": n, "engine_setup_seconds": round(setup, 1), "target_seconds": TARGET_SECONDS}
    currency = contracts[0]["currency"]
    for scope in ("IFRS15", "COMBINED"):
        t0 = time.perf_counter()
        pack = build_revenue_pack(facts, scope=scope, window=w, currency=currency, entity="E1")
        out[scope] = {"pack_seconds": round(time.perf_counter() - t0, 2), "checks_ok": pack["checks_ok"],
                      "contracts_in_pack": pack["contract_count"]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leases", type=int, default=10_000)
    ap.add_argument("--contracts", type=int, default=10_000)
    ap.add_argument("--period", default="2026")
    ap.add_argument("--skip", choices=["leases", "revenue"], default=None)
    ap.add_argument("--keep-db", default=None, help="keep (or reuse) the lease database at this path")
    args = ap.parse_args()
    out = {"date": date.today().isoformat()}
    if args.skip != "leases":
        out["lease_pack"] = bench_leases(args.leases, args.period, args.keep_db)
    if args.skip != "revenue":
        out["revenue_pack"] = bench_revenue(args.contracts, args.period)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
