"""Webhook tests: a FakeClock on the Runtime (set to the real time so the standardwebhooks
package's 5-minute tolerance accepts our timestamps), a real receiver on 127.0.0.1, and a
worker driven with run_once()."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from backend.db.models import Job, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from backend.jobs.worker import Worker
from backend.webhooks.outbox import emit
from tests.conftest import FakeClock
from webhook_receiver import Receiver


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(timezone.utc).replace(microsecond=0))


@pytest.fixture
def wrt(rt, clock):
    rt.clock = clock
    return rt


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def run_jobs(wrt):
    """Run every job due now (by the fake clock); the number run."""

    def _run(runtime=None) -> int:
        worker = Worker(runtime or wrt, worker_id="webhook-test", schedule_housekeeping=False)
        done = 0
        while (n := worker.run_once()):
            done += n
            assert done < 1000, "jobs did not drain"
        return done

    return _run


@pytest.fixture
def subscribe(client, demo):
    """Create an endpoint over the API (sandbox OWNER token unless another is given); returns the body."""

    def _subscribe(url: str, event_types: list[str], token: str | None = None, expect: int = 201) -> dict:
        r = client.post("/v1/webhook-endpoints", headers=demo.headers(token),
                        json={"url": url, "event_types": event_types})
        assert r.status_code == expect, r.text
        return r.json()

    return _subscribe


@pytest.fixture
def emit_committed(wrt, demo, clock):
    """Emit one event in its own committed transaction; returns the event id."""

    def _emit(event_type: str = "journal.approved", data: dict | None = None, tenant_id: str | None = None) -> str:
        tenant = tenant_id or demo.sandbox_tenant_id
        with wrt.db.session(tenant, write=True) as s:
            return emit(s, {"user_id": "U1", "actor_kind": "human"}, tenant_id=tenant, event_type=event_type,
                        data=data or {"id": "JE-1", "status": "approved", "amount": "100.00"}, now=clock(),
                        request_id="req_test")

    return _emit


@pytest.fixture
def rows(wrt):
    """Read webhook rows as stored now (system session: no tenant filter)."""

    class Rows:
        def deliveries(self) -> list[WebhookDelivery]:
            with wrt.db.session(system=True) as s:
                return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at,
                                                                       WebhookDelivery.id)))

        def delivery(self) -> WebhookDelivery:
            (d,) = self.deliveries()
            return d

        def attempts(self, delivery_id: str) -> list[WebhookAttempt]:
            with wrt.db.session(system=True) as s:
                return list(s.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
                                      .order_by(WebhookAttempt.attempt_no)))

        def endpoint(self, endpoint_id: str) -> WebhookEndpoint:
            with wrt.db.session(system=True) as s:
                return s.get(WebhookEndpoint, endpoint_id)

        def count(self, model) -> int:
            with wrt.db.session(system=True) as s:
                return s.scalar(select(func.count()).select_from(model))

        def queued_webhook_jobs(self) -> list[Job]:
            with wrt.db.session(system=True) as s:
                return list(s.scalars(select(Job).where(Job.kind == "webhook.deliver", Job.status == "queued")))

        def events(self) -> int:
            return self.count(WebhookEvent)

    return Rows()
