"""Auditor narrative overrides: roles, versions with who and why, the audit trail, the pack showing
generated and final text (no engine re-run), reverts, and the same store behind the revenue route."""
from __future__ import annotations

from tests.disclosures.conftest import ENTITY, build_portfolio

URL = "/v1/lease/disclosures/narrative-override"


def _put(client, demo, token, **over):
    body = {"entity": ENTITY, "standard": "ASC842", "period": "2026-03", "section": "maturity",
            "text": "Maturities reviewed by the auditor.", "reason": "client wording agreed with audit", **over}
    return client.put(URL, headers=demo.headers(token), json=body)


def _pack(client, demo, token=None, standard="ASC842"):
    r = client.get("/v1/lease/disclosures", headers=demo.headers(token),
                   params={"entity": ENTITY, "period": "2026-03", "standard": standard})
    assert r.status_code == 200, r.text
    return r.json()


def _narrative(pack, sid):
    return next(s for s in pack["sections"] if s["id"] == sid)["narrative"]


def test_override_lifecycle(client, demo, drain, make_user):
    build_portfolio(client, demo, drain, close_through=None, approve=False)
    preparer, reviewer = make_user("PREPARER")[1], make_user("REVIEWER")[1]
    approver_user, approver = make_user("APPROVER")
    # roles: reviewers and preparers read packs but cannot override; approvers can
    assert _put(client, demo, preparer).status_code == 403
    assert _put(client, demo, reviewer).status_code == 403
    generated = _narrative(_pack(client, demo, reviewer), "maturity")["generated"]
    r = _put(client, demo, approver)
    assert r.status_code == 200, r.text
    v1 = r.json()
    assert (v1["version"], v1["created_by"], v1["reason"]) == (1, approver_user["id"], "client wording agreed with audit")
    r = _put(client, demo, approver, text="Second wording.", reason="partner review")
    assert r.json()["version"] == 2
    # the pack shows both texts; other sections keep their generated narrative
    pack = _pack(client, demo, reviewer)
    nar = _narrative(pack, "maturity")
    assert nar["generated"] == generated and nar["final"] == "Second wording."
    assert nar["override"]["version"] == 2 and nar["override"]["reason"] == "partner review"
    other = _narrative(pack, "amounts")
    assert other["override"] is None and other["final"] == other["generated"]
    assert pack["narratives_overridden"] == ["maturity"]
    # the other book and other periods are untouched
    assert _narrative(_pack(client, demo, standard="IFRS16"), "maturity")["override"] is None
    # history with who and why
    listing = client.get(URL, headers=demo.headers(reviewer), params={"entity": ENTITY, "standard": "ASC842",
                                                                      "period": "2026-03"}).json()
    assert [h["version"] for h in listing["history"]] == [1, 2]
    assert [c["text"] for c in listing["current"]] == ["Second wording."]
    assert "maturity" in listing["sections"]
    # audited, with the version before and after
    audit = client.get("/v1/audit-events", headers=demo.headers(),
                       params={"action": "disclosures.narrative_override"}).json()["data"]
    assert len(audit) == 2
    # revert: null text brings the generated narrative back, as a new version
    r = _put(client, demo, approver, text=None, reason="back to generated")
    assert r.status_code == 200 and r.json()["version"] == 3
    nar = _narrative(_pack(client, demo), "maturity")
    assert nar["override"] is None and nar["final"] == generated
    # refusals name the field
    r = _put(client, demo, approver, section="nope")
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_section"
    r = _put(client, demo, approver, reason="")
    assert r.status_code == 400
    r = _put(client, demo, approver, period="2026-13")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_period"


def test_fiscal_year_aliases_share_overrides_and_revenue_route_uses_the_same_store(client, demo, make_user):
    approver = make_user("APPROVER")[1]
    r = _put(client, demo, approver, period="2026")
    assert r.status_code == 200 and r.json()["period"] == "FY2026"
    listing = client.get(URL, headers=demo.headers(), params={"entity": ENTITY, "standard": "ASC842",
                                                              "period": "FY2026"}).json()
    assert len(listing["current"]) == 1
    rev = "/v1/revenue/disclosures/narrative-override"
    body = {"entity": ENTITY, "scope": "COMBINED", "period": "2027", "section": "divergences",
            "text": "The collectibility difference is temporary.", "reason": "audit committee"}
    r = client.put(rev, headers=demo.headers(approver), json=body)
    assert r.status_code == 200, r.text
    assert (r.json()["source"], r.json()["standard"], r.json()["version"]) == ("revenue", "COMBINED", 1)
    r = client.put(rev, headers=demo.headers(approver), json={**body, "scope": "IFRS15"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_section"  # no divergences in one book
    got = client.get(rev, headers=demo.headers(), params={"entity": ENTITY, "scope": "COMBINED", "period": "FY2027"})
    assert got.status_code == 200 and got.json()["current"][0]["text"].startswith("The collectibility")
