"""Contract tools over HTTP with the SDK client: the same revenue services and actions as REST."""
from __future__ import annotations

from backend.api.schemas.revenue import SAAS_EXAMPLE


def test_contract_tools_validate_confirm_and_read_the_schedule(mcp, client, demo, drain, make_user):
    contract = client.post("/v1/revenue/contracts", headers=demo.headers(), json=SAAS_EXAMPLE)
    assert contract.status_code == 201, contract.text
    cid = contract.json()["id"]
    owner = demo.owner_token
    assert mcp.ok(owner, "contract.detail", {"contract_id": cid})["external_id"] == SAAS_EXAMPLE["external_id"]
    checked = mcp.ok(owner, "contract.validate_enhanced", {"contract_id": cid})
    assert checked["valid"], checked
    confirmed = mcp.ok(owner, "contract.confirm", {"contract_ids": [cid]})
    assert confirmed["results"][0]["status"] == "confirmed"
    drain()
    sched = mcp.ok(owner, "contract.schedule", {"contract_id": cid, "standard": "IFRS15"})
    assert sched["transaction_price"]["total"] == "36000.00" and sched["periods"]
    # A REVIEWER reads but cannot confirm: the matrix, as on REST.
    _u, reviewer = make_user("REVIEWER")
    assert mcp.ok(reviewer, "contract.detail", {"contract_id": cid})["id"] == cid
    is_error, body = mcp.call(reviewer, "contract.confirm", {"contract_ids": [cid]})
    assert is_error and body["error"]["code"] == "forbidden"
