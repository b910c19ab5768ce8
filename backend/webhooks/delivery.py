"""One HTTP POST of a webhook, with the safety rules of the issue.

Standard library ``http.client`` rather than httpx: it never follows redirects, it is a runtime
dependency we already have, and it lets us connect to exactly the addresses we vetted — the host
is resolved once, every address checked, and the socket opened to one of those addresses (TLS
still verifies the host name), so a DNS answer that changes between the check and the connect
(rebinding) cannot smuggle a private target in.

Rules, the same in every tenant (sandbox included): http(s) only, no credentials in the URL, https
required, and the host must be public — at save time (literal addresses in every spelling: IPv4-mapped
IPv6, decimal, hex, octal and short IPv4 forms, ``0``; cloud metadata and internal names) and again
at delivery after DNS resolution (every address must be public). The one exception is operator-level,
not tenant-level: ``LEDGER_WEBHOOK_ALLOW_LOOPBACK`` (development only, refused in production) lets
http/https to a loopback host through for local testing. The receiver's response body is not kept:
only its status (a body could echo internal data back through the delivery log).
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
DRAIN_BYTES = 1024  # read (and drop) this much of the response so the connection closes cleanly
USER_AGENT = f"LedgerLayer-Webhooks/{__version__}"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
# Names that reach cloud metadata services or internal-only zones whatever they resolve to today.
INTERNAL_NAMES = ("metadata", "metadata.google.internal", "instance-data", "kubernetes.default")
INTERNAL_SUFFIXES = (".internal", ".local", ".localdomain", ".intranet", ".lan", ".home.arpa", ".corp")


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

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _ip(host: str):
    """The address a host string denotes when it is a literal, in any spelling a resolver accepts."""
    host = host.strip("[]")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
        # inet_aton reads the legacy IPv4 forms the OS resolver also accepts: 2130706433, 0x7f000001,
        # 0177.0.0.1, 127.1, 0. A name made only of such digits is an address, not a name.
        if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
            try:
                ip = ipaddress.IPv4Address(socket.inet_aton(host))
            except OSError:
                return None
        if ip is None:
            return None
    # ::ffff:10.0.0.1 reaches the IPv4 address: judge that one.
    return ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip


def is_public(ip) -> bool:
    return ip.is_global and not ip.is_multicast


def _is_loopback_host(host: str) -> bool:
    ip = _ip(host)
    return ip.is_loopback if ip is not None else (host in LOOPBACK_NAMES or host.endswith(".localhost"))


def _allowed_address(ip, allow_loopback: bool) -> bool:
    return is_public(ip) or (allow_loopback and ip.is_loopback)


def check_url(url: str, allow_loopback: bool = False) -> Target:
    """Static checks (no DNS), used when an endpoint is saved and again before each send."""
    if any(c.isspace() for c in url) or not url.isascii():
        raise UnsafeUrl("The URL must not contain spaces or non-ASCII characters (percent-encode them).")
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host:
        raise UnsafeUrl("The URL must be an absolute https URL.")
    if parts.username or parts.password:
        raise UnsafeUrl("Credentials in the URL are not allowed; put a token in the path or rely on the signature.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("The URL's port is not valid.") from None
    loopback = _is_loopback_host(host)
    if loopback and not allow_loopback:
        raise UnsafeUrl("Endpoints must be public: loopback addresses are refused.")
    if scheme != "https" and not loopback:
        raise UnsafeUrl("Endpoints must use https.")
    ip = _ip(host)
    if ip is not None and not _allowed_address(ip, allow_loopback):
        raise UnsafeUrl("Endpoints must be public: private, link-local, metadata and reserved addresses are refused.")
    if host in INTERNAL_NAMES or host.startswith("metadata.") or host.endswith(INTERNAL_SUFFIXES):
        raise UnsafeUrl("Endpoints must be public: internal and cloud-metadata host names are refused.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, path)


def resolve(target: Target, allow_loopback: bool = False) -> list[str]:
    """The addresses to try, in order; every address the name resolves to must be public (one
    private answer is enough to refuse: we would not know which one we reach)."""
    try:
        infos = socket.getaddrinfo(target.host.strip("[]"), target.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectionError(f"DNS lookup failed: {exc.strerror or exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))  # sockaddr[0]: the address text
    if not addresses:
        raise ConnectionError("DNS lookup returned no address")
    ips = [_ip(a.split("%")[0]) for a in addresses]  # drop an IPv6 zone id
    if any(ip is None or not _allowed_address(ip, allow_loopback) for ip in ips):
        raise UnsafeUrl("The host resolves to a private, loopback or reserved address; refused.")
    return addresses


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """Connect to the first vetted address that answers (as socket.create_connection would do
    with the name, but without resolving it again)."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    assert error is not None  # resolve() never returns an empty list
    raise error


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        context = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=context)
        self._tls = context  # the context the base class keeps too (as the private _context)
        self._addresses = addresses

    def connect(self) -> None:
        # TLS verifies the certificate against the host name, not the address we connected to.
        self.sock = self._tls.wrap_socket(_connect(self._addresses, self.port, self.timeout),
                                              server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, allow_loopback: bool = False,
         timeout: float = TIMEOUT_SECONDS) -> Outcome:
    """POST ``body``; never raises for network trouble — the outcome carries the error."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = check_url(url, allow_loopback)
        addresses = resolve(target, allow_loopback)
    except (UnsafeUrl, ConnectionError) as exc:
        return Outcome(None, elapsed(), f"refused: {exc}" if isinstance(exc, UnsafeUrl) else str(exc))
    cls = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    conn = cls(target.host, target.port, addresses, timeout)
    try:
        conn.request("POST", target.path, body=body, headers={
            **headers, "content-type": "application/json", "user-agent": USER_AGENT})
        resp = conn.getresponse()
        resp.read(DRAIN_BYTES)  # never stored: see the module docstring
        return Outcome(resp.status, elapsed(), None)
    except socket.timeout:
        return Outcome(None, elapsed(), f"timeout after {timeout:g} s")
    except ssl.SSLError as exc:
        return Outcome(None, elapsed(), f"TLS error: {exc.reason or exc}")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, elapsed(), f"{type(exc).__name__}: {exc}"[:300])
    finally:
        conn.close()
