"""The portfolio tools see both subledgers (#19): leases and revenue contracts in one search, one
summary (liabilities and ROU beside revenue, contract balances and RPO) and one attention list."""
from __future__ import annotations

from decimal import Decimal

from backend.api.schemas.revenue import SAAS_EXAMPLE


def _confirmed_contract(client, demo, drain) -> str:
    r = client.post("/v1/revenue/contracts", headers=demo.headers(), json=SAAS_EXAMPLE)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    confirm = client.post("/v1/revenue/contracts/confirm", headers=demo.headers(), json={"contract_ids": [cid]})
    assert confirm.json()["confirmed"] == 1, confirm.text
    drain()
    return cid


def test_search_covers_leases_and_contracts(mcp, client, demo, drain, make_lease):
    lease = make_lease()
    cid = _confirmed_contract(client, demo, drain)
    owner = demo.owner_token

    both = mcp.ok(owner, "portfolio.search", {})
    assert [h["id"] for h in both["leases"]["data"]] == [lease["id"]]
    assert [(h["kind"], h["id"], h["customer"]) for h in both["contracts"]["data"]] == [
        ("contract", cid, "Acme Corp")]
    assert both["total_count"] == 2

    by_customer = mcp.ok(owner, "portfolio.search", {"text": "ACME"})
    assert by_customer["leases"]["total_count"] == 0 and by_customer["contracts"]["total_count"] == 1
    # A revenue book or a contract-only status narrows the search to contracts, a lease book to leases.
    ifrs15 = mcp.ok(owner, "portfolio.search", {"standard": "IFRS15"})
    assert ifrs15["leases"] is None and [h["id"] for h in ifrs15["contracts"]["data"]] == [cid]
    terminated = mcp.ok(owner, "portfolio.search", {"status": "terminated"})
    assert terminated["contracts"] is None and terminated["leases"]["total_count"] == 0
    # Lease-only filters leave contracts out, and say so.
    ending = mcp.ok(owner, "portfolio.search", {"ending_to": "2099-12-31"})
    assert ending["contracts"] is None and "ending_to" in ending["notes"][0]

    # Paging one kind: a cursor belongs to the leases or the contracts.
    make_lease(external_id="NYC-2")
    first = mcp.ok(owner, "portfolio.search", {"kind": "lease", "limit": 1})
    assert first["contracts"] is None and first["leases"]["has_more"]
    second = mcp.ok(owner, "portfolio.search", {"kind": "lease", "limit": 1,
                                                "cursor": first["leases"]["next_cursor"]})
    assert second["leases"]["data"][0]["id"] != first["leases"]["data"][0]["id"]
    for args, code in (({"cursor": first["leases"]["next_cursor"]}, "cursor_needs_kind"),
                       ({"kind": "contract", "ending_to": "2030-01-01"}, "filter_not_for_contracts"),
                       ({"kind": "contract", "standard": "IFRS16"}, "invalid_standard"),
                       ({"kind": "contract", "status": "terminated"}, "invalid_status")):
        is_error, body = mcp.call(owner, "portfolio.search", args)
        assert is_error and body["error"]["code"] == code, (args, body)


def test_summary_ties_contract_figures_to_the_schedule_and_rpo(mcp, client, demo, drain, make_lease):
    make_lease()
    cid = _confirmed_contract(client, demo, drain)
    summary = mcp.ok(demo.owner_token, "portfolio.summary", {"entity": "DEMO-US", "period": "2026-06"})
    assert summary["leases_by_entity"][0]["draft"] == 1  # the lease half sits beside the revenue half
    assert summary["contracts_by_entity"] == [{"entity": "DEMO-US", "draft": 0, "confirmed": 1, "total": 1}]
    books = {b["standard"]: b for b in summary["revenue_by_book"]}
    assert set(books) == {"IFRS15", "ASC606"}
    for std, b in books.items():
        assert b["contracts"] == 1 and b["currency"] == "USD" and b["transaction_price"] == "36000.00"
        periods = client.get(f"/v1/revenue/contracts/{cid}/schedule", headers=demo.headers(),
                             params={"standard": std}).json()["periods"]
        to_june = [p for p in periods if p["period"] <= "2026-06"]
        assert b["revenue_in_period"] == to_june[-1]["revenue_total"]
        assert Decimal(b["revenue_to_date"]) == sum(Decimal(p["revenue_total"]) for p in to_june)
        for f in ("receivable", "contract_asset", "contract_liability"):
            assert b[f] == to_june[-1][f], f
        # SAAS example: 12,000.00 billed on 1 January; the point-in-time onboarding is recognised in January.
        assert b["receivable"] == "12000.00"
        assert (Decimal(b["contract_asset"]) - Decimal(b["contract_liability"])
                == Decimal(b["revenue_to_date"]) - Decimal(b["receivable"]))
        rpo = client.get(f"/v1/revenue/contracts/{cid}/rpo", headers=demo.headers(),
                         params={"as_of": "2026-06-30", "standard": std}).json()["rpo"][std]
        assert b["rpo"] == rpo["total"]
        assert b["rpo_within_12_months"] == rpo["time_bands"]["within_12_months"]
        # No expedient applies to a three-year contract: what is left is the price less revenue so far.
        assert Decimal(b["rpo"]) == Decimal("36000.00") - Decimal(b["revenue_to_date"])
    assert summary["rpo_as_of"] == "2026-06-30" and summary["rpo_unavailable"] == []

    # disclosures.get serves the revenue pack too: the same body as REST's /v1/revenue/disclosures.
    pack = mcp.ok(demo.owner_token, "disclosures.get", {"entity": "DEMO-US", "period": "2026", "standard": "COMBINED"})
    rest = client.get("/v1/revenue/disclosures", headers=demo.headers(),
                      params={"entity": "DEMO-US", "period": "2026", "scope": "COMBINED"}).json()
    assert pack["sections"] == rest["sections"] and pack["checks"] == rest["checks"]


def test_needs_attention_lists_contract_drafts_and_revenue_dead_letters(mcp, client, demo, drain):
    h = demo.headers()
    # A draft the engine cannot read (a subscription that ends before it starts) is kept with its issue.
    bad = {**SAAS_EXAMPLE, "external_id": "BAD-1", "performance_obligations": [
        {**SAAS_EXAMPLE["performance_obligations"][0], "end_date": "2025-06-30"},
        SAAS_EXAMPLE["performance_obligations"][1]]}
    draft = client.post("/v1/revenue/contracts", headers=h, json=bad)
    assert draft.status_code == 201 and draft.json()["issues"][0]["severity"] == "error", draft.text
    # A run that fails (an SKU with no SSP matrix row) lands in the dead-letter queue.
    sku = {**SAAS_EXAMPLE, "external_id": "DLQ-1", "performance_obligations": [
        SAAS_EXAMPLE["performance_obligations"][0],
        {"id": "ONB", "pattern": "point_in_time", "ssp_method": "observable", "sku": "ONBOARD-X",
         "delivered_date": "2026-01-31"}]}
    cid = client.post("/v1/revenue/contracts", headers=h, json=sku).json()["id"]
    assert client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": [cid]}).json()["confirmed"]
    drain()
    attention = mcp.ok(demo.owner_token, "needs_attention", {"older_than_days": 0})
    (dead,) = attention["revenue_dead_letters"]
    assert dead["contract_id"] == cid and dead["code"] and dead["field"] == "performance_obligations[1].ssp"
    assert attention["counts"]["revenue_dead_letters"] == 1
    (errors,) = attention["contract_drafts_with_errors"]
    assert errors["external_id"] == "BAD-1" and errors["error_codes"] == [draft.json()["issues"][0]["code"]]
    assert [(d["external_id"], d["blocked"]) for d in attention["unconfirmed_contracts"]] == [("BAD-1", True)]
    assert attention["total"] == sum(attention["counts"].values())


def test_needs_attention_lists_lease_recognition_failures(mcp, client, demo, drain, make_lease):
    """A lease whose recognition failed (the rate deleted before the job ran) is listed with its rule, for
    an OWNER who also sees the webhook section (both sections are read in the same call)."""
    from backend.db.models import FxRate

    h = demo.headers()
    rates = [{"from_currency": "EUR", "to_currency": "USD", "date": "2026-01-01", "rate": "1.10"}]
    assert client.put("/v1/fx-rates", headers=h, json={"entity": "DEMO-US", "rates": rates}).status_code == 200
    lease = make_lease(external_id="EUR-1", currency="EUR")
    assert client.post("/v1/leases/confirm", headers=h, json={"lease_ids": [lease["id"]]}).json()["confirmed"] == 1
    with client.app.state.runtime.db.session(demo.sandbox_tenant_id, write=True) as s:
        s.query(FxRate).delete()
    drain()
    attention = mcp.ok(demo.owner_token, "needs_attention", {})
    assert attention["failed_webhooks"]["visible"] is True
    assert [(f["lease_id"], f["code"]) for f in attention["lease_recognition_failures"]] == [
        (lease["id"], "fx_rate_missing")]
    assert attention["counts"]["lease_recognition_failures"] == 1
