"""Small persistence helpers shared by the services."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.services.platform.errors import Conflict


def flush_unique(s: Session, obj: object | None, conflict: Conflict) -> None:
    """Add ``obj`` (if given) and flush; a unique-constraint violation becomes ``conflict``.

    The database decides uniqueness, so two concurrent creators cannot both pass a pre-check.
    """
    if obj is not None:
        s.add(obj)
    try:
        s.flush()
    except IntegrityError:
        raise conflict from None
