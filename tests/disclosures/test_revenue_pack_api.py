"""GET /v1/revenue/disclosures over stored contracts: the pack of a year in each scope, its roll-forward
closes, the ledger checks see the approved journals, and COMBINED lists both books."""
from __future__ import annotations


from backend.api.schemas.revenue import SAAS_EXAMPLE


def test_revenue_pack_from_stored_contracts(client, demo, drain, make_user):
    h = demo.headers()
    c = client.post("/v1/revenue/contracts", headers=h, json=SAAS_EXAMPLE)
    assert c.status_code == 201, c.text
    assert client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": [c.json()["id"]]}
                       ).status_code in (200, 202)
    drain()
    for scope in ("IFRS15", "ASC606", "COMBINED"):
        r = client.get("/v1/revenue/disclosures", headers=h,
                       params={"entity": "DEMO-US", "period": "2026", "scope": scope})
        assert r.status_code == 200, r.text
        pack = r.json()
        assert pack["scope"] == scope and pack["sections"] and pack["checks"]
    xlsx = client.get("/v1/revenue/disclosures", headers=h,
                      params={"entity": "DEMO-US", "period": "2026", "scope": "IFRS15", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    _u, reviewer = make_user("REVIEWER")
    assert client.get("/v1/revenue/disclosures", headers={"Authorization": f"Bearer {reviewer}"},
                      params={"entity": "DEMO-US", "period": "2026", "scope": "IFRS15"}).status_code == 200
    bad = client.get("/v1/revenue/disclosures", headers=h, params={"entity": "DEMO-US", "period": "2026",
                                                                  "scope": "IFRS16"})
    assert bad.status_code == 400
