"""Every error has one shape, a request id, and never leaks internals."""
from __future__ import annotations

from fastapi import APIRouter


def assert_error_shape(r, status: int, code: str | None = None):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message", "request_id", "details"}
    assert err["request_id"] and err["request_id"] == r.headers["X-Request-Id"]
    if code:
        assert err["code"] == code
    return err


def test_missing_token_is_401_with_request_id(client):
    err = assert_error_shape(client.get("/v1/me"), 401, "missing_token")
    assert "Authorization: Bearer" in err["message"]


def test_garbage_token_is_401(client):
    assert_error_shape(client.get("/v1/me", headers={"Authorization": "Bearer ll_test_nope"}), 401, "invalid_token")
    assert_error_shape(client.get("/v1/me", headers={"Authorization": "Basic abc"}), 401, "invalid_token")


def test_request_id_is_echoed_or_generated(client, demo):
    # The client's id is kept beside ours, never used as ours (#12.12: it could collide with or forge a trail).
    r = client.get("/v1/me", headers={**demo.headers(), "X-Request-Id": "my-trace-42"})
    assert r.headers["X-Request-Id"].startswith("req_") and r.headers["X-Client-Request-Id"] == "my-trace-42"
    r = client.get("/v1/me", headers={**demo.headers(), "X-Request-Id": "bad id with spaces"})
    assert r.headers["X-Request-Id"].startswith("req_")
    assert client.get("/v1/health").headers["X-Request-Id"].startswith("req_")


def test_unknown_route_is_404_in_the_same_shape(client):
    err = assert_error_shape(client.get("/v1/no-such-thing"), 404, "not_found")
    assert "/v1/no-such-thing" in err["message"]
    assert_error_shape(client.put("/v1/health"), 405, "method_not_allowed")


def test_validation_error_is_400_with_per_field_details(client, demo):
    r = client.post("/v1/users", headers=demo.headers(), json={"name": "", "email": "not-an-email", "role": "BOSS"})
    err = assert_error_shape(r, 400, "validation_error")
    fields = {d["field"] for d in err["details"]}
    assert {"name", "email", "role"} <= fields
    assert_error_shape(client.get("/v1/users", headers=demo.headers(), params={"limit": 201}), 400, "validation_error")


def test_unexpected_exception_is_500_without_internals(app, client, demo):
    router = APIRouter()

    @router.get("/v1/_boom")
    def boom():
        raise RuntimeError("secret database password in a stack trace")

    app.include_router(router)
    r = client.get("/v1/_boom")
    err = assert_error_shape(r, 500, "internal_error")
    assert "secret" not in r.text and "Traceback" not in r.text
    assert err["request_id"]


def test_conflict_and_not_found_from_services(client, demo):
    body = {"name": "A", "email": "dup@example.com", "role": "REVIEWER"}
    assert client.post("/v1/users", headers=demo.headers(), json=body).status_code == 201
    err = assert_error_shape(client.post("/v1/users", headers=demo.headers(), json=body), 409, "user_exists")
    assert err["details"][0]["field"] == "email"
    assert_error_shape(client.get("/v1/users/01ZZZZZZZZZZZZZZZZZZZZZZZZ", headers=demo.headers()), 404, "user_not_found")


def test_the_app_logs_plain_tracebacks_not_rich_ones(rt):
    """The MCP SDK installs a rich handler on an unconfigured root logger; its highlighted
    tracebacks cost seconds of CPU on the event loop per unhandled error (tests/faults saw a
    PostgreSQL restart stall every request of an API process for up to 40 s). Serving processes
    (uvicorn --factory, `ledger-layer serve`) start with no root handler, as simulated here."""
    import logging

    from backend.api.app import create_app

    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        app = create_app(rt)
        from fastapi.testclient import TestClient

        with TestClient(app) as c:  # the lifespan starts the MCP session manager
            c.get("/v1/health")
        kinds = [type(h).__module__ + "." + type(h).__name__ for h in root.handlers]
        assert kinds and not any("rich" in k for k in kinds), kinds
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


def test_a_database_outage_is_a_503_with_retry_after_and_a_bug_stays_a_500(app, demo, monkeypatch):
    """#22 faults: while PostgreSQL restarts, requests get 503 database_unavailable with Retry-After
    (not 'something went wrong'); an SQL programming error is still a plain 500."""
    import psycopg
    import sqlite3

    from fastapi.testclient import TestClient
    from sqlalchemy.exc import OperationalError

    from backend.services.platform import tenancy

    def down(*_a, **_k):
        raise OperationalError("SELECT 1", {}, psycopg.OperationalError("server closed the connection unexpectedly"))

    def bug(*_a, **_k):
        raise OperationalError("SELECT x FROM nowhere", {}, sqlite3.OperationalError("no such table: nowhere"))

    with TestClient(app, raise_server_exceptions=False) as c:
        monkeypatch.setattr(tenancy, "list_entities", down)
        r = c.get("/v1/entities", headers=demo.headers())
        assert r.status_code == 503 and r.headers["Retry-After"] == "5", r.text
        assert r.json()["error"]["code"] == "database_unavailable" and "Idempotency-Key" in r.json()["error"]["message"]
        monkeypatch.setattr(tenancy, "list_entities", bug)
        r = c.get("/v1/entities", headers=demo.headers())
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
