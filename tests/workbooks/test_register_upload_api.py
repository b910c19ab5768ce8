"""A CSV register naming entities by legal name and alias, through the API: aliases are
settable on the entity; known names are stored under their entity, an unknown one is not
stored and comes back at its cell with suggestions."""

from __future__ import annotations

CSV = ("Lease ID;Legal entity;Currency;Start date;End date;Monthly rent;Timing;IBR\n"
       "C-1;Demo UK Ltd;GBP;01.01.2026;31.12.2028;1.250,00;advance;5%\n"
       "C-2;DEMO GMBH;EUR;01.01.2026;31.12.2028;900,50;advance;4%\n"
       "C-3;Demo Germany;EUR;01.01.2026;31.12.2028;900,50;advance;4%\n"
       "C-4;Demo Gmbh & Co;EUR;01.01.2026;31.12.2028;900,50;advance;4%\n").encode("cp1252")


def test_aliases_are_settable_and_a_csv_register_by_legal_name_is_stored(client, demo):
    h = demo.headers()
    r = client.patch("/v1/entities/DE01", headers=h, json={"aliases": ["Demo Germany", "Demo Deutschland"]})
    assert r.status_code == 200, r.text
    assert r.json()["aliases"] == ["Demo Germany", "Demo Deutschland"]
    assert client.get("/v1/entities/DE01", headers=h).json()["aliases"] == ["Demo Germany", "Demo Deutschland"]
    bad = client.patch("/v1/entities/DE01", headers=h, json={"aliases": ["X", "x"]})
    assert bad.status_code in (400, 422) and "aliases" in bad.text

    r = client.post("/v1/leases/extract-file", headers=h, files={"file": ("register.csv", CSV, "text/csv")})
    assert r.status_code == 201, r.text
    body = r.json()
    stored = {d["lease"]["external_id"]: d["entity"] for d in body["drafts"]}
    assert stored == {"C-1": "UK01", "C-2": "DE01", "C-3": "DE01"}
    assert body["draft_indexes"] == [0, 1, 2]
    (skipped,) = body["not_imported"]
    assert skipped["external_id"] == "C-4" and skipped["cell"] == "CSV!5:2"
    (issue,) = skipped["issues"]
    assert issue["code"] == "unknown_entity" and issue["cell"] == "5:2" and issue["suggestions"][0] == "Demo GmbH (DE01)"
    first = next(d for d in body["drafts"] if d["lease"]["external_id"] == "C-1")
    assert first["lease"]["payments"][0]["amount"] == "1250.00"
    assert body["summary"]["not_imported"] == 1 and body["summary"]["drafts"] == 3


def test_every_corpus_register_uploads_through_the_endpoint(client, demo):
    from test_corpus import CORPUS

    for n, name in enumerate(sorted(CORPUS)):
        build, drafts, issues = CORPUS[name]
        h = {**demo.headers(), "Idempotency-Key": f"corpus-{n}"}
        r = client.post("/v1/leases/extract-file", headers=h, data={"entity": "DEMO-US"},
                        files={"file": (f"{name}.bin", build(), "application/octet-stream")})
        assert r.status_code == 201, (name, r.text)
        body = r.json()
        # Rows naming an entity the demo tenant lacks (CH01, JP01, legal names) are not imported; the rest are.
        assert body["summary"]["drafts"] + body["summary"]["not_imported"] == len(drafts), name
        cells = {(i["severity"], i["code"], i["cell"]) for i in body["issues"]
                 if i["code"] not in ("unknown_entity", "entity_required")}
        assert cells == issues, name
