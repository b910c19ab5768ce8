"""The fault scenarios, sized by the caller: tests/faults/ runs them small and asserts,
bench/bench_faults.py runs them large and prints target / measured / PASS-FAIL.

Each scenario returns a dict of measurements and a list of ``problems`` (empty = passed), so the
test and the benchmark judge by the same rules.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from backend.db.models import Job, JournalEntry, JournalLine, Lease, LeaseRun
from backend.db.session import Database
from backend.services.platform.context import Actor, Runtime
from backend.settings import Settings

from procs import child_env, sigkill, start_worker, stop, wait_for

SECRET = "fault-suite-secret-key-0123456789abcdefghij"
DONE = ("succeeded", "completed_with_failures", "failed", "dead")


def make_runtime(url: str, secret: str = SECRET, **settings) -> Runtime:
    s = Settings(database_url=url, secret_key=secret, worker_in_process=False, _env_file=None, **settings)
    return Runtime(settings=s, db=Database(url), secret_key=secret)


@dataclass
class Tenants:
    sandbox: Actor
    production: Actor
    token: str


def demo_tenants(rt: Runtime) -> Tenants:
    """The demo account (bootstrapped when the database is empty), an OWNER actor per tenant."""
    from backend.services.platform import admin, tenancy
    from backend.services.platform.identity import authenticate

    boot = tenancy.bootstrap_demo(rt)
    assert boot is not None, "the database is not empty"
    prod = admin.mint_token(rt, email="owner@demo.example", tenant_kind="production", name="faults")["token"]
    return Tenants(authenticate(rt, f"Bearer {boot.token}"), authenticate(rt, f"Bearer {prod}"), boot.token)


def lift_rate_limits(rt: Runtime) -> None:
    with rt.db.session(system=True, write=True) as s:
        s.execute(text("UPDATE tenants SET plan = 'enterprise', rate_limit_per_minute = 1000000"))


def lease_body(n: int, prefix: str) -> dict:
    """Deterministic office leases: the same n gives the same numbers in any tenant."""
    start_month = 1 + n % 6
    return {"entity": "DEMO-US", "external_id": f"{prefix}-{n:05d}", "description": "Office", "asset_class": "property",
            "currency": "USD", "commencement_date": f"2026-{start_month:02d}-01", "end_date": "2029-12-31",
            "payments": [{"from": f"2026-{start_month:02d}-01", "to": "2029-12-01", "amount": f"{4000 + 13 * n}.00",
                          "frequency": ("monthly", "quarterly")[n % 2], "timing": ("advance", "arrears")[n % 3 == 0],
                          "escalation": {"percent": "3", "every_months": 12}}],
            "discount_rate": "0.055", "useful_life_months": 120, "fair_value": "900000.00"}


def add_leases(rt: Runtime, actor: Actor, n: int, prefix: str) -> list[str]:
    from backend.services.leases import drafts
    from backend.services.platform.tenancy import get_entity_by_code

    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, "DEMO-US")
        made = drafts.create_drafts(s, actor, rt.clock(), entity, [lease_body(i, prefix) for i in range(n)],
                                    source="api")
        return [x.id for x in made]


def confirm(rt: Runtime, actor: Actor, ids: list[str], batch: int) -> list[str]:
    """Confirm in jobs of ``batch`` leases (several recognition jobs in flight); the job ids."""
    from backend.services.leases import drafts

    old, drafts.RECOGNITION_BATCH = drafts.RECOGNITION_BATCH, batch
    try:
        return drafts.confirm(rt, actor, ids)["job_ids"]
    finally:
        drafts.RECOGNITION_BATCH = old


def request_close(rt: Runtime, actor: Actor, period: str) -> list[str]:
    from backend.services.leases import close as _lease_source  # noqa: F401  (registers leases)
    from backend.services.ledger import close as ledger_close

    return ledger_close.request_close(rt, actor, "lease", "DEMO-US", period, None)["job_ids"]


def drain(rt: Runtime) -> int:
    from backend.jobs.worker import Worker

    worker, done = Worker(rt, worker_id="faults-drain", concurrency=1, schedule_housekeeping=False), 0
    while (n := worker.run_once()):
        done += n
    return done


def jobs(rt: Runtime, ids: list[str]) -> dict[str, Job]:
    with rt.db.session(system=True) as s:
        return {j.id: j for j in s.scalars(select(Job).where(Job.id.in_(ids)))}


def all_done(rt: Runtime, ids: list[str]) -> bool:
    rows = jobs(rt, ids)
    return len(rows) == len(ids) and all(j.status in DONE for j in rows.values())


def ledger_snapshot(rt: Runtime, tenant_id: str) -> dict:
    """What the ledger holds for a tenant, comparable across tenants (no ids): runs, duplicate runs,
    journal entries and debits per (operation, standard, period, event), unbalanced entries."""
    with rt.db.session(system=True) as s:
        je, jl, lr = JournalEntry, JournalLine, LeaseRun
        runs = s.scalar(select(func.count()).select_from(lr).where(lr.tenant_id == tenant_id,
                                                                     lr.run_type == "INITIAL_RECOGNITION"))
        dup_runs = s.scalar(select(func.count()).select_from(
            select(lr.lease_id, lr.standard).where(lr.tenant_id == tenant_id, lr.run_type == "INITIAL_RECOGNITION")
            .group_by(lr.lease_id, lr.standard).having(func.count() > 1).subquery()))
        entries = {(op, std, period, event): (int(n), int(total)) for op, std, period, event, n, total in s.execute(
            select(je.source_operation, je.standard, je.period, je.event, func.count(), func.sum(je.total_debit_minor))
            .where(je.tenant_id == tenant_id).group_by(je.source_operation, je.standard, je.period, je.event))}
        unbalanced = s.scalar(select(func.count()).select_from(
            select(jl.entry_id).where(jl.tenant_id == tenant_id).group_by(jl.entry_id)
            .having(func.sum(jl.debit_minor) != func.sum(jl.credit_minor)).subquery()))
        leases = s.scalar(select(func.count()).select_from(Lease).where(Lease.tenant_id == tenant_id))
    return {"leases": leases, "runs": runs, "duplicate_runs": dup_runs, "entries": entries,
            "entry_count": sum(n for n, _ in entries.values()), "unbalanced": unbalanced}


def compare(ref: dict, got: dict) -> list[str]:
    problems = []
    for key in ("leases", "runs", "entry_count"):
        if ref[key] != got[key]:
            problems.append(f"{key}: clean run {ref[key]}, faulted run {got[key]}")
    if got["duplicate_runs"]:
        problems.append(f"{got['duplicate_runs']} lease × standard with more than one INITIAL_RECOGNITION run")
    if got["unbalanced"]:
        problems.append(f"{got['unbalanced']} unbalanced journal entries")
    diff = sorted(k for k in set(ref["entries"]) | set(got["entries"]) if ref["entries"].get(k) != got["entries"].get(k))
    if diff:
        problems.append(f"journals differ from the clean run in {len(diff)} groups, e.g. "
                        + "; ".join(f"{k}: {ref['entries'].get(k)} vs {got['entries'].get(k)}" for k in diff[:3]))
    return problems


def _marker_lines(path: Path) -> list[list[str]]:
    return [ln.split() for ln in path.read_text().splitlines()] if path.exists() else []


# ------------------------------------------------------------------ (a) SIGKILL mid-recognition and mid-close

def sigkill_mid_work(rt: Runtime, db_url: str, workdir: Path, *, leases: int, recognition_batch: int,
                     close_batch: int, period: str = "2026-06", lease_seconds: float = 2.0,
                     timeout: float = 120.0) -> dict:
    """Clean reference in the production tenant (in-process worker); the same leases in the sandbox
    through real worker processes, one SIGKILLed inside a recognition write transaction and one
    after the first committed batch of a close. The ledgers must be equal."""
    t = demo_tenants(rt)
    ref_ids = add_leases(rt, t.production, leases, "L")
    confirm(rt, t.production, ref_ids, recognition_batch)
    drain(rt)
    request_close(rt, t.production, period)
    drain(rt)
    ref = ledger_snapshot(rt, t.production.tenant_id)

    env = child_env(db_url, rt.secret_key)
    ids = add_leases(rt, t.sandbox, leases, "L")
    rec_jobs = confirm(rt, t.sandbox, ids, recognition_batch)
    out: dict = {"leases": leases, "recognition_jobs": len(rec_jobs)}
    problems: list[str] = []
    workers = []
    try:
        # Recognition: the hooked worker lets the first job commit (when there are several) and dies in the next.
        marker = workdir / "recognition.marker"
        after = 1 if len(rec_jobs) > 1 else 0
        w = start_worker({**env, "FAULT_MARKER": str(marker), "FAULT_POINT": "recognition", "FAULT_AFTER": str(after)},
                         workdir / "w-recognition-killed.log", lease_seconds=lease_seconds, imports=("fault_hooks",))
        workers.append(w)
        wait_for(lambda: len(_marker_lines(marker)) > after, timeout, "a worker to be inside a recognition write")
        sigkill(w)
        killed = time.monotonic()
        in_flight = [j for j in jobs(rt, rec_jobs).values() if j.status == "running"]
        out["recognition_in_flight_at_kill"] = len(in_flight)
        w2 = start_worker(env, workdir / "w-recovery-1.log", lease_seconds=lease_seconds)
        workers.append(w2)
        wait_for(lambda: all_done(rt, rec_jobs), timeout, "the recognition jobs to finish after the kill")
        out["recognition_recovery_s"] = round(time.monotonic() - killed, 2)
        stop(w2)

        close_jobs = request_close(rt, t.sandbox, period)
        marker = workdir / "close.marker"
        w3 = start_worker({**env, "FAULT_MARKER": str(marker), "FAULT_POINT": "close",
                           "FAULT_CLOSE_BATCH": str(close_batch)}, workdir / "w-close-killed.log",
                          lease_seconds=lease_seconds, imports=("fault_hooks",))
        workers.append(w3)
        wait_for(lambda: _marker_lines(marker), timeout, "a worker to be between two close batches")
        sigkill(w3)
        killed = time.monotonic()
        with rt.db.session(system=True) as s:
            out["close_entries_committed_at_kill"] = s.scalar(select(func.count()).select_from(JournalEntry).where(
                JournalEntry.tenant_id == t.sandbox.tenant_id, JournalEntry.source_operation == "monthly_close"))
        w4 = start_worker(env, workdir / "w-recovery-2.log", lease_seconds=lease_seconds)
        workers.append(w4)
        wait_for(lambda: all_done(rt, close_jobs), timeout, "the close jobs to finish after the kill")
        out["close_recovery_s"] = round(time.monotonic() - killed, 2)
        stop(w4)
    finally:
        for w in workers:
            stop(w)

    got = ledger_snapshot(rt, t.sandbox.tenant_id)
    problems += compare(ref, got)
    rows = jobs(rt, rec_jobs + close_jobs)
    statuses = Counter(j.status for j in rows.values())
    out["jobs"] = dict(statuses)
    out["jobs_rerun"] = sum(1 for j in rows.values() if j.attempts > 1)
    if statuses != Counter({"succeeded": len(rows)}):
        problems.append(f"jobs not all succeeded: {dict(statuses)}")
    if out["recognition_in_flight_at_kill"] < 1:
        problems.append("no recognition job was in flight when the worker was killed (the test proved nothing)")
    if out["jobs_rerun"] < 2:
        problems.append(f"expected the two killed jobs to run a second time, {out['jobs_rerun']} did")
    out.update(runs=got["runs"], entries=got["entry_count"], reference_entries=ref["entry_count"],
               problems=problems)
    return out


def paused_worker_resumes_mid_recognition(rt: Runtime, db_url: str, workdir: Path, *, leases: int,
                                          lease_seconds: float = 2.0, timeout: float = 120.0) -> dict:
    """A worker frozen (SIGSTOP) inside its recognition write transaction past its lease — a VM
    pause, a stalled process — while another worker re-runs the job; then it resumes (SIGCONT) and
    commits. Its late commit must not add a second set of runs and commencement journals: the
    outcome is fenced by the job lease, but the writes before it are only safe if the two
    transactions cannot both decide the runs are missing. PostgreSQL only (SQLite's write lock
    already serialises them: the second worker cannot even claim while the first holds it)."""
    import os
    import signal

    t = demo_tenants(rt)
    ref_ids = add_leases(rt, t.production, leases, "Z")
    confirm(rt, t.production, ref_ids, leases)
    drain(rt)
    ref = ledger_snapshot(rt, t.production.tenant_id)
    env = child_env(db_url, rt.secret_key)
    ids = add_leases(rt, t.sandbox, leases, "Z")
    (job_id,) = confirm(rt, t.sandbox, ids, leases)
    marker = workdir / "paused.marker"
    a = b = None
    out: dict = {"leases": leases}
    try:
        a = start_worker({**env, "FAULT_MARKER": str(marker), "FAULT_POINT": "recognition", "FAULT_HOLD": "2"},
                         workdir / "w-paused.log", lease_seconds=lease_seconds, imports=("fault_hooks",))
        wait_for(lambda: _marker_lines(marker), timeout, "the worker to be inside its recognition write")
        os.killpg(a.pid, signal.SIGSTOP)
        b = start_worker(env, workdir / "w-second.log", lease_seconds=lease_seconds)
        wait_for(lambda: jobs(rt, [job_id])[job_id].attempts >= 2, timeout, "the second worker to re-claim the job")
        try:  # without serialisation the second worker finishes here; with it, it waits for the first
            wait_for(lambda: jobs(rt, [job_id])[job_id].status == "succeeded", 8.0, "")
            out["second_finished_while_first_paused"] = True
        except AssertionError:
            out["second_finished_while_first_paused"] = False
        os.killpg(a.pid, signal.SIGCONT)
        wait_for(lambda: all_done(rt, [job_id]), timeout, "the job to finish")
        wait_for(lambda: "lease lost" in (workdir / "w-paused.log").read_text(), timeout,
                 "the resumed worker to find its lease lost")
    finally:
        if a is not None and a.returncode is None:
            try:
                os.killpg(a.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        stop(a)
        stop(b)
    got = ledger_snapshot(rt, t.sandbox.tenant_id)
    row = jobs(rt, [job_id])[job_id]
    out.update(job=(row.status, row.attempts), runs=got["runs"], reference_runs=ref["runs"],
               entries=got["entry_count"], reference_entries=ref["entry_count"], problems=compare(ref, got))
    if row.status != "succeeded":
        out["problems"].append(f"the job ended {row.status}")
    return out


# ------------------------------------------------------------------ (b) PostgreSQL crash + restart under load

def pg_restart_under_load(workdir: Path, *, clients: int, leases_per_client: int, down_seconds: float = 2.0,
                          lease_seconds: float = 5.0, timeout: float = 180.0) -> dict:
    """A private PostgreSQL cluster, one API process and one worker process; ``clients`` threads create
    leases with Idempotency-Keys (retrying the same key on any non-2xx, as a careful client does)
    and confirm them; the cluster is crashed (immediate shutdown) and restarted mid-way. The app is
    not restarted. Every acknowledged write must be there, once; every job must finish."""
    import httpx

    from backend.db.migrate import upgrade
    from procs import PrivatePostgres, free_port, start_api, wait_http

    pg = PrivatePostgres().init()
    api = worker = None
    out: dict = {"clients": clients, "leases_per_client": leases_per_client}
    problems: list[str] = []
    try:
        upgrade(pg.url)
        rt = make_runtime(pg.url)
        t = demo_tenants(rt)
        lift_rate_limits(rt)
        env = child_env(pg.url, SECRET)
        port = free_port()
        api = start_api(env, workdir / "api.log", port)
        worker = start_worker(env, workdir / "worker.log", lease_seconds=lease_seconds, poll=0.2)
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/v1/health")
        headers = {"Authorization": f"Bearer {t.token}"}

        acked: list[dict] = []
        confirmed: list[str] = []
        ok_times: list[float] = []
        refusals: Counter = Counter()
        lock = threading.Lock()
        half = threading.Event()
        total = clients * leases_per_client

        def send(http: httpx.Client, method: str, path: str, key: str, body: dict) -> dict | None:
            deadline = time.monotonic() + timeout / 2
            while time.monotonic() < deadline:
                try:
                    r = http.request(method, base + path, json=body, headers={**headers, "Idempotency-Key": key})
                    status = r.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                if isinstance(status, int) and 200 <= status < 300:
                    with lock:
                        ok_times.append(time.monotonic())
                    return r.json()
                with lock:
                    refusals[str(status)] += 1
                time.sleep(0.2)
            return None

        def client(c: int) -> None:
            mine: list[str] = []
            with httpx.Client(timeout=30) as http:
                for i in range(leases_per_client):
                    n = c * leases_per_client + i
                    got = send(http, "POST", "/v1/leases", f"create-{n}", lease_body(n, "R"))
                    if got:
                        with lock:
                            acked.append({"id": got["id"], "n": n})
                            if len(acked) >= total // 2:
                                half.set()
                        mine.append(got["id"])
                    if len(mine) == 5 or i == leases_per_client - 1:
                        res = send(http, "POST", "/v1/leases/confirm", f"confirm-{c}-{i}", {"lease_ids": mine})
                        if res:
                            with lock:
                                confirmed.extend(x["lease_id"] for x in res["results"]
                                                 if x["status"] in ("confirmed", "already_confirmed"))
                        mine = []

        threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
        started = time.monotonic()
        for th in threads:
            th.start()
        half.wait(timeout)
        crashing = time.monotonic()
        pg.crash()
        out["crash_s"] = round(time.monotonic() - crashing, 2)  # pg_ctl stop -m immediate, until the postmaster exits
        time.sleep(down_seconds)
        pg.start()
        up = time.monotonic()
        out["outage_s"] = round(up - crashing, 2)
        for th in threads:
            th.join(timeout)
        out["client_seconds"] = round(time.monotonic() - started, 1)
        after = [x for x in ok_times if x > up]
        out["recovery_s"] = round(min(after) - up, 2) if after else None
        out["refusals_seen_by_clients"] = dict(refusals)
        if out["recovery_s"] is None:
            problems.append("no request succeeded after the database came back")
        # During the outage the API says so (503 database_unavailable with Retry-After), never a bare 500.
        if refusals.get("500"):
            problems.append(f"{refusals['500']} requests got 500 during the outage instead of 503")

        close = send(httpx.Client(timeout=30), "POST", "/v1/engine/monthly-close", "close-1",
                     {"entity": "DEMO-US", "period": "2026-06"})
        out["acknowledged_creates"] = len(acked)
        out["acknowledged_confirms"] = len(confirmed)
        if len(acked) != total:
            problems.append(f"{total - len(acked)} of {total} creates were never acknowledged (retried with the same "
                            f"key until the deadline); refusals {dict(refusals)}")
        if close is None:
            problems.append("the close was not acknowledged")

        with rt.db.session(system=True) as s:
            job_ids = list(s.scalars(select(Job.id).where(Job.tenant_id == t.sandbox.tenant_id)))
        wait_for(lambda: all_done(rt, job_ids), timeout, "every job to finish after the restart")
        rows = jobs(rt, job_ids)
        out["jobs"] = dict(Counter(j.status for j in rows.values()))
        out["jobs_rerun"] = sum(1 for j in rows.values() if j.attempts > 1)
        if any(j.status != "succeeded" for j in rows.values()):
            problems.append(f"jobs not all succeeded: {out['jobs']}")

        with rt.db.session(system=True) as s:
            stored = dict(s.execute(select(Lease.id, Lease.status).where(Lease.tenant_id == t.sandbox.tenant_id)).all())
            per_ext = Counter(s.scalars(select(Lease.external_id).where(Lease.tenant_id == t.sandbox.tenant_id)))
        lost = [a["id"] for a in acked if a["id"] not in stored]
        unconfirmed = [i for i in confirmed if stored.get(i) != "confirmed"]
        dups = [e for e, k in per_ext.items() if k > 1]
        if lost:
            problems.append(f"{len(lost)} acknowledged leases are missing")
        if unconfirmed:
            problems.append(f"{len(unconfirmed)} acknowledged confirms are not confirmed")
        if dups:
            problems.append(f"{len(dups)} leases exist more than once for one idempotency key")
        if len(stored) != len(acked):
            problems.append(f"{len(stored)} leases stored, {len(acked)} acknowledged")
        snap = ledger_snapshot(rt, t.sandbox.tenant_id)
        out.update(leases_stored=len(stored), runs=snap["runs"], entries=snap["entry_count"])
        if snap["duplicate_runs"] or snap["unbalanced"]:
            problems.append(f"duplicate runs {snap['duplicate_runs']}, unbalanced entries {snap['unbalanced']}")
        if snap["runs"] != 2 * len(set(confirmed)):
            problems.append(f"{snap['runs']} recognition runs for {len(set(confirmed))} confirmed leases × 2 books")
        rt.db.dispose()
    finally:
        stop(api)
        stop(worker)
        pg.destroy(keep_log=workdir / "postgres.log")
    out["problems"] = problems
    return out


# ------------------------------------------------------------------ (c) webhook receiver down for an hour

def receiver_down_for_an_hour(rt: Runtime, clock, receiver, *, events: int, step_minutes: int = 1,
                              down_minutes: int = 60) -> dict:
    """Events are emitted while the receiver refuses connections; simulated time runs in
    ``step_minutes`` steps (the worker polls at each) for ``down_minutes``; then the receiver comes
    back and time runs on until nothing is pending. Each event must reach the receiver (with its
    event id as webhook-id), exactly one delivery per event must be ``delivered``, none failed."""
    from datetime import timedelta

    from backend.db.models import WebhookAttempt, WebhookDelivery
    from backend.jobs.worker import Worker
    from backend.services.webhooks import endpoints as endpoint_service
    from backend.webhooks.outbox import emit

    t = demo_tenants(rt)
    endpoint_service.create_endpoint(rt, t.sandbox, url=receiver.url, event_types=["journal.approved"],
                                     description="faults")
    receiver.stop()  # connection refused from now on
    went_down = clock()
    worker = Worker(rt, worker_id="faults-webhooks", schedule_housekeeping=False, concurrency=4)

    def run_due() -> int:
        n = 0
        while (k := worker.run_once()):
            n += k
        return n

    # Events arrive over the first ten minutes of the outage, the worker running as they come:
    # the early ones' third attempt (+1 h ± 10 %) falls inside the outage, the late ones' after it.
    ids = []
    per_minute = max(1, events // 10)
    while len(ids) < events:
        for _ in range(min(per_minute, events - len(ids))):
            i = len(ids)
            with rt.db.session(t.sandbox.tenant_id, write=True) as s:
                ids.append(emit(s, {"user_id": t.sandbox.user_id, "actor_kind": "human"},
                                tenant_id=t.sandbox.tenant_id, event_type="journal.approved",
                                data={"id": f"JE-{i}", "status": "approved"}, now=clock(), request_id=f"req-{i}"))
        run_due()
        clock.advance(minutes=step_minutes)

    while clock() < went_down + timedelta(minutes=down_minutes):
        run_due()
        clock.advance(minutes=step_minutes)
    with rt.db.session(system=True) as s:
        during = Counter(s.scalars(select(WebhookDelivery.status)))
        attempts_down = s.scalar(select(func.count()).select_from(WebhookAttempt))
        third_inside = s.scalar(select(func.count()).select_from(WebhookAttempt).where(WebhookAttempt.attempt_no == 3))
    receiver.start()  # back on the same port
    up_at = clock()
    horizon = up_at + timedelta(hours=30)
    while clock() < horizon:
        run_due()
        with rt.db.session(system=True) as s:
            if not s.scalar(select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending")):
                break
        clock.advance(minutes=step_minutes * 5)
    resumed = clock() - up_at
    with rt.db.session(system=True) as s:
        final = Counter(s.scalars(select(WebhookDelivery.status)))
        by_attempt = Counter(s.scalars(select(WebhookDelivery.attempts).where(WebhookDelivery.status == "delivered")))
    got = Counter(r.headers.get("webhook-id") for r in receiver.requests)
    problems = []
    if final != Counter({"delivered": events}):
        problems.append(f"deliveries at the end: {dict(final)}")
    missing = [e for e in ids if got[e] == 0]
    if missing:
        problems.append(f"{len(missing)} events never reached the receiver")
    if set(got) - set(ids):
        problems.append("the receiver got ids that are not event ids")
    if during.get("pending", 0) != events:
        problems.append(f"during the outage deliveries should all be pending, were {dict(during)}")
    return {"events": events, "attempts_while_down": attempts_down, "third_attempt_inside_outage": third_inside, "pending_while_down": during.get("pending", 0),
            "requests_received": len(receiver.requests), "distinct_events_received": len(got),
            "duplicates_received": sum(k - 1 for k in got.values() if k > 1),
            "simulated_minutes_until_all_delivered": int(resumed.total_seconds() // 60),
            "delivered_by_attempt": dict(sorted(by_attempt.items())), "problems": problems}
