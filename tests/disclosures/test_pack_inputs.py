"""Inputs the pack routes refuse (naming the field) and an entity with no leases yet."""
from __future__ import annotations

import pytest

URL = "/v1/lease/disclosures"


@pytest.mark.parametrize("params, status, code", [
    ({"entity": "DEMO-US", "period": "2026-13", "standard": "IFRS16"}, 400, "invalid_period"),
    ({"entity": "DEMO-US", "period": "FY0000", "standard": "IFRS16"}, 400, "invalid_period"),
    ({"entity": "NOPE", "period": "2026", "standard": "IFRS16"}, 404, "entity_not_found"),
    ({"entity": "DEMO-US", "period": "2026", "standard": "IFRS15"}, 400, None),
    ({"entity": "DEMO-US", "period": "2026", "standard": "IFRS16", "format": "pdf"}, 400, None),
])
def test_refusals(client, demo, params, status, code):
    r = client.get(URL, headers=demo.headers(), params=params)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["error"]["code"] == code


def test_no_leases_yet_gives_an_empty_pack_in_both_formats(client, demo):
    for std in ("IFRS16", "ASC842"):
        r = client.get(URL, headers=demo.headers(), params={"entity": "DEMO-US", "period": "2026", "standard": std})
        assert r.status_code == 200, r.text
        pack = r.json()
        assert pack["maturity_analysis"]["lease_liability"] == "0.00" and pack["checks_ok"]
        r = client.get(URL, headers=demo.headers(), params={"entity": "DEMO-US", "period": "2026-06",
                                                            "standard": std, "format": "xlsx"})
        assert r.status_code == 200 and r.content[:2] == b"PK"
    assert client.get(URL, params={"entity": "DEMO-US", "period": "2026", "standard": "IFRS16"}).status_code == 401
