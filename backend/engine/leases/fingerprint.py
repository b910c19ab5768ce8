"""The lease package's name for the engine-wide fingerprint (``backend.engine.fingerprint``)."""

from ..fingerprint import canonical, dumps, inputs_hash, sha256_of

__all__ = ["canonical", "dumps", "inputs_hash", "sha256_of"]
