"""Revenue contract tools: the same service functions as the REST routes, within the caller's role."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backend.mcp.registry import Call, Tools
from backend.services.revenue import contracts
from backend.services.revenue import runs as revenue_runs

TOOLS = Tools()
ContractId = Annotated[str, Field(min_length=1, max_length=40, description="Revenue contract id")]
EXAMPLE_ID = "01M957A1K2J3H4G5F6D7S8A9Q0"

TOOLS.expose("contract.detail", contracts.get_contract, action="revenue.read", args={"contract_id": ContractId},
             examples=[{"contract_id": EXAMPLE_ID}],
             description="One revenue contract: its input, events, issues and confirmation state.")
TOOLS.expose("contract.validate_enhanced", contracts.validate, action="revenue.write",
             args={"contract_id": ContractId}, examples=[{"contract_id": EXAMPLE_ID}],
             description="Errors that block confirmation and warnings for the reviewer (SSP gaps, constraint "
                         "judgements, …), per book.")


@TOOLS.tool("contract.schedule", action="revenue.read",
            examples=[{"contract_id": EXAMPLE_ID, "standard": "IFRS15"}])
def schedule(call: Call, contract_id: ContractId, standard: Literal["IFRS15", "ASC606"]) -> dict:
    """A contract's revenue schedule in one book (allocation, revenue by obligation, balances, RPO)."""
    return revenue_runs.get_schedule(call.rt, call.actor, contract_id, standard)


@TOOLS.tool("contract.confirm", action="revenue.confirm", writes=True,
            examples=[{"contract_ids": [EXAMPLE_ID], "idempotency_key": "confirm-contracts-2026-01"}])
def confirm(call: Call, contract_ids: Annotated[list[ContractId], Field(min_length=1, max_length=10000)]) -> dict:
    """Confirm valid draft contracts (per-contract results) and queue recognition in every enabled book."""
    return contracts.confirm(call.rt, call.actor, contract_ids)
