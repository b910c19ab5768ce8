"""Jobs you can find and follow: GET /v1/engine/jobs with filters and cursor pagination, done/total progress
for every kind (recognition counts its leases from the start), and `ledger-layer jobs wait`."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.firsthour.test_readme import ROOT
from tests.leases.conftest import office_lease


def _confirm(client, h, n: int) -> list[str]:
    ids = [client.post("/v1/leases", headers=h, json=office_lease(f"J-{i}")).json()["id"] for i in range(n)]
    r = client.post("/v1/leases/confirm", headers=h, json={"lease_ids": ids})
    assert r.status_code == 202
    return r.json()["job_ids"]


def test_list_filter_paginate_and_progress(client, demo, drain):
    h = demo.headers()
    (job_id,) = _confirm(client, h, 3)
    queued = client.get(f"/v1/engine/jobs/{job_id}", headers=h).json()
    assert queued["status"] == "queued" and queued["progress"] == {"done": 0, "total": 3}
    drain()
    done = client.get(f"/v1/engine/jobs/{job_id}", headers=h).json()
    assert done["status"] == "succeeded" and done["progress"] == {"done": 3, "total": 3}
    r = client.post("/v1/engine/monthly-close", headers=h, json={"entity": "DEMO-US", "period": "2026-01"})
    close_jobs = r.json()["job_ids"]
    assert len(close_jobs) == 2
    everything = client.get("/v1/engine/jobs", headers=h).json()
    assert everything["total_count"] == 3 and [j["id"] for j in everything["data"]][-1] == job_id  # newest first
    queued_closes = client.get("/v1/engine/jobs", headers=h, params={"kind": "ledger.monthly_close",
                                                                     "status": "queued"}).json()
    assert {j["id"] for j in queued_closes["data"]} == set(close_jobs)
    assert all(j["progress"]["total"] >= 1 for j in queued_closes["data"])
    page1 = client.get("/v1/engine/jobs", headers=h, params={"limit": 2}).json()
    page2 = client.get("/v1/engine/jobs", headers=h, params={"limit": 2, "cursor": page1["next_cursor"]}).json()
    assert page1["has_more"] and not page2["has_more"]
    assert len({j["id"] for j in page1["data"] + page2["data"]}) == 3
    bad = client.get("/v1/engine/jobs", headers=h, params={"status": "sleeping"})
    assert bad.status_code == 400
    other = client.get("/v1/engine/jobs", headers=h, params={"kind": "lease.initial_recognition",
                                                             "cursor": page1["next_cursor"]})
    assert other.status_code == 400  # a cursor is bound to its filters


def test_jobs_wait_follows_jobs_over_the_api(live_server, demo, client, rt):
    from backend.jobs.worker import Worker

    h = demo.headers()
    job_ids = _confirm(client, h, 2)
    Worker(rt, worker_id="t", concurrency=1, schedule_housekeeping=False).run_once()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEDGER_TOKEN": demo.owner_token}
    out = subprocess.run([sys.executable, "-m", "backend.cli", "jobs", "wait", *job_ids, "--url",
                          f"{live_server}/v1", "--interval", "0.1"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    jobs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [j["id"] for j in jobs] == job_ids and all(j["status"] == "succeeded" for j in jobs)
    assert "lease.initial_recognition" in out.stderr  # the progress bar's label
    missing = subprocess.run([sys.executable, "-m", "backend.cli", "jobs", "wait", "01NOPE", "--url",
                              f"{live_server}/v1"], env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "404 job_not_found" in missing.stderr
