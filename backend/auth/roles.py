"""Roles and actor kinds. A role's rank orders them for 'this role or above' checks."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    APPROVER = "APPROVER"
    PREPARER = "PREPARER"
    REVIEWER = "REVIEWER"


class ActorKind(StrEnum):
    HUMAN = "human"
    AGENT = "agent"


RANK = {Role.REVIEWER: 0, Role.PREPARER: 1, Role.APPROVER: 2, Role.ADMIN: 3, Role.OWNER: 4}
