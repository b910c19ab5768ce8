"""Auditor narrative overrides: one store for lease and revenue packs.

Key: source (lease | revenue) × entity × standard (or COMBINED) × period × section. Each PUT adds
a version with who and why (rows are never updated); the highest version is in force, and a
version with ``text`` None reverts the section to its generated narrative. Overrides are applied
to a built or stored pack without re-running the engine (``engine.disclosures.apply_overrides``).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.db.models import NarrativeOverride
from backend.engine.disclosures import parse_window
from backend.engine.disclosures.lease_pack import SECTION_TITLES
from backend.engine.errors import EngineError
from backend.services.platform import audit_chain as audit
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import Conflict, InvalidInput
from backend.services.platform.tenancy import get_entity_by_code

SOURCES = {"lease": ("IFRS16", "ASC842"), "revenue": ("IFRS15", "ASC606", "COMBINED")}
REVENUE_SECTIONS = ("disaggregation", "contract_balances", "rpo", "judgements", "contract_costs", "expedients",
                    "divergences")
MAX_TEXT = 20_000


def sections_for(source: str, standard: str) -> tuple[str, ...]:
    if source == "lease":
        return tuple(SECTION_TITLES[standard])
    return REVENUE_SECTIONS if standard == "COMBINED" else REVENUE_SECTIONS[:-1]


def check_standard(source: str, standard: str) -> str:
    allowed = SOURCES[source]
    if standard not in allowed:
        field = "standard" if source == "lease" else "scope"
        raise InvalidInput(f"{field} must be one of {', '.join(allowed)}.", code=f"invalid_{field}",
                           details=[{"field": field, "code": "invalid_choice", "message": str(standard)}])
    return standard


def window_for(entity, period: str):
    try:
        return parse_window(period, entity.fiscal_year_end or "12-31")
    except EngineError as exc:
        raise InvalidInput(exc.message, code="invalid_period",
                           details=[{"field": "period", "code": "invalid_period", "message": exc.message}]) from None


def view(o: NarrativeOverride, entity_code: str) -> dict:
    return {"id": o.id, "source": o.source, "entity": entity_code, "standard": o.standard, "period": o.period,
            "section": o.section, "version": o.version, "text": o.text, "reason": o.reason,
            "created_by": o.created_by, "actor_kind": o.actor_kind, "created_at": o.created_at.isoformat()}


def _rows(s, source: str, entity_id: str, standard: str, period: str, section: str | None = None):
    stmt = select(NarrativeOverride).where(NarrativeOverride.source == source,
                                           NarrativeOverride.entity_id == entity_id,
                                           NarrativeOverride.standard == standard, NarrativeOverride.period == period)
    if section:
        stmt = stmt.where(NarrativeOverride.section == section)
    return s.scalars(stmt.order_by(NarrativeOverride.section, NarrativeOverride.version)).all()


def current(s, source: str, entity_id: str, standard: str, period: str, entity_code: str = "") -> dict[str, dict]:
    """Section id → the version in force (including reverts, whose ``text`` is None)."""
    out: dict[str, dict] = {}
    for o in _rows(s, source, entity_id, standard, period):
        out[o.section] = view(o, entity_code)  # ordered by version: the last one wins
    return out


def list_overrides(rt: Runtime, actor: Actor, *, source: str, entity: str, standard: str, period: str,
                   section: str | None = None) -> dict:
    check_standard(source, standard)
    with rt.db.session(actor.tenant_id) as s:
        ent = get_entity_by_code(s, entity)
        label = window_for(ent, period).label
        rows = _rows(s, source, ent.id, standard, label, section)
        history = [view(o, ent.code) for o in rows]
    cur: dict[str, dict] = {}
    for h in history:
        cur[h["section"]] = h
    return {"source": source, "entity": entity, "standard": standard, "period": label,
            "sections": list(sections_for(source, standard)),
            "current": [c for c in cur.values() if c["text"] is not None], "history": history}


def put_override(rt: Runtime, actor: Actor, *, source: str, entity: str, standard: str, period: str, section: str,
                 text: str | None, reason: str) -> dict:
    """Add a version (APPROVER and above: the route's permission); audited in the same transaction."""
    check_standard(source, standard)
    if section not in sections_for(source, standard):
        raise InvalidInput(f"Unknown section {section!r} for {standard}; sections: "
                           f"{', '.join(sections_for(source, standard))}.", code="unknown_section",
                           details=[{"field": "section", "code": "invalid_choice", "message": section}])
    if not (reason or "").strip():
        raise InvalidInput("Say why the narrative is overridden.", code="reason_required",
                           details=[{"field": "reason", "code": "required", "message": "reason is required"}])
    if text is not None and (not text.strip() or len(text) > MAX_TEXT):
        raise InvalidInput(f"text is 1 to {MAX_TEXT} characters (or null to revert to the generated narrative).",
                           code="invalid_text", details=[{"field": "text", "code": "invalid_length",
                                                          "message": "1..20000 characters or null"}])
    now = rt.clock()
    try:
        with rt.db.session(actor.tenant_id, write=True) as s:
            ent = get_entity_by_code(s, entity)
            label = window_for(ent, period).label
            C = NarrativeOverride
            last = s.scalar(select(C).where(C.source == source, C.entity_id == ent.id, C.standard == standard,
                                            C.period == label, C.section == section)
                            .order_by(C.version.desc()).limit(1))
            version = (last.version if last else 0) + 1
            row = C(source=source, entity_id=ent.id, standard=standard, period=label, section=section,
                    version=version, text=text, reason=reason.strip()[:500], created_by=actor.user_id,
                    actor_kind=actor.actor_kind, created_at=now)
            s.add(row)
            s.flush()
            out = view(row, ent.code)
            audit.record_change(s, actor, now=now, action="disclosures.narrative_override",
                                resource_type="disclosure_narrative", resource_id=row.id,
                                before=view(last, ent.code) if last else None, after=out)
    except IntegrityError:
        raise Conflict("Another override of this section was saved at the same time; read it and retry.",
                       code="override_conflict") from None
    return out

