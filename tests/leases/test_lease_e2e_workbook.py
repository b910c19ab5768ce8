"""Issue 6 end to end: a 20-lease workbook → extract → fix by PATCH → confirm → both books →
close two months → the journals tie to the schedules → a re-close changes nothing."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from backend.db.models import JournalEntry, JournalLine
from backend.workbooks.template import build_template

FREQS = ["monthly", "quarterly", "semiannual", "annual"]


def twenty_leases() -> list[dict]:
    """Varied USD leases commencing in January or February 2026 (so two closes cover their life so far)."""
    out = []
    for i in range(20):
        start_day = [1, 1, 15, 31][i % 4]
        start = f"2026-01-{start_day:02d}" if i % 3 else "2026-02-01"
        years = 2 + i % 5
        end = {"2026-01-01": f"{2026 + years - 1}-12-31", "2026-01-15": f"{2026 + years}-01-14",
               "2026-01-31": f"{2026 + years}-01-30", "2026-02-01": f"{2026 + years}-01-31"}[start]
        freq = FREQS[i % 4] if i % 5 else "monthly"
        stream = {"from": start, "to": end, "amount": str(1000 + 250 * i), "frequency": freq,
                  "timing": "advance" if i % 2 else "arrears", "kind": "fixed"}
        if i % 3 == 0:
            stream["escalation"] = {"percent": "3", "every_months": 12}
        lease = {"external_id": f"E2E-{i:02d}", "entity": "DEMO-US", "description": f"Lease {i}",
                 "asset_class": ["property", "vehicle", "it_equipment"][i % 3], "currency": "USD",
                 "commencement_date": start, "end_date": end, "payments": [stream],
                 "discount_rate": f"0.0{4 + i % 5}"}
        if i % 4 == 0:
            lease["initial_direct_costs"] = "1500"
        if i % 6 == 0:
            lease["lease_incentives_received"] = "500"
        out.append(lease)
    out[7].pop("discount_rate")  # the issue the accountant fixes by PATCH
    out[11]["end_date"], out[11]["payments"][0]["to"] = "2026-09-30", "2026-09-30"  # short-term: exempt
    return out


def test_workbook_to_closed_journals(client, demo, rt, drain):
    h = demo.headers()
    up = client.post("/v1/leases/extract-file", headers=h,
                     files={"file": ("leases.xlsx", build_template(twenty_leases()),
                                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert up.status_code == 201, up.text
    body = up.json()
    drafts = body["drafts"]
    assert len(drafts) == 20 and body["summary"]["drafts_with_errors"] == 1
    bad = next(d for d in drafts if d["external_id"] == "E2E-07")
    assert [i["code"] for i in bad["issues"] if i["severity"] == "error"] == ["discount_rate_missing"]
    assert bad["provenance"]["external_id"].startswith("Leases!A")
    fixed = client.patch(f"/v1/leases/{bad['id']}", headers=h, json={"version": bad["version"], "discount_rate": "0.05"})
    assert fixed.status_code == 200 and not [i for i in fixed.json()["issues"] if i["severity"] == "error"]

    ids = [d["id"] for d in drafts]
    conf = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": ids}).json()
    assert conf["confirmed"] == 20 and conf["refused"] == 0
    drain()
    for job_id in conf["job_ids"]:
        job = client.get(f"/v1/engine/jobs/{job_id}", headers=h).json()
        assert job["status"] == "succeeded" and job["result"]["failed"] == [], job

    schedules = {(lid, std): client.get(f"/v1/leases/{lid}/schedule", headers=h, params={"standard": std}).json()
                 for lid in ids for std in ("IFRS16", "ASC842")}
    assert all("periods" in s for s in schedules.values())
    exempt = [s for s in schedules.values() if s["exemption"]]
    assert {s["exemption"] for s in exempt} == {"short_term"}

    for period in ("2026-01", "2026-02"):
        r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": period})
        assert r.status_code == 202, r.text
        drain()
        for c in r.json()["closes"]:
            assert client.get(f"/v1/engine/jobs/{c['job_id']}", headers=h).json()["status"] == "succeeded"

    # Journals (recognition + two closes) rebuild the balance sheet of every schedule at February's end,
    # and the P&L of January and February.
    with rt.db.session(demo.sandbox_tenant_id) as s:
        lines = s.execute(select(JournalEntry.standard, JournalEntry.period, JournalLine.account,
                                 JournalLine.debit_minor, JournalLine.credit_minor)
                          .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)).all()
    net = defaultdict(int)  # (standard, account) → debit − credit, minor units
    pnl = defaultdict(int)
    for std, period, account, debit, credit in lines:
        assert period <= "2026-02"
        net[(std, account)] += debit - credit
        pnl[(std, account)] += debit - credit
    for std in ("IFRS16", "ASC842"):
        liability = sum(Decimal(_row(sch, "2026-02")["closing_liability"] or 0)
                        for (lid, st), sch in schedules.items() if st == std and not sch["exemption"])
        rou = sum(Decimal(_row(sch, "2026-02")["closing_rou_asset"] or 0)
                  for (lid, st), sch in schedules.items() if st == std and not sch["exemption"])
        booked_liability = -(net[(std, "LEASE_LIABILITY_CURRENT")] + net[(std, "LEASE_LIABILITY_NONCURRENT")])
        booked_rou = net[(std, "ROU_ASSET")] + net[(std, "ROU_ACCUMULATED_DEPRECIATION")]
        assert liability > 0 and Decimal(booked_liability) / 100 == liability, std
        assert rou > 0 and Decimal(booked_rou) / 100 == rou, std
        current = sum(Decimal(_row(sch, "2026-02")["liability_current"] or 0)
                      for (lid, st), sch in schedules.items() if st == std and not sch["exemption"])
        assert current > 0 and Decimal(-net[(std, "LEASE_LIABILITY_CURRENT")]) / 100 == current, std
    ifrs_interest = sum(Decimal(_row(sch, p)["interest"] or 0) for (lid, st), sch in schedules.items()
                        if st == "IFRS16" and not sch["exemption"] for p in ("2026-01", "2026-02"))
    assert ifrs_interest > 0 and Decimal(pnl[("IFRS16", "INTEREST_EXPENSE")]) / 100 == ifrs_interest
    asc_cost = sum(Decimal(_row(sch, p)["lease_cost"] or 0) for (lid, st), sch in schedules.items()
                   if st == "ASC842" and sch["classification"] == "operating" and not sch["exemption"]
                   for p in ("2026-01", "2026-02"))
    assert Decimal(pnl[("ASC842", "LEASE_EXPENSE")]) / 100 >= asc_cost  # plus exempt leases' expense

    again = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-02"}).json()
    assert again["job_ids"] == [] and all(c["already_requested"] and c["status"] == "completed" for c in again["closes"])
    assert drain() == 0


def _row(schedule: dict, period: str) -> dict:
    for p in schedule["periods"]:
        if p["period"] == period:
            return p
    return {"closing_liability": 0, "closing_rou_asset": 0, "interest": 0, "lease_cost": 0, "liability_current": 0}
