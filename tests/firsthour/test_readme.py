"""The README's first hour runs as pasted: a fresh `ledger-layer serve` in an empty directory, then every
bash block between the first-hour markers, in order, in one shell. The journal file it ends with holds only
approved lines, balanced per currency, with GL accounts and the approver's name."""
from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("<!-- first-hour:start -->", 1)[1].split("<!-- first-hour:end -->", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fresh_server(tmp_path):
    """`ledger-layer serve` on an empty directory (this checkout's code), like a new user's first run."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["PYTHONPATH"] = str(ROOT)
    (tmp_path / "workbook_templates").mkdir()
    shutil.copy(ROOT / "workbook_templates" / "leases.xlsx", tmp_path / "workbook_templates" / "leases.xlsx")
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 60
        while "Uvicorn running on" not in (tmp_path / "serve.log").read_text():
            assert proc.poll() is None and time.time() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        yield tmp_path, port, env
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.slow
def test_readme_first_hour_runs_as_pasted(fresh_server):
    assert shutil.which("jq"), "the README uses jq: install it (apt-get install jq)"
    cwd, port, env = fresh_server
    blocks = readme_blocks()
    assert len(blocks) >= 8
    script = "\n".join(["set -euo pipefail",
                        f'ledger-layer() {{ "{sys.executable}" -m backend.cli "$@"; }}',
                        *blocks]).replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    out = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"stdout:\n{out.stdout[-4000:]}\nstderr:\n{out.stderr[-4000:]}"
    assert "INVALID" not in out.stdout and "null" not in out.stdout.splitlines()[0]

    rows = list(csv.DictReader((cwd / "journal-UK01-IFRS16.csv").open(newline="")))
    assert rows, "the export is empty"
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_entry: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        assert row["status"] == "approved" and row["standard"] == "IFRS16" and row["entity"] == "UK01", row
        assert row["gl_account"] and row["approved_by"] == "Ada Approver" and row["approved_by_email"] == "ada@example.com"
        assert row["prepared_by"] == "Demo Owner"
        for acc in (totals[row["currency"]], by_entry[row["entry_id"]]):
            acc[0] += Decimal(row["debit"])
            acc[1] += Decimal(row["credit"])
    assert all(d == c and d > 0 for d, c in totals.values()), totals
    assert all(d == c for d, c in by_entry.values())
    assert {row["gl_account"] for row in rows if row["account"] == "CASH"} <= {"1010"}  # the edited mapping
    headers = (cwd / "export-headers.txt").read_text().lower()
    assert f"x-export-entries: {len(by_entry)}" in headers and "x-draft-entries-excluded: 0" in headers
