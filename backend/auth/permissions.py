"""The one permission matrix (action → roles allowed), used by REST, the add-in and MCP alike.

REVIEWER reads; PREPARER prepares (drafts, runs, closes); APPROVER approves and locks periods;
ADMIN configures (users, tokens of others, policies, webhooks); OWNER may do everything.
A test walks every route of the app and fails when a route names no action of this table.
"""
from __future__ import annotations

from backend.auth.roles import Role

R, P, A, AD, O = Role.REVIEWER, Role.PREPARER, Role.APPROVER, Role.ADMIN, Role.OWNER
READ = frozenset({R, P, A, AD, O})
PREPARE = frozenset({P, A, AD, O})
APPROVE = frozenset({A, AD, O})
CONFIGURE = frozenset({AD, O})

MATRIX: dict[str, frozenset[Role]] = {
    # identity and platform
    "me.read": READ,
    "users.read": READ,
    "users.create": CONFIGURE,
    "users.update": CONFIGURE,
    "tokens.read": READ,
    "tokens.create": READ,  # everyone may mint their own; minting for others is checked in the service
    "tokens.revoke": READ,  # own tokens; others' need ADMIN (service check)
    "audit.read": READ,
    "audit.verify": READ,
    "sandbox.reset": CONFIGURE,
    "entities.read": READ,
    "entities.create": CONFIGURE,
    "entities.update": CONFIGURE,
    # leases
    "leases.read": READ,
    "portfolio.read": READ,  # leases and contracts together (MCP portfolio tools)
    "leases.write": PREPARE,
    "leases.confirm": PREPARE,
    "lease_config.read": READ,
    "lease_config.write": CONFIGURE,
    "period_locks.read": READ,
    "period_locks.write": APPROVE,
    "engine.read": READ,
    "engine.run": PREPARE,
    "close.run": PREPARE,
    "jobs.read": READ,
    # revenue contracts (period locks reuse period_locks.*; closes reuse close.run)
    "revenue.read": READ,
    "revenue.write": PREPARE,
    "revenue.confirm": PREPARE,
    "revenue_config.read": READ,
    "revenue_config.write": CONFIGURE,
    # webhooks (subscriptions carry signing secrets and see every event type: ADMIN+)
    "webhooks.read": CONFIGURE,
    "webhooks.write": CONFIGURE,
    # journals: approve/reverse also need a human actor and four eyes (backend/services/ledger/journals.py);
    # void touches drafts only; post records the ERP's posting id (an integration token may do it)
    "journals.read": READ,
    "journals.export": READ,
    "journals.approve": APPROVE,
    "journals.reverse": APPROVE,
    "journals.void": PREPARE,
    "journals.post": PREPARE,
    "account_mapping.read": READ,
    "account_mapping.write": CONFIGURE,
    # disclosure packs: everyone reads; auditor narrative overrides need APPROVER and above
    "disclosures.read": READ,
    "disclosures.override": APPROVE,
}

# Actions only a person may take, whatever the token's role: approvals and reversals (four eyes),
# period locks, and every change of configuration, users, tokens' owners or webhooks. An agent
# token is refused with ``approval_requires_human`` on every channel (REST, add-in, MCP).
HUMAN_ONLY = frozenset({
    "journals.approve", "journals.reverse", "period_locks.write", "lease_config.write", "account_mapping.write",
    "entities.create", "entities.update", "users.create", "users.update", "webhooks.write", "sandbox.reset",
    "revenue_config.write", "disclosures.override",
})

# Routes that need no token at all.
PUBLIC = frozenset({"health", "openapi"})


def allowed(action: str, role: str) -> bool:
    try:
        roles = MATRIX[action]
    except KeyError:
        raise KeyError(f"no permission entry for action {action!r}") from None
    return Role(role) in roles
