"""Lease tools: detail, schedule, validation before confirm, confirm, what-if engine runs, close preview."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from backend.mcp.args import EntityCode, LeaseId, Period, Standard
from backend.mcp.registry import Call, Tools
from backend.services.leases import close as _lease_source  # noqa: F401  (registers leases)
from backend.services.leases import drafts, events, portfolio, run_reads
from backend.services.ledger import close_preview

TOOLS = Tools()


TOOLS.expose("lease.detail", portfolio.lease_detail, action="leases.read", args={"lease_id": LeaseId},
             examples=[{"lease_id": "01JH8Q3V4W5X6Y7Z8A9B0C1D2E"}])


@TOOLS.tool("lease.schedule", action="leases.read", examples=[
    {"lease_id": "01JH8Q3V4W5X6Y7Z8A9B0C1D2E", "standard": "IFRS16"}])
def schedule(call: Call, lease_id: LeaseId, standard: Standard,
             run_id: Annotated[str | None, Field(max_length=40,
                                                 description="A past run (default: the current one)")] = None) -> dict:
    """The monthly schedule of a lease in one book (liability, interest, ROU, depreciation; money as strings)."""
    return run_reads.get_schedule(call.rt, call.actor, lease_id, standard, run_id)


@TOOLS.tool("lease.validate_enhanced", action="leases.write", examples=[{"lease_id": "01JH8Q3V4W5X6Y7Z8A9B0C1D2E"}])
def validate_enhanced(call: Call, lease_id: LeaseId) -> dict:
    """Business-rule check before confirm: errors block confirmation, warnings and hints are for the reviewer."""
    result = drafts.validate(call.rt, call.actor, lease_id)
    hints = [w for w in result["warnings"] if w.get("severity") == "info"]
    return {**result, "blocks_confirmation": bool(result["errors"]),
            "warnings": [w for w in result["warnings"] if w.get("severity") != "info"], "hints": hints}


@TOOLS.tool("lease.confirm", action="leases.confirm", writes=True, examples=[
    {"lease_ids": ["01JH8Q3V4W5X6Y7Z8A9B0C1D2E"], "idempotency_key": "confirm-2026-01-batch-1"}])
def confirm(call: Call, lease_ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]],
                                             Field(min_length=1, max_length=10000)]) -> dict:
    """Confirm valid drafts (per-lease results; drafts with errors are refused) and queue initial recognition."""
    return drafts.confirm(call.rt, call.actor, lease_ids)


@TOOLS.tool("engine.run", action="engine.run", writes=True, writes_unless="dry_run", examples=[
    {"lease_id": "01JH8Q3V4W5X6Y7Z8A9B0C1D2E", "run_type": "TERMINATION", "effective_date": "2027-06-30",
     "changes": {"termination_payment": "25000.00"}, "dry_run": True},
    {"lease_id": "01JH8Q3V4W5X6Y7Z8A9B0C1D2E", "run_type": "MODIFICATION", "effective_date": "2027-01-01",
     "changes": {"modification_type": "extend_term", "end_date": "2032-12-31"}, "dry_run": True}])
def engine_run(call: Call, lease_id: LeaseId,
               run_type: Literal["MODIFICATION", "REMEASUREMENT", "TERMINATION", "CATCH_UP"],
               effective_date: date,
               changes: Annotated[dict[str, Any] | None, Field(description=(
                   "Event fields as in POST /v1/engine/run (money and rates as strings)"))] = None,
               standards: Annotated[list[Standard] | None, Field(max_length=2)] = None,
               dry_run: Annotated[bool, Field(description=(
                   "What-if: return the full result and write nothing (default). False queues the run."))] = True
               ) -> dict:
    """A lease event as an engine run; dry_run (the default) previews the result and writes nothing."""
    return events.request_run(call.rt, call.actor, lease_id=lease_id, run_type=run_type,
                              effective_date=effective_date, changes=changes or {}, standards=standards,
                              dry_run=dry_run)


@TOOLS.tool("close.preview", action="close.run", examples=[{"entity": "DEMO-US", "period": "2026-01"}])
def preview_close(call: Call, entity: EntityCode, period: Period,
                  standards: Annotated[list[Standard] | None, Field(max_length=2)] = None) -> dict:
    """What the monthly close of a period would post (entries, accounts, locks, earlier closes), writing nothing."""
    return close_preview.preview(call.rt, call.actor, entity, period, standards)
