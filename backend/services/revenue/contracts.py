"""Revenue contracts: create, list, read, patch (optimistic concurrency), validate, confirm,
recalculate, and engine events (modification, variable-consideration reassessment, progress).

Public functions (also what the MCP tools call): ``create_contract``, ``create_drafts``,
``get_contract`` (contract.detail), ``list_contracts``, ``patch_contract``, ``validate``
(contract.validate_enhanced), ``confirm`` (contract.confirm), ``request_recalculate``,
``request_event``; schedules and RPO are ``runs.get_schedule`` (contract.schedule) and ``runs.get_rpo``.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, cast

from sqlalchemy import select, update

from backend.db.models import Entity, RevenueContract, RevenueRun
from backend.engine.errors import EngineError
from backend.engine.revenue import (
    InvalidRevenueInput,
    RevenueResult,
    event_postings,
    parse_contract,
    parse_event,
)
from backend.jobs.queue import enqueue
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput, NotFound
from backend.services.platform.pagination import Page, SortSpec, contains_text, paginate
from backend.services.platform.persist import flush_unique
from backend.services.platform.tenancy import get_entity_by_code
from backend.services.revenue import runs as revenue_runs
from backend.services.revenue.config import BOOKS
from backend.services.revenue.stored import StoredResult
from backend.webhooks.outbox import emit_many, wants

RECOGNITION_BATCH = 250  # contracts per INITIAL_RECOGNITION job: one write transaction each
RUN_JOB = "revenue.run"
RECOGNITION_JOB = "revenue.initial_recognition"


def contract_view(c: RevenueContract, entity_code: str) -> dict:
    return {"id": c.id, "entity": entity_code, "external_id": c.external_id, "customer": c.customer,
            "currency": c.currency, "start_date": c.start_date, "status": c.status, "version": c.version,
            "source": c.source, "contract": c.data, "events": c.events or [], "issues": c.issues,
            "provenance": c.provenance, "needs_recalculation": c.needs_recalculation, "standards": c.standards or [],
            "created_at": c.created_at, "updated_at": c.updated_at, "confirmed_at": c.confirmed_at}


def _parse_date(v: Any) -> date | None:
    try:
        return date.fromisoformat(str(v)) if v else None
    except ValueError:
        return None


def _denormalise(c: RevenueContract) -> None:
    d = c.data
    c.external_id = str(d.get("external_id") or c.external_id or "")[:100]
    c.customer = (str(d["customer"])[:200] if d.get("customer") else None)
    ccy = d.get("currency")
    c.currency = ccy.upper()[:3] if isinstance(ccy, str) else None
    c.start_date = _parse_date(d.get("start_date"))


def issues_of(data: dict, entity: Entity) -> list[dict]:
    """Input problems as issues (severity error), each with its field path."""
    try:
        parse_contract({**data, "entity": entity.code})
    except InvalidRevenueInput as exc:
        return [{**e, "severity": "error"} for e in exc.errors]
    except EngineError as exc:
        return [{"field": exc.field or "", "code": exc.code, "message": exc.message, "severity": "error"}]
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as exc:
        return [{"field": "", "code": "unprocessable_revenue_input", "severity": "error",
                 "message": f"The engine could not read the input ({type(exc).__name__})."}]
    return []


def create_drafts(s, actor: Actor, now, entity: Entity, items: list[dict], *, source: str,
                  issues_by_index: dict[int, list[dict]] | None = None,
                  provenance_by_index: dict[int, dict] | None = None) -> list[RevenueContract]:
    """Insert drafts in the caller's unit of work (all or nothing), with their issues."""
    out = []
    for i, data in enumerate(items):
        data = {k: v for k, v in data.items() if k != "entity"}
        extra = (issues_by_index or {}).get(i, [])
        found = issues_of(data, entity)
        c = RevenueContract(entity_id=entity.id, status="draft", version=1, data=data, events=[],
                            issues=list(extra) + [x for x in found if x not in extra],
                            provenance=(provenance_by_index or {}).get(i, {}), source=source,
                            created_by=actor.user_id, updated_at=now, standards=[])
        _denormalise(c)
        s.add(c)
        out.append(c)
    flush_unique(s, None, Conflict(
        "A contract with the same external id already exists for this entity.", code="contract_exists",
        details=[{"field": "external_id", "code": "duplicate", "message": "already used in this entity"}]))
    audit.append_many(s, [dict(now=now, tenant_id=actor.tenant_id, kind="change", outcome="success",
                               action="revenue.contracts.create", resource_type="revenue_contract", resource_id=c.id,
                               actor_user_id=actor.user_id, actor_kind=actor.actor_kind, token_id=actor.token_id,
                               request_id=actor.request_id,
                               details={"after": {"external_id": c.external_id, "source": source},
                                        "channel": actor.channel}) for c in out])
    return out


def create_contract(rt: Runtime, actor: Actor, entity_code: str, data: dict) -> dict:
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        (c,) = create_drafts(s, actor, rt.clock(), entity, [data], source="api")
        return contract_view(c, entity.code)


def _get(s, contract_id: str) -> tuple[RevenueContract, Entity]:
    c = s.get(RevenueContract, contract_id)
    if c is None:
        raise NotFound(f"No revenue contract {contract_id}.", code="contract_not_found")
    return c, s.get_one(Entity, c.entity_id)


def get_contract(rt: Runtime, actor: Actor, contract_id: str) -> dict:
    """contract.detail: the contract, its events, issues and current runs per book."""
    with rt.db.session(actor.tenant_id) as s:
        c, entity = _get(s, contract_id)
        view = contract_view(c, entity.code)
        runs = s.scalars(select(RevenueRun).where(RevenueRun.contract_id == c.id, RevenueRun.is_current.is_(True))
                         .order_by(RevenueRun.standard)).all()
        view["current_runs"] = [revenue_runs.run_view(r) for r in runs]
        return view


def list_contracts(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None, sort: str | None,
                   entity: str | None = None, customer: str | None = None, status: str | None = None,
                   standard: str | None = None, start_from: date | None = None,
                   start_to: date | None = None, currency: str | None = None, text: str | None = None,
                   view: Callable[[RevenueContract, str], dict] = contract_view) -> Page:
    """Contracts matching every given filter; ``text`` matches external id or customer (any case);
    ``standard`` keeps contracts with a current run in that book."""
    spec = SortSpec.parse(sort, ["created_at", "external_id"])  # non-null keys (keyset pagination)
    stmt = select(RevenueContract)
    filters = {"entity": entity, "customer": customer, "status": status, "standard": standard,
               "start_from": start_from, "start_to": start_to, "currency": currency, "text": text}
    with rt.db.session(actor.tenant_id) as s:
        if entity:
            stmt = stmt.where(RevenueContract.entity_id == get_entity_by_code(s, entity).id)
        if customer:
            stmt = stmt.where(RevenueContract.customer == customer)
        if status:
            stmt = stmt.where(RevenueContract.status == status)
        if currency:
            stmt = stmt.where(RevenueContract.currency == currency)
        if text:
            stmt = stmt.where(contains_text(text, RevenueContract.external_id, RevenueContract.customer))
        if standard:
            stmt = stmt.where(RevenueContract.id.in_(select(RevenueRun.contract_id).where(
                RevenueRun.standard == standard, RevenueRun.is_current.is_(True))))
        if start_from:
            stmt = stmt.where(RevenueContract.start_date >= start_from)
        if start_to:
            stmt = stmt.where(RevenueContract.start_date <= start_to)
        codes = dict(s.execute(select(Entity.id, Entity.code)).all())
        return paginate(s, stmt, RevenueContract, secret_key=rt.secret_key, sort=spec, limit=limit, cursor=cursor,
                        filters=filters, view=lambda x: view(x, codes[x.entity_id]))


def patch_contract(rt: Runtime, actor: Actor, contract_id: str, version: int, changes: dict) -> dict:
    """Merge ``changes`` into the contract; a stale ``version`` is refused (409 version_conflict).
    After confirm the change is a recalculation input: the contract is marked
    ``needs_recalculation`` and ``POST …/recalculate`` re-runs it (journals for the difference)."""
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        c, entity = _get(s, contract_id)
        if c.version != version:
            raise Conflict(f"Contract {c.external_id} was changed by someone else (version {c.version}, you sent "
                           f"{version}). Reload it and apply your change again.", code="version_conflict",
                           details={"current_version": c.version})
        before = dict(c.data)
        data = {**c.data, **{k: v for k, v in changes.items() if k != "entity"}}
        issues = issues_of(data, entity)
        if c.status != "draft" and issues:
            raise InvalidInput("The change makes the confirmed contract invalid.", code="invalid_revenue_input",
                               details=issues)
        c.data, c.issues, c.version, c.updated_at = data, issues, c.version + 1, now
        if c.status != "draft":
            c.needs_recalculation = True
        _denormalise(c)
        flush_unique(s, None, Conflict("Another contract of this entity has that external id.",
                                       code="contract_exists"))
        audit.record_change(s, actor, now=now, action="revenue.contracts.update", resource_type="revenue_contract",
                            resource_id=c.id, before=before, after=data)
        return contract_view(c, entity.code)


def validate(rt: Runtime, actor: Actor, contract_id: str) -> dict:
    """contract.validate_enhanced: input errors, and a dry engine run of every enabled book
    (with the entity's policy snapshot and SSP matrix) so an engine refusal shows before confirm."""
    with rt.db.session(actor.tenant_id, write=True) as s:
        c, entity = _get(s, contract_id)
        errors = issues_of(c.data, entity)
        warnings: list[dict] = []
        books = {}
        if not errors:
            inputs = revenue_runs.Inputs.load(s, entity)
            try:
                results = revenue_runs.compute(c, entity, inputs, inputs.policy.policy.enabled_standards,
                                               c.events or [])
                for std, r in results.items():
                    books[std] = {"transaction_price": r.transaction_price.to_dict(),
                                  "allocation": {p: str(r.m(v)) for p, v in zip(r.po_ids, r.allocation)},
                                  "total_revenue": str(r.total_revenue()), "divergences": r.divergences}
                    warnings += [{"field": "", "code": "divergence", "severity": "warning", "standard": std,
                                  "message": str(d)} for d in r.divergences]
            except EngineError as exc:
                errors.append({"field": exc.field or "", "code": exc.code, "message": exc.message,
                               "severity": "error", "rule": exc.code})
        if c.status == "draft":
            c.issues = issues_of(c.data, entity)  # input issues only: an engine refusal is the run's (DLQ)
        return {"contract_id": c.id, "valid": not errors, "errors": errors, "warnings": warnings, "books": books}


def confirm(rt: Runtime, actor: Actor, contract_ids: list[str]) -> dict:
    """contract.confirm: confirm valid drafts and queue INITIAL_RECOGNITION for every book of the
    entity's policy snapshot (per-contract results; one bad contract does not block the others).

    Built for portfolios: the rows are read as columns and updated in one executemany by primary
    key; ``contract.confirmed`` payloads are built only when an endpoint subscribes to it."""
    from backend.services.revenue.config import current_policy

    now = rt.clock()
    results: list[dict[str, Any]] = []
    C = RevenueContract
    with rt.db.session(actor.tenant_id, write=True) as s:
        wanted = list(dict.fromkeys(contract_ids))
        loaded: dict[str, Any] = {}
        for i in range(0, len(wanted), 900):
            loaded.update((r.id, r) for r in s.execute(select(
                C.id, C.entity_id, C.status, C.issues, C.version, C.recognition_job_ids).where(
                C.id.in_(wanted[i:i + 900]))))
        entities: dict[str, tuple[Entity, tuple[str, ...]]] = {}
        to_queue: dict[tuple[str, tuple], list[Any]] = {}
        for cid in wanted:
            c = loaded.get(cid)
            if c is None:
                results.append({"contract_id": cid, "status": "not_found", "errors": [], "job_ids": []})
                continue
            if c.entity_id not in entities:
                ent = s.get_one(Entity, c.entity_id)
                entities[c.entity_id] = (ent, tuple(current_policy(s, ent).policy.enabled_standards))
            ent, stds = entities[c.entity_id]
            if c.status != "draft":
                results.append({"contract_id": c.id, "status": "already_" + c.status, "errors": [],
                                "job_ids": list(c.recognition_job_ids or [])})
                continue
            # Issues are recomputed on every create and PATCH (the input check does not depend on the
            # policy), so the stored ones are current: no second parse of a 10,000-contract confirm.
            errors = [i for i in (c.issues or []) if i.get("severity", "error") == "error"]
            if errors:
                results.append({"contract_id": c.id, "status": "refused", "errors": errors, "job_ids": []})
                continue
            to_queue.setdefault((c.entity_id, stds), []).append(c)
            results.append({"contract_id": c.id, "status": "confirmed", "errors": [], "job_ids": [],
                            "standards": list(stds)})
        jobs_of: dict[str, list[str]] = {}
        for (_e, _stds), items in to_queue.items():
            for i in range(0, len(items), RECOGNITION_BATCH):
                chunk = items[i:i + RECOGNITION_BATCH]
                job = enqueue(s, kind=RECOGNITION_JOB, tenant_id=actor.tenant_id, now=now,
                              payload={"contract_ids": [x.id for x in chunk], "actor_user_id": actor.user_id,
                                       "actor_kind": actor.actor_kind}, request_id=actor.request_id)
                for x in chunk:
                    jobs_of.setdefault(x.id, []).append(job.id)
        confirmed = [r for r in results if r["status"] == "confirmed"]
        for r in confirmed:
            r["job_ids"] = jobs_of.get(r["contract_id"], [])
        if confirmed:
            s.execute(update(C), [{"id": r["contract_id"], "status": "confirmed", "confirmed_at": now,
                                   "version": loaded[r["contract_id"]].version + 1, "standards": r["standards"],
                                   "recognition_job_ids": r["job_ids"]} for r in confirmed])
            if wants(s, actor.tenant_id, "contract.confirmed"):
                rows = {x.id: x for i in range(0, len(confirmed), 900) for x in s.scalars(select(C).where(
                    C.id.in_([r["contract_id"] for r in confirmed[i:i + 900]])))}
                emit_many(s, actor, tenant_id=actor.tenant_id, now=now, events=[
                    ("contract.confirmed", contract_view(rows[r["contract_id"]], entities[rows[r["contract_id"]]
                                                                                          .entity_id][0].code))
                    for r in confirmed])
            audit.append_many(s, [dict(now=now, tenant_id=actor.tenant_id, kind="change", outcome="success",
                                       action="revenue.contracts.confirm", resource_type="revenue_contract",
                                       resource_id=r["contract_id"], actor_user_id=actor.user_id,
                                       actor_kind=actor.actor_kind, token_id=actor.token_id,
                                       request_id=actor.request_id,
                                       details={"after": {"status": "confirmed", "job_ids": r["job_ids"]},
                                                "channel": actor.channel}) for r in confirmed])
    return {"results": results, "confirmed": len(confirmed),
            "refused": sum(r["status"] == "refused" for r in results),
            "job_ids": sorted({j for r in confirmed for j in r["job_ids"]})}


def _queue_run(s, actor: Actor, now, c: RevenueContract, run_type: str, event: dict | None,
               standards: list[str] | None) -> dict:
    job = enqueue(s, kind=RUN_JOB, tenant_id=actor.tenant_id, now=now,
                  payload={"contract_id": c.id, "run_type": run_type, "event": event, "standards": standards,
                           "actor_user_id": actor.user_id, "actor_kind": actor.actor_kind},
                  request_id=actor.request_id)
    audit.record_change(s, actor, now=now, action="revenue.run.request", resource_type="revenue_contract",
                        resource_id=c.id, after={"run_type": run_type, "job_id": job.id, "event": event})
    return {"contract_id": c.id, "run_type": run_type, "job_id": job.id, "status": "queued"}


def request_recalculate(rt: Runtime, actor: Actor, contract_id: str, standards: list[str] | None = None) -> dict:
    """Re-run a confirmed contract (after a failure, a PATCH, a new policy snapshot or SSP matrix):
    a new run supersedes the old one per book, lineage kept, journals for the difference only."""
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        c, _entity = _get(s, contract_id)
        if c.status != "confirmed":
            raise Conflict(f"Contract {c.external_id} is {c.status}; confirm it first.", code="contract_not_confirmed")
        return _queue_run(s, actor, now, c, "RECALCULATION", None, standards)


def request_event(rt: Runtime, actor: Actor, *, contract_id: str, run_type: str, effective_date: date,
                  changes: dict, treatment: str | None = None, rationale: str | None = None,
                  standards: list[str] | None = None, dry_run: bool = False) -> dict:
    """A modification, variable-consideration reassessment or progress update as a new run (a
    job); ``dry_run`` computes the result per book with the event's own journal effect and writes nothing."""
    event: dict[str, Any] = {"type": run_type, "effective_date": effective_date.isoformat(), "changes": changes}
    if treatment:
        event["treatment"] = treatment
    if rationale:
        event["rationale"] = rationale
    for std in standards or ():
        if std not in BOOKS:
            raise InvalidInput("standards are IFRS15 and/or ASC606.", code="invalid_standard")
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=not dry_run) as s:
        c, entity = _get(s, contract_id)
        if c.status != "confirmed":
            raise Conflict(f"Contract {c.external_id} is {c.status}; confirm it first.", code="contract_not_confirmed")
        try:
            parse_event(event, c.currency or "USD")
        except InvalidRevenueInput as exc:
            raise InvalidInput("The event has invalid fields.", code="invalid_revenue_event",
                               details=exc.errors) from None
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as exc:
            raise InvalidInput(f"The event could not be read ({type(exc).__name__}).", code="invalid_revenue_event",
                               details=[{"field": "changes", "code": "invalid", "message": str(exc)[:200]}]) from None
        last = max((str(e.get("effective_date")) for e in c.events or []), default="")
        if event["effective_date"] < last:
            raise InvalidInput(f"Events apply in date order; the last is dated {last}.",
                               code="effective_date_before_previous_event",
                               details=[{"field": "effective_date", "code": "before_previous_event",
                                         "message": f"on or after {last}"}])
        if not dry_run:
            return _queue_run(s, actor, now, c, run_type, event, standards)
        inputs = revenue_runs.Inputs.load(s, entity)
        stds = tuple(standards or c.standards or inputs.policy.policy.enabled_standards)
        current = revenue_runs.current_runs(s, [c.id])
        results = revenue_runs.compute(c, entity, inputs, stds, list(c.events or []) + [event])
        out = {}
        period = event["effective_date"][:7]
        for std, r in results.items():
            old = current.get((c.id, std))
            before = StoredResult.of_run(old) if old else None
            # A StoredResult has what event_postings reads of the previous result (see stored.py).
            effect = event_postings(cast(RevenueResult, before), r, period) if before is not None else []
            d = r.to_dict(contract_id=c.id)
            out[std] = {"summary": r.events[-1] if r.events else {}, "schedule": d["periods"],
                        "transaction_price": d["transaction_price"], "allocation": d["allocation"],
                        "rpo": d["rpo"], "event_entries": [_entry_json(e) for e in effect]}
        return {"dry_run": True, "contract_id": c.id, "run_type": run_type, "results": out}


def _entry_json(e) -> dict:
    return {"period": e.period, "entry_date": e.entry_date, "event": e.event, "memo": e.memo,
            "lines": [{"account": ln.account, "debit": str(ln.debit), "credit": str(ln.credit),
                       "currency": ln.currency, "dimensions": dict(ln.dimensions)} for ln in e.lines]}
