"""Password hashing for dashboard sign-in: argon2id (memory-hard), via argon2-cffi.

The parameters are argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, 3 passes,
4 lanes); a hash made with older parameters is upgraded at the next successful sign-in.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backend.services.platform.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256
_HASHER = PasswordHasher()


def check_strength(password: str, *, email: str | None = None) -> None:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    if email and password.lower() == email.lower():
        problems.append("not your email address")
    if problems:
        raise InvalidInput(f"The password must be {' and '.join(problems)}.", code="weak_password",
                           details=[{"field": "password", "code": "weak_password", "message": ", ".join(problems)}])


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still costs one verification (same timing)."""
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("not-a-real-password: equalises the time of unknown emails")
