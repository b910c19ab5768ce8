"""HTTPS on a workstation, for the Excel add-in (Office loads add-ins over HTTPS only).

``ledger-layer serve --https`` keeps a local certificate authority in ``.ledger-layer/tls/`` (created once,
reused on every start, so the user trusts it once) and issues the server a certificate for ``localhost``,
``127.0.0.1`` and ``::1`` (plus the bound host when it is another name). The CA's private key never leaves
that directory (mode 0600); it is for this workstation only, never for a shared server — put a real
certificate or a reverse proxy in front of those.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

TLS_DIR = Path(".ledger-layer") / "tls"
CERT_DAYS = 800  # under the 825 days macOS accepts for a server certificate from a user-trusted root


@dataclass
class LocalTls:
    ca_cert: Path
    cert: Path
    key: Path
    created_ca: bool


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def ensure(host: str, directory: Path = TLS_DIR, now: datetime | None = None) -> LocalTls:
    """The local CA (created on first use) and a fresh server certificate for ``host`` and localhost."""
    import trustme

    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    ca_cert, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    created = not (ca_cert.exists() and ca_key.exists())
    if created:
        ca = trustme.CA(organization_name="Ledger Layer local CA", key_type=trustme.KeyType.RSA)
        ca_cert.write_bytes(ca.cert_pem.bytes())
        _write_private(ca_key, ca.private_key_pem.bytes())
    else:
        ca = trustme.CA.from_pem(ca_cert.read_bytes(), ca_key.read_bytes())
    names = ["localhost", "127.0.0.1", "::1"]
    if host not in names and host not in ("0.0.0.0", "::"):
        names.append(host)
    now = now or datetime.now(timezone.utc)
    leaf = ca.issue_cert(*names, common_name="localhost", organization_name="Ledger Layer",
                         not_before=now - timedelta(minutes=5), not_after=now + timedelta(days=CERT_DAYS),
                         key_type=trustme.KeyType.RSA)
    cert, key = directory / "server.pem", directory / "server-key.pem"
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    _write_private(key, leaf.private_key_pem.bytes())
    return LocalTls(ca_cert.resolve(), cert.resolve(), key.resolve(), created)


def url_host(host: str) -> str:
    """The host name for URLs (the manifest): localhost for loopback and wildcard binds."""
    if host in ("127.0.0.1", "0.0.0.0", "::", "::1", "localhost"):
        return "localhost"
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


def trust_help(ca_cert: Path) -> str:
    return (f"Trust the local CA once so Excel and your browser accept https://localhost (file: {ca_cert}):\n"
            f"  macOS:   sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "
            f"'{ca_cert}'\n"
            f"  Windows: certutil -user -addstore Root \"{ca_cert}\"\n"
            f"  Linux:   sudo cp '{ca_cert}' /usr/local/share/ca-certificates/ledger-layer-local-ca.crt && "
            f"sudo update-ca-certificates\n"
            f"  (Firefox keeps its own store: Settings → Certificates → Import.)")
