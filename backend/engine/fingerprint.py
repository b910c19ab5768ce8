"""Canonical JSON of the inputs and its hash, so a run can be reproduced and compared."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any


def canonical(obj: Any) -> Any:
    """JSON-ready, deterministic form: Decimals and dates as strings, dataclasses as dicts."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: canonical(getattr(obj, f.name)) for f in fields(obj) if not f.name.startswith("_")}
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(canonical(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(obj: Any) -> str:
    return hashlib.sha256(dumps(obj).encode("utf-8")).hexdigest()


def inputs_hash(inputs: Any) -> str:
    """Stable SHA-256 of any engine input (dicts, dataclasses such as ``LeaseTerms`` and
    ``LeasePolicy``, Decimals, dates): the same inputs give the same hash in any process,
    so a failed run can be recorded against its inputs and retried or deduplicated."""
    return sha256_of(inputs)
