"""Revenue contracts at a glance: search hits, headline figures by entity and book, and what needs a
person — the revenue half of the MCP tools ``portfolio.search``, ``portfolio.summary`` and
``needs_attention`` (``services/portfolio.py`` puts the lease and revenue halves together).

Figures come from each contract's current stored run (exactly what the close posts); remaining
performance obligations are replayed at the period end with the inputs that run used, as
``GET /v1/revenue/contracts/{id}/rpo`` does, so the two always agree.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from backend.db.models import Entity, RevenueContract, RevenueDeadLetter, RevenueRun
from backend.engine.calendar import period_end
from backend.engine.errors import EngineError
from backend.engine.money import from_minor, quantize
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.draft_triage import DraftTriage
from backend.services.platform.errors import InvalidInput
from backend.services.platform.pagination import Page
from backend.services.platform.tenancy import get_entity_by_code
from backend.services.revenue import contracts
from backend.services.revenue.config import BOOKS
from backend.services.revenue.runs import Inputs, rpo_at
from backend.services.revenue.stored import StoredResult

CONTRACT_STATUSES = ("draft", "confirmed")
BALANCES = ("receivable", "contract_asset", "contract_liability")
MONEY = ("transaction_price", "revenue_in_period", "revenue_to_date", *BALANCES, "rpo",
         "rpo_within_12_months", "rpo_after_12_months")


def _severity_count(issues: list[dict] | None, severity: str) -> int:
    return sum(i.get("severity") == severity for i in issues or [])


def _scope(s, entity: str | None) -> tuple[Entity | None, dict[str, str]]:
    """The entity asked for (None: all) and every entity's code by id."""
    return (get_entity_by_code(s, entity) if entity else None), dict(s.execute(select(Entity.id, Entity.code)).all())


def search_view(c: RevenueContract, entity_code: str) -> dict:
    """A contract as a search hit: what an agent needs to pick one, not the whole engine input."""
    return {"kind": "contract", "id": c.id, "entity": entity_code, "external_id": c.external_id,
            "customer": c.customer, "status": c.status, "currency": c.currency, "start_date": c.start_date,
            "error_count": _severity_count(c.issues, "error"), "warning_count": _severity_count(c.issues, "warning"),
            "needs_recalculation": c.needs_recalculation, "version": c.version, "updated_at": c.updated_at}


def search(rt: Runtime, actor: Actor, *, limit: int, cursor: str | None = None, entity: str | None = None,
           status: str | None = None, standard: str | None = None, currency: str | None = None,
           text: str | None = None, starting_from: date | None = None, starting_to: date | None = None) -> Page:
    """Contracts matching every filter (``text``: external id or customer), as search hits."""
    if status is not None and status not in CONTRACT_STATUSES:
        raise InvalidInput(f"A contract's status is one of {', '.join(CONTRACT_STATUSES)}.", code="invalid_status")
    if standard is not None and standard not in BOOKS:
        raise InvalidInput(f"A contract's book is one of {', '.join(BOOKS)}.", code="invalid_standard")
    return contracts.list_contracts(rt, actor, limit=limit, cursor=cursor, sort=None, entity=entity, status=status,
                                    standard=standard, currency=currency, text=text, start_from=starting_from,
                                    start_to=starting_to, view=search_view)


def _figures(stored: StoredResult, period: str) -> dict[str, int]:
    """Minor units at the end of ``period``: the month's revenue, cumulative revenue and the
    balances (zero before the first month; balances hold after the last)."""
    c = stored.columns
    keys = c.keys
    if not len(keys) or period < keys[0]:
        return {"revenue_in_period": 0, "revenue_to_date": 0, **{b: 0 for b in BALANCES}}
    last = len(keys) - 1 if period > keys[-1] else stored.period_index(period)
    return {"revenue_in_period": c.revenue_total[last] if period <= keys[-1] else 0,
            "revenue_to_date": sum(c.revenue_total[:last + 1]),
            **{b: getattr(c, b)[last] for b in BALANCES}}


def summary(rt: Runtime, actor: Actor, *, entity: str | None, period: str) -> dict:
    """Contract counts by entity and status; per entity × book × currency: contracts with a
    current run, transaction price, revenue of the period and to date, receivable, contract asset
    and liability at the period end, and remaining performance obligations (total, within and
    after 12 months) at the period end. Money as strings."""
    as_of = period_end(period)
    with rt.db.session(actor.tenant_id) as s:
        ent, codes = _scope(s, entity)
        count_stmt = (select(RevenueContract.entity_id, RevenueContract.status, func.count())
                      .group_by(RevenueContract.entity_id, RevenueContract.status))
        runs_stmt = (select(RevenueRun, RevenueContract).join(RevenueContract,
                                                               RevenueContract.id == RevenueRun.contract_id)
                     .where(RevenueRun.is_current.is_(True), RevenueContract.status == "confirmed")
                     .order_by(RevenueRun.contract_id, RevenueRun.standard))
        if ent is not None:
            count_stmt = count_stmt.where(RevenueContract.entity_id == ent.id)
            runs_stmt = runs_stmt.where(RevenueRun.entity_id == ent.id)
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {st: 0 for st in CONTRACT_STATUSES})
        for entity_id, status, n in s.execute(count_stmt):
            counts[codes[entity_id]][status] = int(n)
        books: dict[tuple[str, str, str], dict] = {}
        rpo_cache: dict[str, dict[str, dict]] = {}
        inputs_by_entity: dict[str, Inputs] = {}
        unavailable: list[dict] = []
        for run, contract in s.execute(runs_stmt):
            code = codes[run.entity_id]
            b = books.setdefault((code, run.standard, run.currency),
                                 {"contracts": 0, **{f: Decimal(0) for f in MONEY}})
            b["contracts"] += 1
            b["transaction_price"] += Decimal(run.summary["transaction_price"]["total"])
            for k, units in _figures(StoredResult.of_run(run), period).items():
                b[k] += from_minor(units, run.currency)
            if contract.id not in rpo_cache:
                owner = s.get_one(Entity, run.entity_id)
                if run.entity_id not in inputs_by_entity:
                    inputs_by_entity[run.entity_id] = Inputs.load(s, owner)
                try:
                    rpo_cache[contract.id] = rpo_at(s, contract, owner, as_of,
                                                    inputs=inputs_by_entity[run.entity_id])
                except EngineError as exc:
                    rpo_cache[contract.id] = {}
                    unavailable.append({"contract_id": contract.id, "code": exc.code, "message": exc.message})
            rpo = rpo_cache[contract.id].get(run.standard)
            if rpo is not None:
                b["rpo"] += Decimal(rpo["total"])
                b["rpo_within_12_months"] += Decimal(rpo["time_bands"]["within_12_months"])
                b["rpo_after_12_months"] += Decimal(rpo["time_bands"]["after_12_months"])
    by_book = [{"entity": e, "standard": std, "currency": ccy,
                **{k: (str(quantize(v, ccy)) if k in MONEY else v) for k, v in b.items()}}
               for (e, std, ccy), b in sorted(books.items())]
    return {"contracts_by_entity": [{"entity": e, **c, "total": sum(c.values())} for e, c in sorted(counts.items())],
            "revenue_by_book": by_book, "rpo_as_of": as_of, "rpo_unavailable": unavailable}


def attention(rt: Runtime, actor: Actor, *, entity: str | None, stale_before: datetime,
              limit: int) -> dict[str, list[dict]]:
    """Draft contracts with errors or warnings, drafts left unconfirmed since ``stale_before``,
    confirmed contracts whose inputs changed since their run (a recalculation waits), and open
    dead-letter entries (a run that failed: fix the input, then recalculate)."""
    with rt.db.session(actor.tenant_id) as s:
        ent, codes = _scope(s, entity)
        q = select(RevenueContract)
        dlq = select(RevenueDeadLetter).where(RevenueDeadLetter.status == "open")
        if ent is not None:
            q = q.where(RevenueContract.entity_id == ent.id)
            dlq = dlq.where(RevenueDeadLetter.entity_id == ent.id)
        drafts = DraftTriage(stale_before)
        for c in s.scalars(q.where(RevenueContract.status == "draft").order_by(RevenueContract.created_at)):
            drafts.add({"contract_id": c.id, "entity": codes[c.entity_id], "external_id": c.external_id},
                       c.issues, c.created_at)
        recalc = [{"contract_id": c.id, "entity": codes[c.entity_id], "external_id": c.external_id,
                   "updated_at": c.updated_at}
                  for c in s.scalars(q.where(RevenueContract.status == "confirmed",
                                             RevenueContract.needs_recalculation.is_(True))
                                     .order_by(RevenueContract.updated_at).limit(limit))]
        dead = [{"dead_letter_id": d.id, "contract_id": d.contract_id, "entity": codes[d.entity_id],
                 "run_type": d.run_type, "standards": d.standards, "code": d.code, "message": d.message,
                 "field": d.rule_field, "created_at": d.created_at}
                for d in s.scalars(dlq.order_by(RevenueDeadLetter.created_at.desc()).limit(limit))]
    return {"contract_drafts_with_errors": drafts.with_errors[:limit],
            "contract_drafts_with_warnings": drafts.with_warnings[:limit],
            "unconfirmed_contracts": drafts.unconfirmed[:limit], "contracts_needing_recalculation": recalc,
            "revenue_dead_letters": dead}

