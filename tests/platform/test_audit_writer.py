"""The group-commit audit writer loses no request row to a database outage (it waits and retries),
and a row that cannot be written costs only that row, never the batch around it."""
from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import IntegrityError, OperationalError

from backend.services.platform import audit_writer as aw


def _writer(rt, monkeypatch, fail):
    written: list[dict] = []
    calls = {"n": 0}

    def append_many(conn, rows):
        calls["n"] += 1
        exc = fail(calls["n"], rows)
        if exc is not None:
            raise exc
        written.extend(rows)

    monkeypatch.setattr(aw.audit, "append_many", append_many)
    monkeypatch.setattr(aw.time, "sleep", lambda _s: None)  # the backoff, not the linger
    return aw.AuditWriter(rt), written, calls


def test_rows_wait_out_a_database_outage(rt, monkeypatch):
    down = OperationalError("INSERT", {}, psycopg.OperationalError("connection refused"))
    writer, written, calls = _writer(rt, monkeypatch, lambda n, rows: down if n <= 5 else None)
    try:
        for i in range(3):
            writer.submit({"i": i})
        writer.flush(timeout=10)
        assert sorted(r["i"] for r in written) == [0, 1, 2] and calls["n"] >= 6
    finally:
        writer.close()


def test_a_row_that_cannot_be_written_costs_only_itself(rt, monkeypatch):
    bad = IntegrityError("INSERT", {}, sqlite3.IntegrityError("NOT NULL constraint failed"))
    writer, written, _calls = _writer(rt, monkeypatch, lambda n, rows: bad if any(r["i"] == 1 for r in rows) else None)
    try:
        for i in range(3):
            writer.submit({"i": i})
        writer.flush(timeout=10)
        assert sorted(r["i"] for r in written) == [0, 2]
    finally:
        writer.close()
