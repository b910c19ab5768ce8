"""`ledger-layer serve --https` on a workstation: a client that trusts the generated local CA gets the add-in
manifest over HTTPS, and the manifest's URLs are the scheme, host and port actually served."""
from __future__ import annotations

import os
import re
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.firsthour.test_readme import ROOT, _free_port


@pytest.mark.slow
def test_serve_https_with_a_local_ca_serves_a_matching_manifest(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["PYTHONPATH"] = str(ROOT)
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--https", "--port", str(port)],
                                cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 60
            while "Uvicorn running on" not in log_path.read_text():
                assert proc.poll() is None and time.time() < deadline, log_path.read_text()
                time.sleep(0.1)
            out = log_path.read_text()
            ca = tmp_path / ".ledger-layer" / "tls" / "ca.pem"
            assert ca.exists() and "certutil" in out and "update-ca-certificates" in out and str(ca) in out
            assert oct((tmp_path / ".ledger-layer" / "tls" / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
            assert f"https://localhost:{port}/addin/manifest.xml" in out
            trusting = ssl.create_default_context(cafile=str(ca))
            r = httpx.get(f"https://localhost:{port}/addin/manifest.xml", verify=trusting, timeout=10)
            assert r.status_code == 200, r.text
            urls = set(re.findall(r'DefaultValue="(https?://[^"]+)"', r.text))
            assert urls and all(u.startswith(f"https://localhost:{port}/") for u in urls), urls
            assert httpx.get(f"https://127.0.0.1:{port}/v1/health", verify=trusting, timeout=10).status_code == 200
            with pytest.raises(httpx.ConnectError):  # a client that does not trust the CA refuses the server
                httpx.get(f"https://localhost:{port}/v1/health", timeout=10)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_the_local_ca_is_created_once_and_reused(tmp_path: Path):
    from backend.services.platform import local_tls

    first = local_tls.ensure("127.0.0.1", tmp_path / "tls")
    ca = first.ca_cert.read_bytes()
    again = local_tls.ensure("127.0.0.1", tmp_path / "tls")
    assert first.created_ca and not again.created_ca and again.ca_cert.read_bytes() == ca
    ctx = ssl.create_default_context(cafile=str(again.ca_cert))
    ctx.load_cert_chain(again.cert, again.key)  # the key matches the certificate
    assert local_tls.url_host("0.0.0.0") == "localhost" and local_tls.url_host("ledger.lan") == "ledger.lan"
