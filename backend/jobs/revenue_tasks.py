"""Job handlers for revenue engine work. Each is idempotent: a retry finds what the first try wrote."""
from __future__ import annotations

from backend.jobs.queue import ClaimedJob
from backend.jobs.registry import handler, on_give_up
from backend.services.revenue import close as _revenue_source  # noqa: F401  (registers revenue as a ledger source)
from backend.services.revenue import runs as revenue_runs


@handler("revenue.initial_recognition")
def initial_recognition(rt, job: ClaimedJob) -> dict:
    p = job.payload
    return revenue_runs.initial_recognition(rt, job.tenant_id, p["contract_ids"], job_id=job.id,
                                            actor_user_id=p.get("actor_user_id"),
                                            actor_kind=p.get("actor_kind") or "human", request_id=job.request_id)


@handler("revenue.run")
def revenue_run(rt, job: ClaimedJob) -> dict:
    p = job.payload
    return revenue_runs.rerun(rt, job.tenant_id, p["contract_id"], run_type=p["run_type"], event=p.get("event"),
                              standards=p.get("standards"), job_id=job.id, actor_user_id=p.get("actor_user_id"),
                              actor_kind=p.get("actor_kind") or "human", request_id=job.request_id)


@on_give_up("revenue.initial_recognition")
@on_give_up("revenue.run")
def report_failure(rt, job: ClaimedJob, code: str, message: str) -> None:
    """A revenue job that gave up (not an engine refusal, which is dead-lettered): ``engine.failed``."""
    revenue_runs.report_job_failure(rt, job.tenant_id, job.id, job.kind, job.payload, code, message,
                                    request_id=job.request_id)
