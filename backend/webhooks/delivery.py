"""One HTTP POST of a webhook, with the safety rules of the issue.

Standard library ``http.client`` rather than httpx: it never follows redirects, it is a runtime
dependency we already have, and it lets us connect to exactly the addresses we vetted — the host
is resolved once, every address checked, and the socket opened to one of those addresses (TLS
still verifies the host name), so a DNS answer that changes between the check and the connect
(rebinding) cannot smuggle a private target in.

Rules: http(s) only, no credentials in the URL; production tenants need https and a public
address (loopback, private, link-local, multicast, reserved, CGNAT all refused); sandbox tenants
may also use http, but only to a loopback host (local development). Timeout per request;
only the first ``EXCERPT_BYTES`` of the response are read.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from backend import __version__

TIMEOUT_SECONDS = 10.0
EXCERPT_BYTES = 1024
USER_AGENT = f"LedgerLayer-Webhooks/{__version__}"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class UnsafeUrl(ValueError):
    """The URL may not be used by this tenant; the message says why (no secrets in it)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path + query, as sent in the request line


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    excerpt: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _ip(host: str):
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    # ::ffff:10.0.0.1 reaches the IPv4 address: judge that one.
    return ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip


def is_public(ip) -> bool:
    return ip.is_global and not ip.is_multicast


def _is_loopback_host(host: str) -> bool:
    ip = _ip(host)
    return ip.is_loopback if ip is not None else (host in LOOPBACK_NAMES or host.endswith(".localhost"))


def check_url(url: str, tenant_kind: str) -> Target:
    """Static checks (no DNS), used when an endpoint is saved and again before each send."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise UnsafeUrl("The URL must be an absolute http(s) URL.")
    if parts.username or parts.password:
        raise UnsafeUrl("Credentials in the URL are not allowed; put a token in the path or rely on the signature.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("The URL's port is not valid.") from None
    if tenant_kind == "production":
        if scheme != "https":
            raise UnsafeUrl("Production endpoints must use https.")
        ip = _ip(host)
        if _is_loopback_host(host) or (ip is not None and not is_public(ip)):
            raise UnsafeUrl("Production endpoints must be public: loopback and private addresses are refused.")
    elif scheme == "http" and not _is_loopback_host(host):
        raise UnsafeUrl("http is allowed only for localhost (sandbox development); use https.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, path)


def resolve(target: Target, tenant_kind: str) -> list[str]:
    """The addresses to try, in order; in production every address the name resolves to must be
    public (one private answer is enough to refuse: we would not know which one we reach)."""
    try:
        infos = socket.getaddrinfo(target.host.strip("[]"), target.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectionError(f"DNS lookup failed: {exc.strerror or exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise ConnectionError("DNS lookup returned no address")
    if tenant_kind == "production":
        ips = [_ip(a.split("%")[0]) for a in addresses]  # drop an IPv6 zone id
        if any(ip is None or not is_public(ip) for ip in ips):
            raise UnsafeUrl("The host resolves to a private or loopback address; refused for a production tenant.")
    return addresses


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """Connect to the first vetted address that answers (as socket.create_connection would do
    with the name, but without resolving it again)."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self) -> None:
        # TLS verifies the certificate against the host name, not the address we connected to.
        self.sock = self._context.wrap_socket(_connect(self._addresses, self.port, self.timeout),
                                              server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, tenant_kind: str,
         timeout: float = TIMEOUT_SECONDS) -> Outcome:
    """POST ``body``; never raises for network trouble — the outcome carries the error."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = check_url(url, tenant_kind)
        addresses = resolve(target, tenant_kind)
    except (UnsafeUrl, ConnectionError) as exc:
        return Outcome(None, elapsed(), f"refused: {exc}" if isinstance(exc, UnsafeUrl) else str(exc))
    cls = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    conn = cls(target.host, target.port, addresses, timeout)
    try:
        conn.request("POST", target.path, body=body, headers={
            **headers, "content-type": "application/json", "user-agent": USER_AGENT})
        resp = conn.getresponse()
        excerpt = resp.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
        return Outcome(resp.status, elapsed(), None, excerpt)
    except socket.timeout:
        return Outcome(None, elapsed(), f"timeout after {timeout:g} s")
    except ssl.SSLError as exc:
        return Outcome(None, elapsed(), f"TLS error: {exc.reason or exc}")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, elapsed(), f"{type(exc).__name__}: {exc}"[:300])
    finally:
        conn.close()
