"""Revenue configuration of an entity: immutable policy snapshots and the versioned SSP matrix.

A policy snapshot binds the elections (ratable convention, financing and costs-to-obtain
expedients, RPO expedients, shipping and handling, sales taxes, portfolio approach) to an entity;
every run records the version it used. The SSP matrix is replaced as a whole (a new version);
a change reaching a locked period is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from backend.db.models import Entity, RevenuePolicySnapshot, SspMatrixRow
from backend.engine.calendar import period_of
from backend.engine.revenue import InvalidRevenueInput, RevenuePolicy
from backend.services.ledger.locks import load_locks
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput
from backend.services.platform.tenancy import get_entity_by_code

BOOKS = ("IFRS15", "ASC606")
# Elections the engine does not compute with yet, kept on the snapshot (disclosure, later rules).
EXTRA_ELECTIONS = {"shipping_and_handling": ("fulfilment_cost", "performance_obligation"),
                   "sales_taxes": ("exclude", "include"), "portfolio_approach": (True, False)}


@dataclass
class PolicyRecord:
    version: int  # 0 = the defaults (no snapshot yet)
    policy: RevenuePolicy
    data: dict
    id: str | None = None


def default_standards(entity: Entity) -> tuple[str, ...]:
    named = tuple(s for s in BOOKS if s in (entity.enabled_standards or []))
    return named or BOOKS


def snapshot_view(row: RevenuePolicySnapshot | None, entity: Entity, rec: PolicyRecord | None = None) -> dict:
    if row is None:
        return {"id": None, "entity": entity.code, "version": 0, "policy": rec.data if rec else {},
                "created_at": None, "created_by": None}
    return {"id": row.id, "entity": entity.code, "version": row.version, "policy": row.data,
            "created_at": row.created_at, "created_by": row.created_by}


def current_policy(s, entity: Entity) -> PolicyRecord:
    row = s.scalar(select(RevenuePolicySnapshot).where(RevenuePolicySnapshot.entity_id == entity.id)
                   .order_by(RevenuePolicySnapshot.version.desc()).limit(1))
    if row is None:
        pol = RevenuePolicy(enabled_standards=default_standards(entity))
        return PolicyRecord(0, pol, _full(pol.to_dict(), {}))
    return PolicyRecord(row.version, RevenuePolicy.from_dict(row.data), row.data, row.id)


def policy_version(s, entity: Entity, version: int) -> PolicyRecord:
    """The snapshot a run recorded (version 0: the defaults)."""
    row = s.scalar(select(RevenuePolicySnapshot).where(RevenuePolicySnapshot.entity_id == entity.id,
                                                       RevenuePolicySnapshot.version == version))
    if row is None:
        return current_policy(s, entity) if version else PolicyRecord(0, RevenuePolicy(
            enabled_standards=default_standards(entity)), {})
    return PolicyRecord(row.version, RevenuePolicy.from_dict(row.data), row.data, row.id)


def _full(engine: dict, extra: dict) -> dict:
    return {**engine, "shipping_and_handling": extra.get("shipping_and_handling", "fulfilment_cost"),
            "sales_taxes": extra.get("sales_taxes", "exclude"),
            "portfolio_approach": extra.get("portfolio_approach", False)}


def create_snapshot(rt: Runtime, actor: Actor, entity_code: str, data: dict) -> dict:
    """A new immutable snapshot (version + 1); runs after it use it, ``recalculate`` applies it to old ones."""
    try:
        pol = RevenuePolicy.from_dict({k: data.get(k) for k in ("enabled_standards", "ratable_convention",
                                                                 "financing_expedient", "costs_to_obtain_expedient",
                                                                 "rpo_expedients")})
    except InvalidRevenueInput as exc:
        raise InvalidInput("The policy has invalid elections.", code="invalid_policy", details=exc.errors) from None
    errors = [{"field": f"policy.{k}", "code": "invalid_choice", "message": f"{k} is one of {list(ok)}"}
              for k, ok in EXTRA_ELECTIONS.items() if data.get(k) is not None and data[k] not in ok]
    if errors:
        raise InvalidInput("The policy has invalid elections.", code="invalid_policy", details=errors)
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        version = (s.scalar(select(func.max(RevenuePolicySnapshot.version))
                            .where(RevenuePolicySnapshot.entity_id == entity.id)) or 0) + 1
        row = RevenuePolicySnapshot(entity_id=entity.id, version=version, data=_full(pol.to_dict(), data),
                                    created_by=actor.user_id)
        s.add(row)
        s.flush()
        view = snapshot_view(row, entity)
        audit.record_change(s, actor, now=now, action="revenue.policy_snapshot", resource_type="revenue_policy",
                            resource_id=row.id, after=view)
        return view


def list_snapshots(rt: Runtime, actor: Actor, entity_code: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        rows = s.scalars(select(RevenuePolicySnapshot).where(RevenuePolicySnapshot.entity_id == entity.id)
                         .order_by(RevenuePolicySnapshot.version)).all()
        cur = current_policy(s, entity)
        return {"entity": entity.code, "current": snapshot_view(rows[-1] if rows else None, entity, cur),
                "snapshots": [snapshot_view(r, entity) for r in rows]}


# ---------------------------------------------------------------- SSP matrix

def ssp_row_view(r: SspMatrixRow) -> dict:
    return {"sku": r.sku, "currency": r.currency, "dimensions": r.dimensions or {}, "method": r.method,
            "ssp": r.ssp, "low": r.low, "mid": r.mid, "high": r.high, "effective_from": r.effective_from,
            "effective_to": r.effective_to}


def _version(s, entity_id: str) -> int:
    return s.scalar(select(func.max(SspMatrixRow.matrix_version)).where(SspMatrixRow.entity_id == entity_id)) or 0


def load_ssp(s, entity_id: str, version: int | None = None) -> tuple[int, list[dict]]:
    """The matrix version (default: the current one) and its rows as the engine reads them."""
    v = _version(s, entity_id) if version is None else version
    if not v:
        return 0, []
    rows = s.scalars(select(SspMatrixRow).where(SspMatrixRow.entity_id == entity_id,
                                                SspMatrixRow.matrix_version == v)).all()
    out = []
    for r in rows:
        point = r.ssp or r.mid
        if point is None:
            continue
        out.append({"sku": r.sku, "currency": r.currency, "ssp": point, "effective_from": r.effective_from,
                    "effective_to": r.effective_to, **({"dimensions": r.dimensions} if r.dimensions else {})})
    return v, out


def get_matrix(rt: Runtime, actor: Actor, entity_code: str) -> dict:
    with rt.db.session(actor.tenant_id) as s:
        entity = get_entity_by_code(s, entity_code)
        v = _version(s, entity.id)
        rows = s.scalars(select(SspMatrixRow).where(SspMatrixRow.entity_id == entity.id,
                                                    SspMatrixRow.matrix_version == v)
                         .order_by(SspMatrixRow.sku, SspMatrixRow.effective_from)).all() if v else []
        return {"entity": entity.code, "version": v, "rows": [ssp_row_view(r) for r in rows]}


def _key(r: dict) -> tuple:
    return (r["sku"], r["currency"], tuple(sorted((r.get("dimensions") or {}).items())))


def _touched_periods(old: list[dict], new: list[dict]) -> set[str]:
    """Earliest period each changed (sku, currency, dimensions) reaches: a change affects contracts
    starting on or after the earliest effective_from of the old or new rows."""
    def norm(rows):
        out: dict[tuple, set] = {}
        for r in rows:
            out.setdefault(_key(r), set()).add((str(r["effective_from"]), str(r.get("effective_to") or ""),
                                                r.get("ssp"), r.get("low"), r.get("mid"), r.get("high"), r["method"]))
        return out
    a, b = norm(old), norm(new)
    periods = set()
    for k in set(a) | set(b):
        if a.get(k) != b.get(k):
            for row in a.get(k, set()) | b.get(k, set()):
                periods.add(period_of(date.fromisoformat(row[0])))
    return periods


def put_matrix(rt: Runtime, actor: Actor, entity_code: str, rows: list[dict]) -> dict:
    """Replace the matrix with a new version. A changed row whose effective period is locked (any
    revenue book, or ALL) is refused: locked periods' SSPs are immutable."""
    errors = []
    for i, r in enumerate(rows):
        if r.get("ssp") is None and r.get("mid") is None:
            errors.append({"field": f"rows[{i}].ssp", "code": "required", "message": "give ssp or a low/mid/high range"})
        if r.get("effective_to") and r["effective_to"] < r["effective_from"]:
            errors.append({"field": f"rows[{i}].effective_to", "code": "end_before_start",
                           "message": "effective_to is before effective_from"})
    if errors:
        raise InvalidInput("The SSP matrix has invalid rows.", code="invalid_ssp_matrix", details=errors)
    now = rt.clock()
    with rt.db.session(actor.tenant_id, write=True) as s:
        entity = get_entity_by_code(s, entity_code)
        v = _version(s, entity.id)
        old = [ssp_row_view(r) for r in s.scalars(select(SspMatrixRow).where(
            SspMatrixRow.entity_id == entity.id, SspMatrixRow.matrix_version == v))] if v else []
        locks = load_locks(s, entity.id)
        locked = sorted(p for p in _touched_periods(old, rows) if any(locks.is_locked(b, p) for b in BOOKS))
        if locked:
            raise Conflict(f"The change reaches locked period(s) {', '.join(locked)} of {entity.code}; SSPs of a "
                           "locked period are immutable. Date the change from the first open period.",
                           code="period_locked", details={"entity": entity.code, "periods": locked})
        for r in rows:
            s.add(SspMatrixRow(entity_id=entity.id, matrix_version=v + 1, sku=r["sku"], currency=r["currency"],
                               dimensions=r.get("dimensions") or {}, method=r["method"], ssp=r.get("ssp"),
                               low=r.get("low"), mid=r.get("mid"), high=r.get("high"),
                               effective_from=r["effective_from"], effective_to=r.get("effective_to"),
                               created_by=actor.user_id))
        s.flush()
        audit.record_change(s, actor, now=now, action="revenue.ssp_matrix", resource_type="ssp_matrix",
                            resource_id=f"{entity.code}:v{v + 1}", before={"version": v, "rows": len(old)},
                            after={"version": v + 1, "rows": len(rows)})
    return get_matrix(rt, actor, entity_code)
