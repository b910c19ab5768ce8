"""#21: narrative overrides in the dashboard, now that disclosure packs exist — the same service and
matrix as PUT /v1/{lease|revenue}/disclosures/narrative-override: APPROVER and above override and
revert (versioned, with a reason), a REVIEWER reads and is refused when posting anyway, and the
override is what the pack served over REST then says."""
from __future__ import annotations

from tests.dashboard.conftest import sign_up
from tests.dashboard.test_dashboard_flows import bearer, invite, mint

PAGE = "/dashboard/narratives?source=lease&standard=IFRS16&entity=DEMO-US&period=2026"
KEY = {"source": "lease", "standard": "IFRS16", "entity": "DEMO-US", "period": "2026"}


def test_override_revert_and_history_with_the_matrix(web, new_web):
    sign_up(web)
    token = mint(web)
    page = web.get(PAGE)
    assert page.status_code == 200 and "Save override" in page.text and "No override yet" in page.text
    text = "The Group leases offices; terms agreed with the auditor."
    r = web.post("/dashboard/narratives", {**KEY, "section": "exemptions", "text": text,
                                           "reason": "Audit committee wording"}, page=PAGE)
    assert r.status_code == 303, r.text
    page = web.get(r.headers["location"]).text
    assert text in page and "Audit committee wording" in page and "overridden (version 1)" in page

    rest = web.c.get("/v1/lease/disclosures/narrative-override", headers=bearer(token),
                     params={"entity": "DEMO-US", "standard": "IFRS16", "period": "2026"}).json()
    assert [(c["section"], c["text"]) for c in rest["current"]] == [("exemptions", text)]

    # A reason is required; the service's message comes back on the page, nothing is written.
    r = web.post("/dashboard/narratives", {**KEY, "section": "exemptions", "text": "x",
                                           "reason": ""}, page=PAGE)
    assert r.status_code == 400 and "Say why" in r.text

    r = web.post("/dashboard/narratives", {**KEY, "section": "exemptions", "revert": "1",
                                           "reason": "Back to the generated text"}, page=PAGE)
    assert r.status_code == 303
    rest = web.c.get("/v1/lease/disclosures/narrative-override", headers=bearer(token),
                     params={"entity": "DEMO-US", "standard": "IFRS16", "period": "2026"}).json()
    assert rest["current"] == [] and [h["version"] for h in rest["history"]] == [1, 2]

    reviewer = invite(web, new_web, "REVIEWER", "rita@example.com")
    page = reviewer.get(PAGE)
    assert page.status_code == 200 and "Save override" not in page.text and "(reverted)" in page.text
    r = reviewer.post("/dashboard/narratives", {**KEY, "section": "exemptions", "text": "mine",
                                                "reason": "r"}, page=PAGE)
    assert r.status_code == 403
