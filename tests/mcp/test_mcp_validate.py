"""lease.validate_enhanced blocks a bad lease and passes a good one; confirm agrees with it."""
from __future__ import annotations


def test_validate_enhanced_blocks_a_bad_lease_and_confirm_refuses_it(mcp, demo, make_lease, make_user):
    _, agent = make_user("PREPARER", "agent")
    bad = make_lease(external_id="BAD-1", payments=[], currency="EUR", discount_rate=None)
    result = mcp.ok(agent, "lease.validate_enhanced", {"lease_id": bad["id"]})
    assert result["valid"] is False and result["blocks_confirmation"] is True
    codes = {e["code"] for e in result["errors"]}
    assert {"missing_payments", "fx_rate_missing", "discount_rate_missing"} <= codes, codes
    confirmed = mcp.ok(agent, "lease.confirm", {"lease_ids": [bad["id"]]})
    assert confirmed["confirmed"] == 0 and confirmed["results"][0]["status"] == "refused"
    attention = mcp.ok(agent, "needs_attention", {})
    assert [d["lease_id"] for d in attention["drafts_with_errors"]] == [bad["id"]]
    assert attention["missing_rates"][0]["missing"] == ["discount_rate_missing", "fx_rate_missing"]
    assert attention["failed_webhooks"]["visible"] is False  # a PREPARER may not read webhooks


def test_validate_enhanced_passes_a_good_lease_with_reviewer_warnings(mcp, make_lease, make_user):
    _, agent = make_user("PREPARER", "agent")
    good = make_lease(external_id="GOOD-1", commencement_date="2026-01-01", end_date="2026-10-31",
                      payments=[{"from": "2026-01-01", "to": "2026-10-01", "amount": "1000.00",
                                 "frequency": "monthly", "timing": "advance"}])
    result = mcp.ok(agent, "lease.validate_enhanced", {"lease_id": good["id"]})
    assert result["valid"] is True and result["blocks_confirmation"] is False and result["errors"] == []
    # A 10-month lease is short-term (exempt): ASC 842 classification inputs are not asked for (#20).
    assert "classification_input_missing" not in {w["code"] for w in result["warnings"]}
    confirmed = mcp.ok(agent, "lease.confirm", {"lease_ids": [good["id"]]})
    assert confirmed["confirmed"] == 1 and confirmed["job_ids"]
