"""Encryption at rest of the endpoints' signing secrets, with only the standard library.

We must sign with the secret, so it cannot be stored as a one-way hash like API tokens. It is
encrypted instead with a key derived from the server's ``secret_key``: a keystream of
HMAC-SHA256(enc_key, nonce ‖ counter) (HMAC as a PRF in counter mode) XORed with the secret,
then HMAC-SHA256(mac_key, nonce ‖ ciphertext) as an authentication tag (encrypt-then-MAC).
A database dump alone therefore reveals no secret; the server key does. Trade-off: rotating
the server ``secret_key`` makes stored webhook secrets unreadable — endpoints then need a new
secret (rotate-secret).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

VERSION = "v1"
NONCE_BYTES = 16
TAG_BYTES = 32


class SecretUnreadable(Exception):
    """The stored secret was altered or encrypted under another server key."""


def _keys(server_key: str) -> tuple[bytes, bytes]:
    root = hashlib.sha256(server_key.encode()).digest()
    enc = hmac.new(root, b"ledger-layer.webhook-secret.enc", hashlib.sha256).digest()
    mac = hmac.new(root, b"ledger-layer.webhook-secret.mac", hashlib.sha256).digest()
    return enc, mac


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def encrypt(plaintext: str, server_key: str) -> str:
    enc, mac = _keys(server_key)
    nonce = os.urandom(NONCE_BYTES)
    data = plaintext.encode()
    ct = bytes(a ^ b for a, b in zip(data, _keystream(enc, nonce, len(data))))
    tag = hmac.new(mac, nonce + ct, hashlib.sha256).digest()
    return VERSION + ":" + base64.urlsafe_b64encode(nonce + ct + tag).decode()


def decrypt(token: str, server_key: str) -> str:
    version, _, body = token.partition(":")
    if version != VERSION:
        raise SecretUnreadable("unknown secret format")
    raw = base64.urlsafe_b64decode(body.encode())
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SecretUnreadable("stored secret is truncated")
    nonce, ct, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    enc, mac = _keys(server_key)
    if not hmac.compare_digest(tag, hmac.new(mac, nonce + ct, hashlib.sha256).digest()):
        raise SecretUnreadable("stored secret does not match the server key")
    return bytes(a ^ b for a, b in zip(ct, _keystream(enc, nonce, len(ct)))).decode()
