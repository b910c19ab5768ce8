"""Entity lease configuration: versioned policy, IBR matrix and FX rates, all audited.

The engine receives plain values from here: a ``LeasePolicy``, a resolved discount rate with a
record of why it was chosen, and an FX-rate lookup.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from backend.db.models import Entity, FxRate, IbrRate, LeasePolicyVersion
from backend.engine.errors import EngineError
from backend.engine.fx_rates import FxTable
from backend.engine.leases import LeasePolicy
from backend.engine.leases.ibr import IbrMatrix, check_ibr_matrix
from backend.engine.money import D
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput, NotFound
from backend.services.platform.tenancy import get_entity_by_code

LEASE_STANDARDS = ("IFRS16", "ASC842")


def _engine_policy(entity: Entity, data: dict | None) -> LeasePolicy:
    base = {"enabled_standards": [s for s in entity.enabled_standards if s in LEASE_STANDARDS] or None}
    merged = {**base, **(data or {}), "functional_currency": entity.functional_currency}
    try:
        return LeasePolicy.from_dict(merged)
    except EngineError as exc:
        raise InvalidInput("The lease policy has invalid fields.", code="invalid_policy",
                           details=exc.details.get("errors", [])) from None


@dataclass
class PolicyRecord:
    version: int
    effective_date: date | None
    policy: LeasePolicy


def current_policy(s, entity: Entity) -> PolicyRecord:
    """The latest policy version of the entity (defaults when none was ever set)."""
    row = s.scalar(select(LeasePolicyVersion).where(LeasePolicyVersion.entity_id == entity.id)
                   .order_by(LeasePolicyVersion.version.desc()).limit(1))
    if row is None:
        return PolicyRecord(0, None, _engine_policy(entity, None))
    return PolicyRecord(row.version, row.effective_date, _engine_policy(entity, row.data))


def policy_view(entity: Entity, rec: PolicyRecord) -> dict:
    return {"entity": entity.code, "version": rec.version, "effective_date": rec.effective_date,
            **rec.policy.to_dict()}


def get_policy(rt: Runtime, actor: Actor, entity_code: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        return policy_view(entity, current_policy(s, entity))


def put_policy(rt: Runtime, actor: Actor, entity_code: str, data: dict, effective_date: date) -> dict:
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        policy = _engine_policy(entity, data)  # validates before anything is written
        before = current_policy(s, entity)
        row = LeasePolicyVersion(entity_id=entity.id, version=before.version + 1, effective_date=effective_date,
                                 data={k: v for k, v in policy.to_dict().items() if k != "functional_currency"},
                                 created_by=actor.user_id)
        s.add(row)
        s.flush()
        rec = PolicyRecord(row.version, effective_date, policy)
        audit.record_change(s, actor, now=rt.clock(), action="lease_config.policy", resource_type="lease_policy",
                            resource_id=row.id, before=policy_view(entity, before), after=policy_view(entity, rec))
        return policy_view(entity, rec)


# ---------------------------------------------------------------- IBR matrix

def put_ibr_matrix(rt: Runtime, actor: Actor, entity_code: str, effective_date: date, rates: list[dict]) -> dict:
    """Add a new matrix version: every (currency, band) row applies from ``effective_date``."""
    errors = check_ibr_matrix(rates)
    if errors:
        raise InvalidInput("The IBR matrix has invalid rows.", code="invalid_ibr_matrix", details=errors)
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        version = (s.scalar(select(func.max(IbrRate.matrix_version)).where(IbrRate.entity_id == entity.id)) or 0) + 1
        for r in rates:
            s.add(IbrRate(entity_id=entity.id, matrix_version=version, effective_date=effective_date,
                          currency=r["currency"], term_from_months=r["term_from_months"],
                          term_to_months=r["term_to_months"], rate=D(r["rate"])))
        s.flush()
        out = _matrix_view(entity, s.scalars(select(IbrRate).where(IbrRate.entity_id == entity.id)).all())
        audit.record_change(s, actor, now=rt.clock(), action="lease_config.ibr_matrix", resource_type="ibr_matrix",
                            resource_id=f"{entity.code}:v{version}", after={"version": version, "rates": rates,
                                                                            "effective_date": effective_date})
        return out


def _matrix_view(entity: Entity, rows) -> dict:
    return {"entity": entity.code, "rates": [
        {"matrix_version": r.matrix_version, "effective_date": r.effective_date, "currency": r.currency,
         "term_from_months": r.term_from_months, "term_to_months": r.term_to_months, "rate": str(r.rate)}
        for r in sorted(rows, key=lambda r: (r.currency, r.effective_date, r.term_from_months, r.matrix_version))]}


def get_ibr_matrix(rt: Runtime, actor: Actor, entity_code: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        return _matrix_view(entity, s.scalars(select(IbrRate).where(IbrRate.entity_id == entity.id)).all())


def load_ibr(s, entity_id: str) -> IbrMatrix:
    """The entity's IBR rows as the engine's lookup (currency × term band × effective date)."""
    return IbrMatrix(s.scalars(select(IbrRate).where(IbrRate.entity_id == entity_id)).all())


# ---------------------------------------------------------------- FX rates

def put_fx_rates(rt: Runtime, actor: Actor, entity_code: str, rates: list[dict]) -> dict:
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        existing = {(r.from_currency, r.to_currency, r.rate_date): r
                    for r in s.scalars(select(FxRate).where(FxRate.entity_id == entity.id))}
        changed = []
        for r in rates:
            key = (r["from_currency"], r["to_currency"], r["date"])
            row = existing.get(key)
            if row is None:
                s.add(FxRate(entity_id=entity.id, from_currency=key[0], to_currency=key[1], rate_date=key[2],
                             rate=D(r["rate"])))
            elif row.rate != D(r["rate"]):
                changed.append({"pair": f"{key[0]}/{key[1]}", "date": key[2], "before": str(row.rate),
                                "after": r["rate"]})
                row.rate = D(r["rate"])
        s.flush()
        audit.record_change(s, actor, now=rt.clock(), action="lease_config.fx_rates", resource_type="fx_rates",
                            resource_id=entity.code, after={"upserted": len(rates), "changed": changed})
        return {"entity": entity.code, "upserted": len(rates), "changed": changed}


def list_fx_rates(rt: Runtime, actor: Actor, entity_code: str, *, from_currency: str | None = None,
                  to_currency: str | None = None, date_from: date | None = None, date_to: date | None = None) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        stmt = select(FxRate).where(FxRate.entity_id == entity.id).order_by(FxRate.rate_date, FxRate.from_currency)
        if from_currency:
            stmt = stmt.where(FxRate.from_currency == from_currency)
        if to_currency:
            stmt = stmt.where(FxRate.to_currency == to_currency)
        if date_from:
            stmt = stmt.where(FxRate.rate_date >= date_from)
        if date_to:
            stmt = stmt.where(FxRate.rate_date <= date_to)
        return {"entity": entity.code, "rates": [
            {"from_currency": r.from_currency, "to_currency": r.to_currency, "date": r.rate_date, "rate": str(r.rate)}
            for r in s.scalars(stmt)]}


def load_fx(s, entity_id: str) -> FxTable:
    """The entity's FX rates as the engine's table (dated rate, or the latest within 7 days)."""
    return FxTable(s.scalars(select(FxRate).where(FxRate.entity_id == entity_id)).all())


def entity_by_id(s, entity_id: str) -> Entity:
    ent = s.get(Entity, entity_id)
    if ent is None:
        raise NotFound("Entity not found.", code="entity_not_found")
    return ent


