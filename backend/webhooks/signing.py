"""Standard Webhooks signatures (standard-webhooks spec, symmetric ``v1``).

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the key is the base64-decoded
part of the ``whsec_`` secret; the header lists one ``v1,<base64 HMAC-SHA256>`` per secret,
space-separated, so a receiver verifying with either the old or the new secret accepts a
message sent during a rotation.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _secrets

PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec allows 24-64 random bytes


def generate_secret() -> str:
    return PREFIX + base64.b64encode(_secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key_bytes(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(PREFIX):])


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of ``msg_id.timestamp.body``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: every current secret's signature, space-separated."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets)


def headers(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets, msg_id, timestamp, body)}
