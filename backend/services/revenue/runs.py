"""Revenue engine runs: compute (replay of the stored input, policy snapshot, SSP matrix and
events), persist immutable runs with lineage, route late entries, and the dead-letter queue.

Every run is written with the policy snapshot version and SSP matrix version it used. A new run
supersedes the contract's current run per standard; journals are written for the difference
only: periods the old run already posted (or that are locked) become ONE cumulative catch-up
entry in the first open period (``engine.routing.route_entries``), and the close posts the new
run's postings for every later period. Locked periods are never written.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from sqlalchemy import select, update

from backend.db.dialect import lock_rows
from backend.db.ids import new_id
from backend.db.models import (
    Entity,
    JournalEntry,
    RevenueContract,
    RevenueDeadLetter,
    RevenueRun,
)
from backend.engine.errors import EngineError
from backend.engine.revenue import (
    RevenueResult,
    parse_contract,
    parse_event,
    period_postings,
    recognise_books,
)
from backend.engine.routing import PeriodLocks, route_entries
from backend.services.ledger.locks import load_locks
from backend.services.ledger.writer import Provenance, write_entries_many
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput, NotFound
from backend.services.platform.pagination import Page, SortSpec, paginate
from backend.services.revenue.config import (
    BOOKS,
    PolicyRecord,
    current_policy,
    load_ssp,
    policy_version,
)
from backend.services.revenue.stored import (
    StoredResult,
    encode_columns,
    moving_periods,
    result_summary,
)
from backend.webhooks.outbox import emit_many, wants

SOURCE_TYPE = "revenue_contract"
CATCH_UP_EVENT = "revenue.catch_up"


@dataclass
class Inputs:
    """What one replay needs, loaded once per entity (policy, SSP matrix) and per contract."""

    policy: PolicyRecord
    ssp_version: int
    ssp_rows: list[dict]
    _ssp_json: str | None = None

    @classmethod
    def load(cls, s, entity: Entity) -> Inputs:
        v, rows = load_ssp(s, entity.id)
        return cls(current_policy(s, entity), v, rows)

    def hash_of(self, data: dict, events: list[dict]) -> str:
        if self._ssp_json is None:
            self._ssp_json = json.dumps([self.policy.data, self.ssp_rows], sort_keys=True, default=str)
        body = json.dumps([data, events], sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256((self._ssp_json + body).encode()).hexdigest()


def engine_input(contract: RevenueContract, entity: Entity) -> dict:
    return {**contract.data, "entity": contract.data.get("entity") or entity.code}


def compute(contract: RevenueContract, entity: Entity, inputs: Inputs, standards, events: list[dict],
            as_of: date | None = None) -> dict[str, RevenueResult]:
    """Replay the contract under ``standards``; raises ``EngineError`` (incl. invalid input). An input
    the engine's parsers do not anticipate (a wrong JSON type deep inside) is an ``EngineError``
    too, so it lands in the dead-letter queue or a 422 rather than a crash."""
    try:
        c = parse_contract(engine_input(contract, entity))
        evs = [parse_event(e, c.currency) for e in events]
        rows = ssp_rows_for(inputs.ssp_rows, contract.data.get("dimensions"))
        return recognise_books(c, inputs.policy.policy, tuple(standards), rows, as_of, evs)
    except EngineError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as exc:
        raise EngineError("unprocessable_revenue_input", f"The engine could not read the input ({type(exc).__name__}: "
                          f"{str(exc)[:200]}).", details={"exception": type(exc).__name__}) from None


def ssp_rows_for(rows: list[dict], dims: dict | None) -> list[dict]:
    """The SSP matrix rows that apply to a contract: for a SKU with rows for the contract's
    dimensions (region, customer class, …; every dimension of the row must match), those rows;
    otherwise its rows without dimensions. Rows for other dimension values never apply."""
    if not any("dimensions" in r for r in rows):
        return rows
    dims = dims if isinstance(dims, dict) else {}
    match = [r for r in rows if r.get("dimensions") and all(dims.get(k) == v for k, v in r["dimensions"].items())]
    skus = {(r["sku"], r["currency"]) for r in match}
    return match + [r for r in rows if not r.get("dimensions") and (r["sku"], r["currency"]) not in skus]


@dataclass
class NewRun:
    contract: RevenueContract
    result: RevenueResult
    run_id: str
    run_type: str
    effective_date: date
    inputs: Inputs
    supersedes: RevenueRun | None = None
    entries: list = field(default_factory=list)
    caught_up: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)
    inputs_hash: str = ""  # SHA-256 of the stored inputs (contract, policy snapshot, SSP rows, events)
    row: dict | None = None  # rendered by run_row before the write transaction


def _old_posted(s, old: RevenueRun | None) -> set[str]:
    """Periods whose effect the old run already has in the ledger (close entries or its catch-up)."""
    if old is None:
        return set()
    periods = set(s.scalars(select(JournalEntry.period).where(
        JournalEntry.run_id == old.id, JournalEntry.event == "revenue.period",
        JournalEntry.status != "void").distinct()))
    return periods | set(old.summary.get("caught_up_periods") or ())


def plan(s, new: NewRun, locks: PeriodLocks) -> NewRun:
    """Entries to write now for the new run (catch-up only) and the periods the close will post."""
    r = new.result
    keys = list(r.columns.keys)
    old = new.supersedes
    old_posted = _old_posted(s, old)
    old_res = StoredResult.of_run(old) if old is not None else None
    entries, caught = route_entries(
        r.standard, locks, keys, partial(_live_postings, r), [], window=old_posted,
        old_posted=old_posted, replaced_postings_for=old_res.postings if old_res else None,
        catch_up_event=CATCH_UP_EVENT)
    new.entries, new.caught_up = entries, caught
    skip = set(caught)
    new.posts = [p for p in moving_periods(r) if p not in skip]
    return new


def _live_postings(r: RevenueResult, period: str):
    return period_postings(r, period) if period in r.columns.keys else []


def run_row(n: NewRun, tenant_id: str, *, job_id: str | None, actor_user_id: str | None, now) -> dict:
    """The run's row as inserted (built before the write transaction: SQLite holds its write lock
    only while rows are inserted, so two workers compute and render at once)."""
    r = n.result
    summary = result_summary(r)
    if n.caught_up:
        summary["caught_up_periods"] = n.caught_up
    return {
        "id": n.run_id, "tenant_id": tenant_id, "created_at": now, "contract_id": n.contract.id,
        "entity_id": n.contract.entity_id, "standard": r.standard, "run_type": n.run_type,
        "effective_date": n.effective_date, "is_current": True,
        "base_run_id": (n.supersedes.base_run_id or n.supersedes.id) if n.supersedes else None,
        "supersedes_run_id": n.supersedes.id if n.supersedes else None, "job_id": job_id,
        "inputs_hash": n.inputs_hash, "engine_version": r.engine_version,
        "policy_version": n.inputs.policy.version, "ssp_version": n.inputs.ssp_version, "currency": r.currency,
        "first_period": r.columns.keys[0], "period_count": len(r.columns.keys),
        "posting_periods": ",".join(n.posts), "summary": summary, "columns": encode_columns(r),
        "created_by": actor_user_id}


def persist(s, tenant_id: str, runs: list[NewRun], *, job_id: str | None, actor_user_id: str | None,
            actor_kind: str | None, request_id: str | None, operation: str, now) -> int:
    """Insert runs (one executemany), retire the runs they supersede, write their catch-up entries."""
    if not runs:
        return 0
    rows = [n.row or run_row(n, tenant_id, job_id=job_id, actor_user_id=actor_user_id, now=now) for n in runs]
    old_ids = [n.supersedes.id for n in runs if n.supersedes is not None]
    if old_ids:
        s.execute(update(RevenueRun).where(RevenueRun.id.in_(old_ids)).values(is_current=False))
    s.execute(RevenueRun.__table__.insert(), rows)
    batches = [(Provenance(tenant_id, n.contract.entity_id, n.result.standard, operation, n.contract.id, n.run_id,
                           None, actor_user_id, actor_kind, request_id, source_type=SOURCE_TYPE), n.entries)
               for n in runs if n.entries]
    return write_entries_many(s, batches, now) if batches else 0


def run_view(run: RevenueRun) -> dict:
    sm = run.summary
    return {"id": run.id, "contract_id": run.contract_id, "standard": run.standard, "run_type": run.run_type,
            "effective_date": run.effective_date, "is_current": run.is_current, "base_run_id": run.base_run_id,
            "supersedes_run_id": run.supersedes_run_id, "job_id": run.job_id, "inputs_hash": run.inputs_hash,
            "engine_version": run.engine_version, "policy_version": run.policy_version,
            "ssp_version": run.ssp_version, "created_at": run.created_at,
            "result": {k: sm.get(k) for k in ("transaction_price", "allocation", "total_revenue", "rpo",
                                              "caught_up_periods", "divergences") if k in sm}}


# ---------------------------------------------------------------- dead-letter queue

def dead_letter(s, tenant_id: str, contract: RevenueContract, run_type: str, standards, exc: EngineError,
                inputs_hash: str, *, job_id: str | None, now) -> dict:
    row = RevenueDeadLetter(id=new_id(), tenant_id=tenant_id, created_at=now, contract_id=contract.id,
                            entity_id=contract.entity_id, run_type=run_type, standards=list(standards),
                            job_id=job_id, code=exc.code, message=str(exc.message)[:1000],
                            rule_field=getattr(exc, "field", None),
                            details=dict(getattr(exc, "details", None) or {}), inputs_hash=inputs_hash,
                            status="open")
    s.add(row)
    return dlq_view(row)


def dlq_view(row: RevenueDeadLetter) -> dict:
    return {"id": row.id, "contract_id": row.contract_id, "run_type": row.run_type, "standards": row.standards,
            "job_id": row.job_id, "error": {"code": row.code, "message": row.message, "rule": row.code,
                                            "field": row.rule_field, "details": row.details},
            "inputs_hash": row.inputs_hash, "status": row.status, "created_at": row.created_at,
            "resolved_at": row.resolved_at, "resolved_by_run_ids": row.resolved_by_run_ids}


def list_dlq(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
             status: str | None = None, contract_id: str | None = None) -> Page:
    spec = SortSpec.parse(sort, ["created_at"])
    stmt = select(RevenueDeadLetter)
    if status:
        stmt = stmt.where(RevenueDeadLetter.status == status)
    if contract_id:
        stmt = stmt.where(RevenueDeadLetter.contract_id == contract_id)
    with rt.db.session(actor.tenant_id) as s:
        return paginate(s, stmt, RevenueDeadLetter, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters={"status": status, "contract_id": contract_id}, view=dlq_view)


def _resolve_dlq(s, contract_id: str, run_ids: list[str], now) -> int:
    rows = s.scalars(select(RevenueDeadLetter).where(RevenueDeadLetter.contract_id == contract_id,
                                                     RevenueDeadLetter.status == "open")).all()
    for row in rows:
        row.status, row.resolved_at, row.resolved_by_run_ids = "resolved", now, run_ids
    return len(rows)


# ---------------------------------------------------------------- the jobs

def current_runs(s, contract_ids: list[str]) -> dict[tuple[str, str], RevenueRun]:
    out = {}
    for i in range(0, len(contract_ids), 900):
        for run in s.scalars(select(RevenueRun).where(RevenueRun.contract_id.in_(contract_ids[i:i + 900]),
                                                      RevenueRun.is_current.is_(True))):
            out[(run.contract_id, run.standard)] = run
    return out


def initial_recognition(rt: Runtime, tenant_id: str, contract_ids: list[str], *, job_id: str | None,
                        actor_user_id: str | None, actor_kind: str | None, request_id: str | None) -> dict:
    """INITIAL_RECOGNITION for each contract under every book its policy enables, in one write
    transaction per job. Idempotent (books already run are skipped); a contract the engine refuses
    goes to the dead-letter queue with its rule and inputs hash and does not stop the others."""
    now = rt.clock()
    started = time.perf_counter()
    new_runs: list[NewRun] = []
    failed: list[tuple[RevenueContract, str, tuple, EngineError, str]] = []
    with rt.db.session(tenant_id) as s:
        done = current_runs(s, contract_ids)
        open_dlq = set(s.scalars(select(RevenueDeadLetter.contract_id).where(
            RevenueDeadLetter.contract_id.in_(contract_ids), RevenueDeadLetter.status == "open",
            RevenueDeadLetter.job_id == job_id))) if job_id else set()
        entities: dict[str, tuple[Entity, Inputs, PeriodLocks]] = {}
        contracts = s.scalars(select(RevenueContract).where(RevenueContract.id.in_(contract_ids))
                              .order_by(RevenueContract.id)).all()
        for contract in contracts:
            if contract.status != "confirmed" or contract.id in open_dlq:
                continue
            if contract.entity_id not in entities:
                ent = s.get_one(Entity, contract.entity_id)
                entities[contract.entity_id] = (ent, Inputs.load(s, ent), load_locks(s, ent.id))
            entity, inputs, locks = entities[contract.entity_id]
            todo = tuple(std for std in (contract.standards or inputs.policy.policy.enabled_standards)
                         if (contract.id, std) not in done)
            if not todo:
                continue
            try:
                results = compute(contract, entity, inputs, todo, contract.events or [])
            except EngineError as exc:
                failed.append((contract, "INITIAL_RECOGNITION", todo, exc,
                               inputs.hash_of(contract.data, contract.events or [])))
                continue
            h = inputs.hash_of(contract.data, contract.events or [])
            for r in results.values():
                n = plan(s, NewRun(contract, r, new_id(), "INITIAL_RECOGNITION", contract.start_date or date.min,
                                   inputs, inputs_hash=h), locks)
                n.row = run_row(n, tenant_id, job_id=job_id, actor_user_id=actor_user_id, now=now)
                new_runs.append(n)
        computed = time.perf_counter()
    with rt.db.session(tenant_id, write=True) as s:
        lock_rows(s, RevenueContract.id, contract_ids)  # a concurrent copy of this job commits first
        again = set(current_runs(s, contract_ids)) - set(done)
        new_runs = [n for n in new_runs if (n.contract.id, n.result.standard) not in again]
        written = persist(s, tenant_id, new_runs, job_id=job_id, actor_user_id=actor_user_id, actor_kind=actor_kind,
                          request_id=request_id, operation="initial_recognition", now=now)
        dl = [dead_letter(s, tenant_id, c, rt_, stds, exc, h, job_id=job_id, now=now)
              for c, rt_, stds, exc, h in failed]
        _events_and_audit(s, tenant_id, new_runs, dl, now=now, actor_user_id=actor_user_id, actor_kind=actor_kind,
                          request_id=request_id, job_id=job_id)
    timings = {"compute_seconds": round(computed - started, 3),
               "write_seconds": round(time.perf_counter() - computed, 3)}
    return {"runs_created": len(new_runs), "journal_entries": written, "already_done": len(done),
            "failed": [{"contract_id": d["contract_id"], "dead_letter_id": d["id"], **d["error"]} for d in dl],
            "timings": timings}


def _events_and_audit(s, tenant_id: str, new_runs: list[NewRun], dead: list[dict], *, now, actor_user_id,
                      actor_kind, request_id, job_id, event_type: str | None = None) -> None:
    who = {"user_id": actor_user_id, "actor_kind": actor_kind, "channel": "engine"}
    rows = [dict(now=now, tenant_id=tenant_id, kind="change", outcome="success", action="revenue.run",
                 resource_type="revenue_run", resource_id=n.run_id, actor_user_id=actor_user_id,
                 request_id=request_id, details={"contract_id": n.contract.id, "standard": n.result.standard,
                                                 "run_type": n.run_type, "inputs_hash": n.inputs_hash,
                                                 "supersedes_run_id": n.supersedes.id if n.supersedes else None})
            for n in new_runs]
    rows += [dict(now=now, tenant_id=tenant_id, kind="change", outcome="failure", action="revenue.run_failed",
                  resource_type="revenue_dead_letter", resource_id=d["id"], actor_user_id=actor_user_id,
                  request_id=request_id, details={"contract_id": d["contract_id"], "error": d["error"],
                                                  "inputs_hash": d["inputs_hash"], "job_id": job_id})
             for d in dead]
    if rows:
        audit.append_many(s, rows)
    events = []
    if new_runs and wants(s, tenant_id, "engine.completed"):
        s.flush()
        events += [("engine.completed", {"source": "revenue", **run_view(s.get(RevenueRun, n.run_id))})
                   for n in new_runs]
    if event_type and new_runs:
        for cid in dict.fromkeys(n.contract.id for n in new_runs):
            events.append((event_type, {"contract_id": cid, "source": "revenue",
                                        "runs": [n.run_id for n in new_runs if n.contract.id == cid]}))
    events += [("engine.failed", {"source": "revenue", "dead_letter_id": d["id"], "contract_id": d["contract_id"],
                                  "run_type": d["run_type"], "job_id": job_id, "error": d["error"],
                                  "inputs_hash": d["inputs_hash"]}) for d in dead]
    if events:
        emit_many(s, who, tenant_id=tenant_id, now=now, request_id=request_id, events=events)


def rerun(rt: Runtime, tenant_id: str, contract_id: str, *, run_type: str, event: dict | None,
          standards: list[str] | None, job_id: str | None, actor_user_id: str | None, actor_kind: str | None,
          request_id: str | None) -> dict:
    """A new run per book for one contract (recalculation, or a new event appended to its events):
    supersedes the current run, keeps lineage, journals only the difference. On success the
    contract's open dead letters are resolved; on failure a dead letter is added."""
    now = rt.clock()
    with rt.db.session(tenant_id) as s:
        contract = s.get(RevenueContract, contract_id)
        if contract is None:
            raise NotFound(f"No revenue contract {contract_id}.", code="contract_not_found")
        if job_id and s.scalar(select(RevenueRun.id).where(RevenueRun.job_id == job_id,
                                                           RevenueRun.contract_id == contract_id).limit(1)):
            return {"contract_id": contract_id, "already_done": True}
        entity = s.get_one(Entity, contract.entity_id)
        inputs, locks = Inputs.load(s, entity), load_locks(s, entity.id)
        stds = tuple(standards or contract.standards or inputs.policy.policy.enabled_standards)
        events = list(contract.events or []) + ([event] if event else [])
        events.sort(key=lambda e: str(e.get("effective_date")))
        current = current_runs(s, [contract_id])
        new_runs, failure = [], None
        try:
            results = compute(contract, entity, inputs, stds, events)
            eff = date.fromisoformat(str(event["effective_date"])) if event else (contract.start_date or date.min)
            if current and not event:
                eff = now.date()
            for std, r in results.items():
                typ = run_type if (current.get((contract_id, std)) or run_type != "RECALCULATION") \
                    else "INITIAL_RECOGNITION"
                new_runs.append(plan(s, NewRun(contract, r, new_id(), typ, eff, inputs,
                                               supersedes=current.get((contract_id, std)),
                                               inputs_hash=inputs.hash_of(contract.data, events)), locks))
        except EngineError as exc:
            failure = (exc, inputs.hash_of(contract.data, events))
    with rt.db.session(tenant_id, write=True) as s:
        # Computed outside this transaction: re-check under the contract's lock that no copy of this job
        # (a worker that lost its lease) wrote meanwhile, and that the runs it supersedes are still current.
        lock_rows(s, RevenueContract.id, [contract_id])
        if job_id and s.scalar(select(RevenueRun.id).where(RevenueRun.job_id == job_id,
                                                           RevenueRun.contract_id == contract_id).limit(1)):
            return {"contract_id": contract_id, "already_done": True}
        if {k: r.id for k, r in current_runs(s, [contract_id]).items()} != {k: r.id for k, r in current.items()}:
            raise Conflict("The contract's runs changed while this run was being computed; the job retries.",
                           code="runs_changed")
        contract = s.get_one(RevenueContract, contract_id)
        dead = []
        written = 0
        new_contract = None
        if failure:
            dead.append(dead_letter(s, tenant_id, contract, run_type, stds, failure[0], failure[1], job_id=job_id,
                                    now=now))
        else:
            for n in new_runs:
                n.contract = contract
            written = persist(s, tenant_id, new_runs, job_id=job_id, actor_user_id=actor_user_id,
                              actor_kind=actor_kind, request_id=request_id,
                              operation="modification" if event else "recalculation", now=now)
            if event:
                contract.events = events
            contract.needs_recalculation = False
            contract.standards = list(stds)
            resolved = _resolve_dlq(s, contract_id, [n.run_id for n in new_runs], now)
            if resolved:
                audit.append(s, now=now, tenant_id=tenant_id, kind="change", outcome="success",
                             action="revenue.dlq_resolved", resource_type="revenue_contract", resource_id=contract_id,
                             actor_user_id=actor_user_id, request_id=request_id,
                             details={"dead_letters": resolved, "runs": [n.run_id for n in new_runs]})
            separate = next((n.result.events[-1].get("new_contract") for n in new_runs
                             if event and n.result.events and n.result.events[-1].get("new_contract")), None)
            if separate:
                new_contract = _separate_draft(s, tenant_id, contract, separate, actor_user_id, actor_kind,
                                               request_id, now)
        _events_and_audit(s, tenant_id, new_runs, dead, now=now, actor_user_id=actor_user_id, actor_kind=actor_kind,
                          request_id=request_id, job_id=job_id,
                          event_type="contract.modified" if event else "contract.recalculated")
    if failure:
        return {"contract_id": contract_id, "status": "failed", "dead_letter": dead[0]}
    return {"contract_id": contract_id, "status": "succeeded", "new_contract_id": new_contract, "runs": [
        {"run_id": n.run_id, "standard": n.result.standard, "run_type": n.run_type,
         "supersedes_run_id": n.supersedes.id if n.supersedes else None, "caught_up_periods": n.caught_up}
        for n in new_runs], "journal_entries": written}


def report_job_failure(rt: Runtime, tenant_id: str, job_id: str, kind: str, payload: dict, code: str, message: str,
                       *, request_id: str | None) -> None:
    now = rt.clock()
    with rt.db.session(tenant_id, write=True) as s:
        who = {"user_id": payload.get("actor_user_id"), "actor_kind": payload.get("actor_kind"), "channel": "engine"}
        data = {"source": "revenue", "job_id": job_id, "kind": kind, "error": {"code": code, "message": message},
                **{k: payload[k] for k in ("contract_ids", "contract_id", "run_type") if k in payload}}
        emit_many(s, who, tenant_id=tenant_id, now=now, request_id=request_id, events=[("engine.failed", data)])


def _separate_draft(s, tenant_id: str, contract: RevenueContract, data: dict, actor_user_id, actor_kind, request_id,
                    now) -> str:
    """A ``separate_contract`` modification leaves this contract alone: the added goods become a new
    draft contract (the engine's ``new_contract`` input), to be reviewed and confirmed like any other."""
    from backend.services.revenue.contracts import _denormalise, issues_of

    draft = RevenueContract(id=new_id(), tenant_id=tenant_id, created_at=now, entity_id=contract.entity_id,
                            status="draft", version=1, data={k: v for k, v in data.items() if k != "entity"},
                            events=[], issues=[], provenance={"separate_contract_of": contract.id}, source="engine",
                            created_by=actor_user_id, updated_at=now, standards=[])
    _denormalise(draft)
    draft.issues = issues_of(draft.data, s.get_one(Entity, contract.entity_id))
    s.add(draft)
    s.flush()
    audit.append(s, now=now, tenant_id=tenant_id, kind="change", outcome="success", action="revenue.contracts.create",
                 resource_type="revenue_contract", resource_id=draft.id, actor_user_id=actor_user_id,
                 request_id=request_id, details={"after": {"external_id": draft.external_id,
                                                           "separate_contract_of": contract.id}})
    return draft.id


# ---------------------------------------------------------------- reads

def _check_standard(standard: str) -> None:
    if standard not in BOOKS:
        raise InvalidInput("standard must be IFRS15 or ASC606.", code="invalid_standard",
                           details=[{"field": "standard", "code": "invalid_choice", "message": standard}])


def _run_for(s, contract_id: str, standard: str, run_id: str | None) -> RevenueRun:
    stmt = select(RevenueRun).where(RevenueRun.contract_id == contract_id, RevenueRun.standard == standard)
    stmt = stmt.where(RevenueRun.id == run_id) if run_id else stmt.where(RevenueRun.is_current.is_(True))
    run = s.scalar(stmt.order_by(RevenueRun.created_at.desc()).limit(1))
    if run is None:
        raise NotFound(f"Contract {contract_id} has no {standard} schedule yet (is it confirmed, has its job run, "
                       "or is it in the dead-letter queue?).", code="schedule_not_found")
    return run


def get_schedule(rt: Runtime, actor: Actor, contract_id: str, standard: str, run_id: str | None = None) -> dict:
    """The monthly schedule of the current run (or ``run_id``) under ``standard``; money as strings."""
    _check_standard(standard)
    with rt.db.session(actor.tenant_id) as s:
        if s.get(RevenueContract, contract_id) is None:
            raise NotFound(f"No revenue contract {contract_id}.", code="contract_not_found")
        run = _run_for(s, contract_id, standard, run_id)
        stored = StoredResult.of_run(run)
        sm = {k: v for k, v in run.summary.items() if k not in ("po_ids",)}
        return {**sm, "contract_id": contract_id, "standard": standard, "run": run_view(run),
                "currency": run.currency, "periods": stored.rows()}


def rpo_at(s, contract: RevenueContract, entity: Entity, as_of: date, standards: list[str] | None = None,
           inputs: Inputs | None = None) -> dict[str, dict]:
    """Remaining performance obligations of one contract at ``as_of`` per book (``to_dict``'s
    ``rpo``), replayed with the inputs its current run used (policy version, SSP matrix version)."""
    inputs = inputs or Inputs.load(s, entity)
    runs = current_runs(s, [contract.id])
    stds = standards or sorted({std for (_c, std) in runs} or set(contract.standards or BOOKS))
    for std in stds:
        _check_standard(std)
    if runs:
        run = next(iter(runs.values()))
        ver, rows = load_ssp(s, entity.id, run.ssp_version)
        inputs = Inputs(inputs.policy, ver, rows)
        if run.policy_version:
            inputs.policy = policy_version(s, entity, run.policy_version)
    results = compute(contract, entity, inputs, stds, contract.events or [], as_of=as_of)
    return {std: r.to_dict(contract_id=contract.id)["rpo"] for std, r in results.items()}


def get_rpo(rt: Runtime, actor: Actor, contract_id: str, as_of: date, standard: str | None = None) -> dict:
    """Remaining performance obligations at ``as_of`` per book, replayed with the current run's inputs."""
    with rt.db.session(actor.tenant_id) as s:
        contract = s.get(RevenueContract, contract_id)
        if contract is None:
            raise NotFound(f"No revenue contract {contract_id}.", code="contract_not_found")
        entity = s.get_one(Entity, contract.entity_id)
        rpo = rpo_at(s, contract, entity, as_of, [standard] if standard else None)
    return {"contract_id": contract_id, "as_of": as_of, "rpo": rpo}
