"""Read-only views the dashboard needs that no other service offers: when each token was last
used (from the audit trail) and the tenant's recent jobs with their progress."""
from __future__ import annotations

from sqlalchemy import func, select

from backend.db.models import ApiToken, AuditEvent, Job, User
from backend.services.platform import jobs
from backend.services.platform.context import Actor, Runtime


def tokens_last_used(rt: Runtime, actor: Actor, token_ids: list[str]) -> dict:
    """token id → the time of its latest audited request in this tenant (absent: never used)."""
    if not token_ids:
        return {}
    rt.flush_audit()
    with rt.db.session(actor.tenant_id) as s:
        rows = s.execute(select(AuditEvent.token_id, func.max(AuditEvent.created_at))
                         .where(AuditEvent.chain_key == actor.tenant_id, AuditEvent.token_id.in_(token_ids))
                         .group_by(AuditEvent.token_id)).all()
    return dict(rows)


def token_creators(rt: Runtime, actor: Actor, token_ids: list[str]) -> dict:
    """token id → the id of the user who minted it (None: the CLI or sign-up)."""
    if not token_ids:
        return {}
    with rt.db.session(actor.tenant_id) as s:
        return dict(s.execute(select(ApiToken.id, ApiToken.created_by_user_id)
                              .where(ApiToken.id.in_(token_ids))).all())


def user_names(rt: Runtime, actor: Actor) -> dict:
    """user id → name, for the people and agents of the actor's account (to label 'created by')."""
    with rt.db.session(actor.tenant_id) as s:
        return dict(s.execute(select(User.id, User.name).where(User.account_id == actor.account_id)).all())


def recent_jobs(rt: Runtime, actor: Actor, *, limit: int = 20, active_only: bool = False) -> list[dict]:
    """The tenant's latest jobs (engine runs, closes, imports, deliveries) with their progress."""
    with rt.db.session(actor.tenant_id) as s:
        stmt = select(Job).where(Job.tenant_id == actor.tenant_id)
        if active_only:
            stmt = stmt.where(Job.status.in_(("queued", "running")))
        rows = s.scalars(stmt.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)).all()
        return [jobs.view(j) for j in rows]


def engine_account_codes() -> list[str]:
    """The stable engine account codes an entity maps to its chart of accounts."""
    from backend.engine.leases import postings

    return sorted(v for k, v in vars(postings).items() if k.isupper() and isinstance(v, str) and k == v)


def lease_template_bytes() -> bytes:
    """The lease input workbook template (with its example rows), as the repo's generator builds it."""
    from backend.workbooks.template import build_template

    return build_template()
