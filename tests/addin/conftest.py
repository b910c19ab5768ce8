from __future__ import annotations

import os

import pytest

# xlwings' remote interpreter needs a key; tests run under the non-commercial licence.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture
def post_book(client, demo):
    """POST a FakeWorkbook's payload to an add-in route; apply the actions when asked."""

    def _post(route: str, wb, token: str | None = None, *, only=None, args=None, apply: bool = True,
              expect: int = 200):
        r = client.post(f"/v1/addin/{route}", headers=demo.headers(token), json=wb.payload(only, args))
        assert r.status_code == expect, r.text
        body = r.json()
        if apply and r.status_code == 200:
            wb.apply(body["actions"])
        return body

    return _post


@pytest.fixture
def drain(rt):
    """Run queued jobs (lease recognition) to completion in this process."""
    from backend.jobs.worker import Worker

    def _drain() -> int:
        worker = Worker(rt, worker_id="addin-test", concurrency=2, schedule_housekeeping=False)
        done = 0
        while (n := worker.run_once()):
            done += n
        return done

    return _drain
