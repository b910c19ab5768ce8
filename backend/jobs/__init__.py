"""The DB-backed job queue, its handler registry and the worker (DESIGN.md §3 "Jobs and webhooks")."""
from backend.jobs.queue import (
    ClaimedJob, PermanentJobError, claim, complete, enqueue, fail, heartbeat, progress,
)
from backend.jobs.registry import handler
from backend.jobs import housekeeping  # noqa: E402  (importing it registers the built-in handlers)

__all__ = ["ClaimedJob", "PermanentJobError", "claim", "complete", "enqueue", "fail", "heartbeat", "handler",
           "housekeeping", "progress"]
