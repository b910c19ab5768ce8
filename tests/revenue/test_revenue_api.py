"""Platform guarantees on the revenue routes: roles, idempotency, pagination and filters,
structured errors, OpenAPI examples for every body."""
from __future__ import annotations

from tests.revenue.conftest import saas


def test_every_revenue_body_has_an_example(app):
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    for path, ops in spec["paths"].items():
        if not path.startswith("/v1/revenue"):
            continue
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            ref = body["schema"].get("$ref") or next((x["$ref"] for x in body["schema"].get("anyOf", [])
                                                      if "$ref" in x), None)
            schema = schemas[ref.split("/")[-1]] if ref else body["schema"]
            assert schema.get("examples") or body.get("example") or body.get("examples"), (method, path)


def test_create_is_idempotent_and_roles_apply(client, demo, make_user):
    h = {**demo.headers(), "Idempotency-Key": "rev-create-1"}
    a = client.post("/v1/revenue/contracts", headers=h, json=saas("IDEM-1"))
    b = client.post("/v1/revenue/contracts", headers=h, json=saas("IDEM-1"))
    assert a.status_code == 201 and b.status_code == 200 and b.headers["X-Idempotent-Replayed"] == "true"
    assert a.content == b.content
    other = client.post("/v1/revenue/contracts", headers=h, json=saas("IDEM-2"))
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    _u, reviewer = make_user("REVIEWER")
    rh = {"Authorization": f"Bearer {reviewer}"}
    assert client.get("/v1/revenue/contracts", headers=rh).status_code == 200
    denied = client.post("/v1/revenue/contracts", headers=rh, json=saas("R-1"))
    assert denied.status_code == 403 and denied.json()["error"]["details"]["action"] == "revenue.write"
    _u, preparer = make_user("PREPARER")
    ph = {"Authorization": f"Bearer {preparer}"}
    assert client.put("/v1/revenue/ssp-matrix", headers=ph, json={"entity": "DEMO-US", "rows": []}).status_code == 403
    assert client.put("/v1/revenue/period-lock", headers=ph, json={
        "entity": "DEMO-US", "period": "2026-01", "status": "LOCKED"}).status_code == 403


def test_list_filters_sort_and_pagination(client, demo):
    h = demo.headers()
    for i in range(5):
        r = client.post("/v1/revenue/contracts", headers=h,
                        json=saas(f"LIST-{i}", customer="Big" if i % 2 else "Small", start_date=f"2026-0{i + 1}-01"))
        assert r.status_code == 201, r.text
    page = client.get("/v1/revenue/contracts", headers=h, params={"limit": 2, "sort": "external_id:asc"}).json()
    assert page["total_count"] == 5 and page["has_more"] and [d["external_id"] for d in page["data"]] == ["LIST-0", "LIST-1"]
    nxt = client.get("/v1/revenue/contracts", headers=h, params={"limit": 2, "sort": "external_id:asc",
                                                                 "cursor": page["next_cursor"]}).json()
    assert [d["external_id"] for d in nxt["data"]] == ["LIST-2", "LIST-3"]
    big = client.get("/v1/revenue/contracts", headers=h, params={"customer": "Big"}).json()
    assert big["total_count"] == 2
    rng = client.get("/v1/revenue/contracts", headers=h, params={"start_from": "2026-02-01", "start_to": "2026-03-31"})
    assert rng.json()["total_count"] == 2
    assert client.get("/v1/revenue/contracts", headers=h, params={"status": "confirmed"}).json()["total_count"] == 0


def test_errors_have_the_one_shape(client, demo):
    h = demo.headers()
    r = client.get("/v1/revenue/contracts/nope", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "contract_not_found"
    bad = saas("ERR-1")
    bad["transaction_price"]["fixed"] = 10.5
    r = client.post("/v1/revenue/contracts", headers=h, json=bad)
    assert r.status_code == 400 and r.json()["error"]["details"]
    draft = client.post("/v1/revenue/contracts", headers=h, json=saas("ERR-2", billing=[
        {"date": "2026-01-01", "amount": "1.001"}])).json()
    assert [i["code"] for i in draft["issues"]] == ["not_minor_unit"]
    conf = client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": [draft["id"], "missing"]}).json()
    assert [r["status"] for r in conf["results"]] == ["refused", "not_found"]
    ev = client.post("/v1/revenue/engine/run", headers=h, json={"contract_id": draft["id"], "run_type": "PROGRESS_UPDATE",
                                                                "effective_date": "2026-02-01", "changes": {}})
    assert ev.status_code == 409 and ev.json()["error"]["code"] == "contract_not_confirmed"


def test_extract_csv_and_hostile_files(client, demo):
    h = demo.headers()
    csv = ("Entity,External ID,Customer,Currency,Start date,Fixed price,PO ID,Pattern,SSP method,SSP,Delivered date\n"
           "DEMO-US,CSV-1,Acme,USD,2026-01-01,1000.00,HW,point_in_time,observable,1000.00,2026-01-10\n"
           "DEMO-US,CSV-2,Acme,USD,2026-01-01,500.00,HW,point_in_time,,500.00,2026-01-10\n")
    r = client.post("/v1/revenue/contracts/extract/file", headers=h, files={"file": ("c.csv", csv.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    drafts = {d["external_id"]: d for d in r.json()["drafts"]}
    assert drafts["CSV-1"]["issues"] == []
    issue = drafts["CSV-2"]["issues"][0]
    assert issue["field"] == "performance_obligations[0].ssp_method" and issue["cell"] == "CSV!3:9"
    bomb = client.post("/v1/revenue/contracts/extract/file", headers=h,
                       files={"file": ("x.xlsx", b"PK\x03\x04not a zip", "application/octet-stream")})
    assert bomb.status_code in (400, 413) and bomb.json()["error"]["code"]
    # atomic: a file whose ids are taken stores nothing
    again = client.post("/v1/revenue/contracts/extract/file", headers=h, files={"file": ("c.csv", csv.encode(), "text/csv")})
    assert again.status_code == 409 and again.json()["error"]["code"] == "contract_exists"


def test_moving_periods_is_the_engines_posting_periods():
    from backend.engine.revenue import (
        RevenuePolicy,
        parse_contract,
        parse_event,
        posting_periods,
        recognise_books,
    )
    from backend.services.revenue.stored import moving_periods
    from backend.workbooks import read_xlsx
    from backend.workbooks.revenue_extract import extract_revenue
    from backend.workbooks.revenue_template import build_template
    from bench.bench_revenue_workflow import contract

    inputs = [contract(i) for i in range(12)] + extract_revenue(read_xlsx(build_template())).drafts
    inputs.append({**saas("COST"), "costs_to_obtain": [{"date": "2026-01-15", "amount": "1200.00",
                                                         "amortisation_months": 36}]})
    for d in inputs:
        c = parse_contract({**d, "entity": "E"})
        for pol in (RevenuePolicy(), RevenuePolicy(ratable_convention="monthly", costs_to_obtain_expedient=False)):
            evs = [parse_event({"type": "MODIFICATION", "effective_date": "2026-05-01", "treatment": "prospective",
                                "changes": {"consideration_delta": "100.00"}}, "USD")] if d.get("external_id") == "SAAS-001" else []
            for r in recognise_books(c, pol, events=evs).values():
                assert moving_periods(r) == posting_periods(r)


def test_odd_inputs_never_500(client, demo, drain):
    h = demo.headers()
    odd = saas("ODD-1", transaction_price={"fixed": "100.00", "variable": {"type": 5, "method": [], "outcomes": "x"}},
               discount_allocation={"po_ids": "SUB"}, collectibility={"assessment": {"a": 1}})
    r = client.post("/v1/revenue/contracts", headers=h, json=odd)
    assert r.status_code in (201, 400), r.text
    ok = client.post("/v1/revenue/contracts", headers=h, json=saas("ODD-2")).json()
    client.post("/v1/revenue/contracts/confirm", headers=h, json={"contract_ids": [ok["id"]]})
    drain()
    for changes in ({"progress": {"SUB": 5}}, {"progress": "x"}, {"delivered": {"ONB": 3}}, {"variable": []},
                    {"quantity_delta": [1]}, {"billing": "x"}, {"add_performance_obligations": [1, {"id": 2}]}):
        for run_type in ("MODIFICATION", "VARIABLE_CONSIDERATION_REASSESSMENT", "PROGRESS_UPDATE"):
            for dry in (True, False):
                r = client.post("/v1/revenue/engine/run", headers=h, json={
                    "contract_id": ok["id"], "run_type": run_type, "effective_date": "2026-03-01",
                    "changes": changes, "dry_run": dry})
                assert r.status_code < 500, (changes, run_type, r.text)
    drain()
    for path in (f"/v1/revenue/contracts/{ok['id']}/rpo?as_of=1900-01-01",
                 f"/v1/revenue/contracts/{ok['id']}/schedule?standard=IFRS15&run_id=zzz",
                 "/v1/revenue/period-lock?entity=DEMO-US&period=2026-01",
                 "/v1/revenue/ssp-matrix?entity=NOPE", "/v1/revenue/policy-snapshots?entity=DEMO-US",
                 "/v1/revenue/journals/summary?standard=IFRS15", "/v1/revenue/dlq?status=open&limit=1"):
        r = client.get(path, headers=h)
        assert r.status_code < 500, (path, r.text)


def test_the_checked_in_template_is_the_generated_one():
    from pathlib import Path

    from backend.workbooks.revenue_template import build_template

    path = Path(__file__).resolve().parents[2] / "workbook_templates" / "revenue_contracts.xlsx"
    assert path.read_bytes() == build_template()


def test_nested_judgements_are_typed_and_a_typo_is_named(client, demo):
    """Variable consideration, discount allocation and collectibility are typed bodies: a misspelt key or a
    method outside the two of 606-10-32-8 is a 400 naming the field, not a silently ignored judgement."""
    h = demo.headers()
    for body, field in (
            (saas("T-1", transaction_price={"fixed": "100.00", "variable": {
                "type": "bonus", "method": "expected_value", "estmate": "10.00", "included": "10.00"}}),
             "transaction_price.variable.estmate"),
            (saas("T-2", transaction_price={"fixed": "100.00", "variable": {
                "type": "bonus", "method": "best_guess", "estimate": "10.00", "included": "10.00"}}),
             "transaction_price.variable.method"),
            (saas("T-3", collectibility={"assessment": "likely"}), "collectibility.assessment"),
            (saas("T-4", discount_allocation={"po_ids": [], "rationale": "x"}), "discount_allocation.po_ids")):
        r = client.post("/v1/revenue/contracts", headers=h, json=body)
        assert r.status_code == 400, r.text
        assert field in {d["field"] for d in r.json()["error"]["details"]}, (field, r.text)
    ok = saas("T-5", transaction_price={"fixed": "36000.00", "variable": {
        "type": "bonus", "method": "most_likely_amount", "estimate": "2000.00", "included": "2000.00",
        "constraint_reason": "met on every past contract"}}, collectibility={"assessment": "probable"})
    r = client.post("/v1/revenue/contracts", headers=h, json=ok)
    assert r.status_code == 201 and r.json()["issues"] == [], r.text
    assert r.json()["contract"]["transaction_price"]["variable"]["included"] == "2000.00"


def test_each_source_lists_its_own_period_locks(client, demo):
    """Found by the fuzzer: a revenue lock made GET /v1/lease/period-locks answer 500 (a revenue book is
    not a lease book in its response). Each route lists its own books and ALL."""
    h = demo.headers()
    r = client.put("/v1/revenue/period-lock", headers=h, json={"entity": "DEMO-US", "period": "2026-01",
                                                                "status": "LOCKED", "reason": "Q1 revenue"})
    assert r.status_code == 200, r.text
    assert client.put("/v1/lease/period-locks", headers=h, json={
        "entity": "DEMO-US", "period": "2026-02", "standard": "IFRS16", "status": "LOCKED",
        "reason": "Feb leases"}).status_code == 200
    lease = client.get("/v1/lease/period-locks", headers=h, params={"entity": "DEMO-US"})
    assert lease.status_code == 200, lease.text
    assert [(x["period"], x["standard"]) for x in lease.json()["data"]] == [("2026-02", "IFRS16")]
    (jan,) = client.get("/v1/lease/period-locks", headers=h, params={"entity": "DEMO-US", "period": "2026-01"}
                        ).json()["data"]
    assert jan["status"] == "OPEN"  # the lease books of January are open: only revenue is locked
    revenue = client.get("/v1/revenue/period-lock", headers=h, params={"entity": "DEMO-US"}).json()["data"]
    assert sorted((x["period"], x["standard"]) for x in revenue) == [("2026-01", "ASC606"), ("2026-01", "IFRS15")]
