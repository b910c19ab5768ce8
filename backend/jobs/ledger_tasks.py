"""Job handlers of the ledger: the monthly close of any source. Importing the sources here
registers them, so a worker process can close whatever the API queued."""
from __future__ import annotations

from backend.jobs.queue import ClaimedJob
from backend.jobs.registry import handler, on_give_up
from backend.services.leases import close as _lease_source  # noqa: F401  (registers leases)
from backend.services.revenue import close as _revenue_source  # noqa: F401  (registers revenue contracts)
from backend.services.ledger import close as ledger_close


@handler(ledger_close.JOB_KIND)
def monthly_close(rt, job: ClaimedJob) -> dict:
    p = job.payload
    return ledger_close.run_close(rt, job.tenant_id, p["close_id"], job_id=job.id, worker_id=job.worker_id,
                                  actor_user_id=p.get("actor_user_id"), actor_kind=p.get("actor_kind"),
                                  request_id=job.request_id)


@on_give_up(ledger_close.JOB_KIND)
def report_failure(rt, job: ClaimedJob, code: str, message: str) -> None:
    ledger_close.report_failure(rt, job.tenant_id, job.id, job.payload, code, message, request_id=job.request_id)
