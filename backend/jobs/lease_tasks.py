"""Job handlers for lease engine work. Each is idempotent: a retry finds what the first try wrote."""
from __future__ import annotations

from backend.jobs.queue import ClaimedJob
from backend.jobs.registry import handler, on_give_up
from backend.services.leases import runs as lease_runs


@handler("lease.initial_recognition")
def initial_recognition(rt, job: ClaimedJob) -> dict:
    p = job.payload
    return lease_runs.initial_recognition(rt, job.tenant_id, p["lease_ids"], p["standards"], job_id=job.id,
                                          actor_user_id=p.get("actor_user_id"),
                                          actor_kind=p.get("actor_kind") or "human", request_id=job.request_id)


@handler("lease.event")
def lease_event(rt, job: ClaimedJob) -> dict:
    from backend.services.leases import events as lease_events

    return lease_events.apply_run(rt, job.tenant_id, job.payload, job_id=job.id)


@on_give_up("lease.initial_recognition")
@on_give_up("lease.event")
def report_failure(rt, job: ClaimedJob, code: str, message: str) -> None:
    from backend.services.leases import runs as lease_runs

    lease_runs.report_job_failure(rt, job.tenant_id, job.id, job.kind, job.payload, code, message,
                                  request_id=job.request_id)
