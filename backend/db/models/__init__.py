"""All ORM models, imported here so Alembic and the tenancy listeners see every table."""
from backend.db.models.tenancy import Account, Entity, Tenant  # noqa: F401
from backend.db.models.identity import ApiToken, User  # noqa: F401
from backend.db.models.audit import AuditChainHead, AuditEvent  # noqa: F401
from backend.db.models.platform import IdempotencyRecord, Job  # noqa: F401
from backend.db.models.leases import (  # noqa: F401
    FxRate, IbrRate, Lease, LeasePolicyVersion, LeaseRun, LeaseRunSchedule, PeriodLock)
from backend.db.models.journals import CloseRun, JournalEntry, JournalLine  # noqa: F401
from backend.db.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: F401
from backend.db.models.account_mapping import REVERSAL_ONCE, AccountMapping  # noqa: F401
from backend.db.models.web import PasswordLink, SignInAttempt, WebSession  # noqa: F401
from backend.db.models.disclosures import NarrativeOverride, StoredPack  # noqa: F401
from backend.db.models.revenue import (  # noqa: F401
    RevenueContract, RevenueDeadLetter, RevenuePolicySnapshot, RevenueRun, SspMatrixRow)
