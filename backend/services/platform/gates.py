"""Gates every channel shares: what only a person may do, whatever the token's role."""
from __future__ import annotations

from backend.services.platform.context import Actor
from backend.services.platform.errors import Forbidden


def require_human(actor: Actor, what: str = "approve journal entries") -> None:
    """Approvals, reversals and period locks need a human: an agent token is refused (and audited
    as a 403 like any refusal)."""
    if actor.actor_kind != "human":
        raise Forbidden(f"Only a person may {what}; agent tokens cannot, whatever their role.",
                        code="approval_requires_human", details={"actor_kind": actor.actor_kind})
