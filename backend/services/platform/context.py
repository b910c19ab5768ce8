"""Who is acting, for whom, through which channel — passed to every service call."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from backend.db.session import Database
from backend.settings import Settings


@dataclass(frozen=True)
class Actor:
    tenant_id: str
    tenant_kind: str  # sandbox | production
    account_id: str
    user_id: str
    role: str
    actor_kind: str  # human | agent
    token_id: str | None
    plan: str = "starter"
    rate_limit_per_minute: int | None = None
    request_id: str | None = None
    channel: str = "rest"  # rest | addin | mcp | cli


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Runtime:
    """Process-wide dependencies of the services: settings, database, secret, clock."""

    settings: Settings
    db: Database
    secret_key: str
    clock: Callable[[], datetime] = system_clock
    # Set by the API app: pending per-request audit rows are flushed before the trail is read.
    audit_writer: Any = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "Runtime":
        """The process-wide Runtime of a server or worker process (settings from the environment)."""
        from backend.settings import get_settings

        settings = settings or get_settings()
        return cls(settings=settings, db=Database(settings.database_url), secret_key=settings.resolved_secret_key())

    def flush_audit(self) -> None:
        if self.audit_writer is not None:
            self.audit_writer.flush()
