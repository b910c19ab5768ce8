"""Excel add-in routes for revenue contracts (book JSON in, xlwings actions out); same auth,
permission matrix, idempotency and size caps as the other add-in routes."""
from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends

from backend.addin import revenue_actions
from backend.api.routes.addin import addin_channel, book_route
from backend.api.schemas.common import ERROR_RESPONSES

router = APIRouter(prefix="/v1/addin/revenue", responses=ERROR_RESPONSES, tags=["excel add-in"],
                   dependencies=[Depends(addin_channel)])


def _book_route(path: str, operation_id: str, action: str, work: Callable[..., dict], summary: str) -> None:
    book_route(router, path, operation_id, action, work, summary)


_book_route("/contracts/extract", "addin_extract_revenue_contracts", "revenue.write",
            revenue_actions.extract_contracts,
            "Extract contracts from the workbook's Contracts / PerformanceObligations / Billing sheets")
_book_route("/contracts/validate", "addin_validate_revenue_contracts", "revenue.write",
            revenue_actions.validate_contracts, "Validate the selected rows of the 'Revenue contracts' sheet")
_book_route("/contracts/confirm", "addin_confirm_revenue_contracts", "revenue.confirm",
            revenue_actions.confirm_contracts, "Confirm the selected rows of the 'Revenue contracts' sheet")
_book_route("/contracts/schedule", "addin_pull_revenue_schedules", "revenue.read", revenue_actions.pull_schedules,
            "Write 'Revenue <standard>' schedules and the 'Revenue RPO' sheet")
