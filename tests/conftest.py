"""Shared fixtures: a migrated database per test on SQLite (always) and PostgreSQL (when
LEDGER_TEST_DATABASE_URL is set — CI sets it), a Runtime, an app client and the demo account."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from backend.db.migrate import upgrade
from backend.db.session import Database
from backend.services.platform.context import Runtime
from backend.settings import Settings

PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL")
if PG_URL and PG_URL.startswith("postgresql://"):
    PG_URL = "postgresql+psycopg://" + PG_URL.split("://", 1)[1]
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _reset_pg_schema(url: str) -> None:
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    eng.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    _reset_pg_schema(PG_URL)
    upgrade(PG_URL)
    return PG_URL


def _truncate_pg(url: str) -> None:
    eng = create_engine(url)
    with eng.begin() as c:
        names = [r[0] for r in c.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        if names:
            c.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    eng.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "ledger.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_migrated")
    _truncate_pg(url)
    return url


class FakeClock:
    """An injectable clock for tests: starts at a fixed instant, moves only when told."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        from datetime import timedelta

        self.now += timedelta(**kwargs)


@pytest.fixture
def settings(db_url) -> Settings:
    # Webhook tests deliver to receivers on 127.0.0.1: the development-only loopback allowance is on here
    # (tests/security/test_webhook_ssrf.py checks the default, which refuses loopback).
    return Settings(database_url=db_url, secret_key=TEST_SECRET, worker_in_process=False, webhook_allow_loopback=True,
                    _env_file=None)


@pytest.fixture
def rt(settings):
    runtime = Runtime(settings=settings, db=Database(settings.database_url), secret_key=TEST_SECRET)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def app(rt):
    from backend.api.app import create_app

    return create_app(rt)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@dataclass
class Demo:
    account_id: str
    sandbox_tenant_id: str
    production_tenant_id: str
    owner_token: str

    def headers(self, token: str | None = None) -> dict:
        return {"Authorization": f"Bearer {token or self.owner_token}"}


@pytest.fixture
def demo(rt) -> Demo:
    from backend.services.platform import tenancy

    boot = tenancy.bootstrap_demo(rt)
    return Demo(boot.account_id, boot.sandbox_tenant_id, boot.production_tenant_id, boot.token)


@pytest.fixture
def make_user(client, demo):
    """Create a user with a role (and actor kind) via the API; returns (user, token)."""
    counter = {"n": 0}

    def _make(role: str, actor_kind: str = "human", tenant: str = "sandbox") -> tuple[dict, str]:
        counter["n"] += 1
        r = client.post("/v1/users", headers=demo.headers(), json={
            "name": f"{role.title()} {counter['n']}", "email": f"{role.lower()}{counter['n']}@demo.example",
            "role": role, "actor_kind": actor_kind})
        assert r.status_code == 201, r.text
        user = r.json()
        if tenant == "sandbox":
            t = client.post("/v1/tokens", headers=demo.headers(), json={"name": "test", "user_id": user["id"]})
            assert t.status_code == 201, t.text
            return user, t.json()["token"]
        from backend.services.platform import admin

        return user, admin.mint_token(client.app.state.runtime, email=user["email"], tenant_kind=tenant,
                                      name="test")["token"]

    return _make


@pytest.fixture
def drain(rt):
    """Run queued jobs to completion in this process (what the in-process worker does); returns how many."""
    from backend.jobs.worker import Worker

    def _drain(max_rounds: int = 10_000) -> int:
        worker = Worker(rt, worker_id="test-worker", concurrency=4, schedule_housekeeping=False)
        done = 0
        for _ in range(max_rounds):
            n = worker.run_once()
            if n == 0:
                return done
            done += n
        raise AssertionError("jobs did not drain")

    return _drain


@pytest.fixture
def live_server(app):
    """The app on a real uvicorn server in a background thread: for concurrency tests over HTTP."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
