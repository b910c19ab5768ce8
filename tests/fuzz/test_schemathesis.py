"""Schemathesis against the published OpenAPI of a live `ledger-layer serve` (#12.5): every
operation, generated and stateful sequences, with two checks — no server error (5xx) and every
response conforms to its documented schema. Run once (SQLite); the rules it exercises are the
same on PostgreSQL, where the other suites run.

``LEDGER_FUZZ_SECONDS`` sets the time budget (default 150 s).
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from tests.platform.test_cli import _free_port

BIN = os.path.dirname(sys.executable)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _serve(tmp_path, port: int) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_SECRET_KEY="fuzz-secret-key-that-is-long-enough-0123456789", LEDGER_DEFAULT_PLAN="enterprise",
               XLWINGS_LICENSE_KEY="noncommercial", PYTHONPATH=ROOT)
    log = tmp_path / "serve.log"
    # The server's output goes to a file: a pipe nobody reads fills up and stalls the server.
    with open(log, "w") as out:
        # This checkout's code (python -m), not whatever the installed `ledger-layer` script points at.
        proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(port)], cwd=tmp_path,
                                env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        text = log.read_text()
        m = re.search(r"(ll_test_[0-9A-Za-z]{43})", text)
        if m and "Uvicorn running on" in text:
            return proc, m.group(1)
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"serve did not start: {log.read_text()[-2000:]}")


@pytest.mark.slow
def test_no_server_errors_and_no_schema_violations(tmp_path):
    exe = os.path.join(BIN, "schemathesis")
    if not os.path.exists(exe):
        pytest.skip("schemathesis is not installed (pip install -e '.[test]' installs it)")
    port = _free_port()
    proc, token = _serve(tmp_path, port)
    try:
        # The fuzzer sends thousands of requests a minute: give this throwaway tenant a budget to match
        # (rate limiting itself is tested in tests/api and tests/security).
        with sqlite3.connect(tmp_path / "ledger_layer.db") as db:
            db.execute("UPDATE tenants SET rate_limit_per_minute = 10000000")
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        budget = os.environ.get("LEDGER_FUZZ_SECONDS", "150")
        out = subprocess.run(
            [exe, "run", f"{base}/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
             "--checks", "not_a_server_error,response_schema_conformance", "--max-time", budget, "-w", "1",
             "--phases", "examples,coverage,fuzzing,stateful", "--suppress-health-check", "all",
             # Revoking the fuzzer's own token would turn the rest of the run into 401s (tested elsewhere).
             "--exclude-operation-id", "revoke_token"],
            cwd=tmp_path, capture_output=True, text=True, timeout=int(budget) + 300)
        report = out.stdout + out.stderr
        (tmp_path / "schemathesis.txt").write_text(report)
        assert out.returncode == 0, report[-12000:]
        assert "Server error" not in report and "Response violates schema" not in report
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
