"""The README's first command: `ledger-layer serve` on an empty directory prints a working token."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_on_a_fresh_directory_prints_a_token_that_works(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["PYTHONPATH"] = ROOT  # this checkout's code, whatever the installed `ledger-layer` script points at
    proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        token, lines = None, []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            m = re.search(r"(ll_test_[0-9A-Za-z]{43})", line)
            token = token or (m.group(1) if m else None)
            if "Uvicorn running on" in line:
                break
        assert token, "".join(lines)
        base = f"http://127.0.0.1:{port}"
        me = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["role"] == "OWNER" and me.json()["tenant_kind"] == "sandbox"
        anon = httpx.get(f"{base}/v1/me")
        assert anon.status_code == 401 and anon.json()["error"]["request_id"]
        assert (tmp_path / "ledger_layer.db").exists()
        assert httpx.get(f"{base}/v1/openapi.json", timeout=60).json()["openapi"].startswith("3.1")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_bad_setting_fails_with_one_clear_line(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "ledger-layer")
    env = {**os.environ, "LEDGER_DATABASE_URL": "mysql://nope"}
    out = subprocess.run([exe, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "Configuration error: LEDGER_DATABASE_URL: Value error, must be a sqlite:/// or postgresql+psycopg:// URL"]
