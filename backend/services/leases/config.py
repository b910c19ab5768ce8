"""Entity lease configuration: versioned policy, IBR matrix and FX rates, all audited.

The engine receives plain values from here: a ``LeasePolicy``, a resolved discount rate with a
record of why it was chosen, and an FX-rate lookup.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from backend.db.models import Entity, FxRate, IbrRate, LeasePolicyVersion
from backend.engine.errors import EngineError
from backend.engine.leases import LeasePolicy
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
    errors = []
    for i, r in enumerate(rates):
        if r["term_from_months"] > r["term_to_months"]:
            errors.append({"field": f"rates[{i}].term_to_months", "code": "invalid_band",
                           "message": "term_to_months must not be below term_from_months"})
    by_ccy: dict[str, list[tuple[int, int]]] = {}
    for r in rates:
        by_ccy.setdefault(r["currency"], []).append((r["term_from_months"], r["term_to_months"]))
    for ccy, bands in by_ccy.items():
        bands.sort()
        for (a0, a1), (b0, _b1) in zip(bands, bands[1:]):
            if b0 <= a1:
                errors.append({"field": "rates", "code": "overlapping_bands",
                               "message": f"{ccy}: term bands {a0}-{a1} and {b0}-… overlap"})
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


class IbrLookup:
    """All IBR rows of an entity in memory, for resolving many leases at once."""

    def __init__(self, rows):
        self.rows = sorted(rows, key=lambda r: (r.effective_date, r.matrix_version))

    @classmethod
    def load(cls, s, entity_id: str) -> "IbrLookup":
        return cls(s.scalars(select(IbrRate).where(IbrRate.entity_id == entity_id)).all())

    def resolve(self, currency: str, term_months: int, as_of: date) -> tuple[Decimal, dict] | None:
        """The rate of the newest matrix effective on ``as_of`` whose band holds the term."""
        best = None
        for r in self.rows:
            if r.effective_date > as_of or r.currency != currency:
                continue
            if r.term_from_months <= term_months <= r.term_to_months:
                best = r  # rows are in effective order, so the last match is the newest
        if best is None:
            return None
        return D(best.rate), {"source": "ibr_matrix", "matrix_version": best.matrix_version,
                              "effective_date": best.effective_date.isoformat(), "currency": currency,
                              "term_band": f"{best.term_from_months}-{best.term_to_months} months",
                              "term_months": term_months, "rate": str(best.rate)}


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


class FxTable:
    """FX lookup for the engine: the rate dated on the day asked, or the latest within the
    previous 7 days (weekends and holidays); anything older is treated as missing so a stale
    rate is never used silently."""

    MAX_AGE_DAYS = 7

    def __init__(self, rows):
        self.series: dict[tuple[str, str], tuple[list[date], list[Decimal]]] = {}
        for r in sorted(rows, key=lambda r: r.rate_date):
            dates, values = self.series.setdefault((r.from_currency, r.to_currency), ([], []))
            dates.append(r.rate_date)
            values.append(D(r.rate))

    @classmethod
    def load(cls, s, entity_id: str) -> "FxTable":
        return cls(s.scalars(select(FxRate).where(FxRate.entity_id == entity_id)).all())

    def __call__(self, from_ccy: str, to_ccy: str, on: date) -> Decimal | None:
        if from_ccy == to_ccy:
            return Decimal(1)
        series = self.series.get((from_ccy, to_ccy))
        if series is not None:
            dates, values = series
            i = bisect.bisect_right(dates, on) - 1
            if i >= 0 and (on - dates[i]).days <= self.MAX_AGE_DAYS:
                return values[i]
        inverse = self.series.get((to_ccy, from_ccy))
        if inverse is not None:
            dates, values = inverse
            i = bisect.bisect_right(dates, on) - 1
            if i >= 0 and (on - dates[i]).days <= self.MAX_AGE_DAYS:
                return Decimal(1) / values[i]
        return None

    def has_pair(self, a: str, b: str) -> bool:
        return (a, b) in self.series or (b, a) in self.series


def entity_by_id(s, entity_id: str) -> Entity:
    ent = s.get(Entity, entity_id)
    if ent is None:
        raise NotFound("Entity not found.", code="entity_not_found")
    return ent


