"""Locust users for bench_load.py (run by it as ``locust --headless -f bench/load_locustfile.py``).

Configuration comes from the environment bench_load.py sets:
  BENCH_HOSTS            comma-separated API base URLs; each user picks one round-robin
  BENCH_OWNER_TOKEN      the OWNER token (prepares: creates, confirms, closes)
  BENCH_APPROVER_TOKENS  comma-separated APPROVER tokens (four-eyes: not the preparer)
  BENCH_SEED_LEASES      comma-separated ids of leases recognised before the run (schedule reads)
  BENCH_OUT              where to write what happened (JSON) when the run stops
  BENCH_WAIT_MIN/MAX     think time between tasks, seconds
  BENCH_RUN              a tag that makes external ids and idempotency keys unique to this run

Every request is recorded (name, read/write, status, milliseconds); every write the service
acknowledged with 2xx is recorded with what it promised, so bench_load.py can check afterwards
that it is there. Nothing here decides PASS/FAIL.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import zlib

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

HOSTS = [h for h in os.environ.get("BENCH_HOSTS", "http://127.0.0.1:8000").split(",") if h]
OWNER = os.environ.get("BENCH_OWNER_TOKEN", "")
APPROVERS = [t for t in os.environ.get("BENCH_APPROVER_TOKENS", "").split(",") if t]
SEED = [x for x in os.environ.get("BENCH_SEED_LEASES", "").split(",") if x]
RUN = os.environ.get("BENCH_RUN", "run")
WAIT = (float(os.environ.get("BENCH_WAIT_MIN", "0.5")), float(os.environ.get("BENCH_WAIT_MAX", "1.5")))
PERIODS = [f"{y}-{m:02d}" for y in (2026, 2027) for m in range(1, 13)]

_host_cycle = itertools.cycle(HOSTS)
_counter = itertools.count()
RECORDS: list[tuple[str, str, int, float]] = []  # (name, read|write, status, ms)
ACKED = {"leases": [], "replays": [], "confirms": [], "closes": [], "approvals": []}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, context=None,
            **_kw):
    status = getattr(response, "status_code", 0) or 0
    if exception is not None and not status:
        status = 0  # connection error, timeout: no HTTP answer at all
    kind = "read" if request_type == "GET" else "write"
    RECORDS.append((name, kind, int(status), float(response_time)))


@events.test_stop.add_listener
def _dump(environment, **_kw):
    path = os.environ.get("BENCH_OUT")
    if path:
        with open(path, "w") as f:
            json.dump({"records": RECORDS, "acked": ACKED}, f)


def lease_body(external_id: str, n: int) -> dict:
    amount = 5000 + (n % 97) * 37
    return {"entity": "DEMO-US", "external_id": external_id, "description": "Load test office",
            "asset_class": "property", "currency": "USD", "commencement_date": "2026-01-01",
            "end_date": "2028-12-31",
            "payments": [{"from": "2026-01-01", "to": "2028-12-01", "amount": f"{amount}.00", "frequency": "monthly",
                          "timing": "advance", "escalation": {"percent": "3", "every_months": 12}}],
            "discount_rate": "0.06", "useful_life_months": 120, "fair_value": "900000.00"}


class _Base(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)
    network_timeout = 60.0
    connection_timeout = 30.0
    host = HOSTS[0]

    def __init__(self, environment):
        self.host = next(_host_cycle)  # per-user host choice: round-robin over the API processes
        super().__init__(environment)
        self.index = next(_counter)

    def _h(self, token: str, **extra) -> dict:
        return {"Authorization": f"Bearer {token}", **extra}

    def _json(self, r):
        try:
            return r.json()
        except Exception:
            return None


class Preparer(_Base):
    """Reads, lease creates (Idempotency-Key, some retried), confirms and monthly closes, as the OWNER."""

    weight = 8

    def on_start(self):
        self.mine: list[str] = []  # created here, not yet confirmed
        self.seen: list[str] = list(SEED)

    @task(5)
    def list_leases(self):
        self.client.get("/v1/leases?limit=20", headers=self._h(OWNER), name="GET /v1/leases")

    @task(4)
    def lease_detail(self):
        if self.seen:
            self.client.get(f"/v1/leases/{random.choice(self.seen)}", headers=self._h(OWNER),
                            name="GET /v1/leases/{id}")

    @task(3)
    def schedule(self):
        if SEED:
            std = random.choice(("IFRS16", "ASC842"))
            self.client.get(f"/v1/leases/{random.choice(SEED)}/schedule?standard={std}", headers=self._h(OWNER),
                            name="GET /v1/leases/{id}/schedule")

    @task(2)
    def journals(self):
        self.client.get("/v1/journal-entries?limit=20", headers=self._h(OWNER), name="GET /v1/journal-entries")

    @task(1)
    def jobs(self):
        self.client.get("/v1/engine/jobs?limit=20", headers=self._h(OWNER), name="GET /v1/engine/jobs")

    @task(4)
    def create_lease(self):
        n = next(_counter)
        ext = f"{RUN}-u{self.index}-{n}"
        key = f"{RUN}-create-{self.index}-{n}"
        body = lease_body(ext, n)
        r = self.client.post("/v1/leases", json=body, headers=self._h(OWNER, **{"Idempotency-Key": key}),
                             name="POST /v1/leases")
        first = self._json(r) if r.status_code == 201 else None
        if first:
            ACKED["leases"].append({"id": first["id"], "external_id": ext, "key": key})
            self.mine.append(first["id"])
            self.seen.append(first["id"])
        if random.random() < 0.25:  # the client did not trust the answer: the same request again
            r2 = self.client.post("/v1/leases", json=body, headers=self._h(OWNER, **{"Idempotency-Key": key}),
                                  name="POST /v1/leases (retry, same key)")
            again = self._json(r2) if r2.status_code in (200, 201) else None  # 200: a replay
            if again:
                ACKED["replays"].append({"key": key, "id": again["id"], "first_id": first["id"] if first else None,
                                         "external_id": ext})

    @task(2)
    def confirm(self):
        if not self.mine:
            return
        ids, self.mine = self.mine[:10], self.mine[10:]
        key = f"{RUN}-confirm-{self.index}-{next(_counter)}"
        r = self.client.post("/v1/leases/confirm", json={"lease_ids": ids},
                             headers=self._h(OWNER, **{"Idempotency-Key": key}), name="POST /v1/leases/confirm")
        if r.status_code in (200, 202):
            body = self._json(r) or {}
            ACKED["confirms"] += [x["lease_id"] for x in body.get("results", []) if x.get("status") == "confirmed"]
        else:
            self.mine = ids + self.mine

    @task(1)
    def close(self):
        period = random.choice(PERIODS)
        r = self.client.post("/v1/engine/monthly-close", json={"entity": "DEMO-US", "period": period},
                             headers=self._h(OWNER), name="POST /v1/engine/monthly-close")
        if r.status_code in (200, 202):
            for c in (self._json(r) or {}).get("closes", []):
                ACKED["closes"].append({"id": c.get("close_id"), "period": period, "standard": c.get("standard")})


class Approver(_Base):
    """A second person approving draft journals (four-eyes: never the preparer). Approver instances
    split the drafts by a hash of the entry id, so two of them never race for one entry."""

    weight = 2

    def on_start(self):
        self.token = APPROVERS[self.index % len(APPROVERS)] if APPROVERS else OWNER
        self.slot = next(_approver_slot)  # past APPROVER_SLOTS an instance only reads (no shared slot)

    @task
    def approve_some(self):
        r = self.client.get(f"/v1/journal-entries?status=draft&limit=50&period={random.choice(PERIODS[:6])}",
                            headers=self._h(self.token), name="GET /v1/journal-entries?status=draft")
        rows = (self._json(r) or {}).get("data", []) if r.status_code == 200 else []
        if self.slot >= APPROVER_SLOTS:
            return
        mine = [e["id"] for e in rows if zlib.crc32(e["id"].encode()) % APPROVER_SLOTS == self.slot]
        for entry_id in mine[:3]:
            a = self.client.post(f"/v1/journal-entries/{entry_id}/approve", headers=self._h(self.token),
                                 name="POST /v1/journal-entries/{id}/approve")
            if a.status_code == 200:
                ACKED["approvals"].append(entry_id)


APPROVER_SLOTS = int(os.environ.get("BENCH_APPROVER_SLOTS", "20"))
_approver_slot = itertools.count()
