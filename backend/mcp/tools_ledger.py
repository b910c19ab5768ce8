"""Journal tools: search, summary, detail, and a draft narrative of a period."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backend.mcp.args import Cursor, EntityCode, EntryId, Limit, OptDate, OptEntity, OptPeriod, OptStandard, Period
from backend.mcp.registry import Call, Tools
from backend.mcp.tools_portfolio import page
from backend.services.ledger import narrative, queries

TOOLS = Tools()
Status = Literal["draft", "approved", "posted", "void", "reversed"]


def _filters(entity, period, period_from, period_to, standard, status, source, date_from, date_to,
             lease_id) -> queries.Filters:
    return queries.Filters(entity=entity, period=period, period_from=period_from, period_to=period_to,
                           standard=standard, status=tuple(status or ()), source=source, date_from=date_from,
                           date_to=date_to, lease_id=lease_id)


FILTER_EXAMPLES = [{"entity": "DEMO-US", "period": "2026-01", "status": ["draft"]},
                   {"lease_id": "01JH8Q3V4W5X6Y7Z8A9B0C1D2E", "standard": "ASC842"}]


@TOOLS.tool("journal.search", action="journals.read", examples=FILTER_EXAMPLES)
def search(call: Call, entity: OptEntity = None, period: OptPeriod = None, period_from: OptPeriod = None,
           period_to: OptPeriod = None, standard: OptStandard = None,
           status: Annotated[list[Status] | None, Field(max_length=5)] = None,
           source: Annotated[str | None, Field(max_length=40, description=(
               "initial_recognition | monthly_close | modification | termination | reversal …"))] = None,
           date_from: OptDate = None, date_to: OptDate = None,
           lease_id: Annotated[str | None, Field(max_length=40)] = None,
           limit: Limit = 50, cursor: Cursor = None) -> dict:
    """Journal entries with their lines, filtered by entity, period, book, status, source, dates or lease."""
    f = _filters(entity, period, period_from, period_to, standard, status, source, date_from, date_to, lease_id)
    return page(queries.list_entries(call.rt, call.actor, limit=limit, cursor=cursor, sort=None, filters=f))


@TOOLS.tool("journal.summary", action="journals.read", examples=FILTER_EXAMPLES)
def summary(call: Call, entity: OptEntity = None, period: OptPeriod = None, period_from: OptPeriod = None,
            period_to: OptPeriod = None, standard: OptStandard = None,
            status: Annotated[list[Status] | None, Field(max_length=5)] = None,
            source: Annotated[str | None, Field(max_length=40)] = None,
            lease_id: Annotated[str | None, Field(max_length=40)] = None) -> dict:
    """Debit and credit totals by account, period, book and currency, with entry counts by status."""
    f = _filters(entity, period, period_from, period_to, standard, status, source, None, None, lease_id)
    return queries.summary(call.rt, call.actor, f)


TOOLS.expose("journal.detail", queries.get_entry, action="journals.read", args={"entry_id": EntryId},
             examples=[{"entry_id": "01JH8Q3V4W5X6Y7Z8A9B0C1D2E"}],
             description="One journal entry: header, status, preparer/approver, lineage and balanced lines.")


@TOOLS.tool("summary.draft", action="journals.read", examples=[{"entity": "DEMO-US", "period": "2026-01"}])
def draft_summary(call: Call, entity: EntityCode, period: Period, standard: OptStandard = None) -> dict:
    """A structured draft narrative of a period's movements, built from ledger figures, for a person to edit."""
    return narrative.draft_summary(call.rt, call.actor, entity, period, standard)
