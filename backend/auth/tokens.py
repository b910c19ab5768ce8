"""API token format: ``ll_{live|test}_`` + 37 random base62 chars + 6-char base62 CRC32.

The checksum lets us (and secret scanners) reject a mistyped or made-up token without a
database lookup; only an HMAC-SHA256 of the whole token under the server secret is stored,
so a database dump does not yield usable tokens (GitHub's token format, see
shared/reference/api-platform.md "Token formats and storage").
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LEN = 37
CHECK_LEN = 6
PREFIX_BY_KIND = {"production": "ll_live_", "sandbox": "ll_test_"}


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(BASE62[r])
    return "".join(reversed(out))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECK_LEN)


def generate(tenant_kind: str) -> str:
    prefix = PREFIX_BY_KIND[tenant_kind]
    body = prefix + "".join(secrets.choice(BASE62) for _ in range(RANDOM_LEN))
    return body + _checksum(body)


def tenant_kind_of(token: str) -> str | None:
    """The tenant kind the token's prefix claims, if the token is well-formed and its checksum holds."""
    for kind, prefix in PREFIX_BY_KIND.items():  # noqa: B007  (kind is returned below)
        if token.startswith(prefix):
            break
    else:
        return None
    if len(token) != len(prefix) + RANDOM_LEN + CHECK_LEN:
        return None
    body, check = token[:-CHECK_LEN], token[-CHECK_LEN:]
    if any(c not in BASE62 for c in token[len(prefix):]):
        return None
    return kind if hmac.compare_digest(_checksum(body), check) else None


def hash_token(token: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def display_prefix(token: str) -> str:
    return token[: len("ll_test_") + 4]
