"""The only module that imports xlwings: book JSON → ``xw.Book`` → actions.

xlwings' remote interpreter is licence-gated: without ``XLWINGS_LICENSE_KEY`` it has no
engines at all, so every add-in route answers 503 with the setting to fix, while the REST
API (which never comes here) keeps working. The key is handed to xlwings through the
environment variable it reads, before the first import.
"""
from __future__ import annotations

import os
from typing import Any

from backend.services.platform.errors import Unavailable
from backend.settings import Settings

LICENCE_HELP = ("The Excel add-in is not enabled on this server: set XLWINGS_LICENSE_KEY (a paid xlwings PRO key, "
                "or 'noncommercial' for non-commercial use only) and restart. The REST API works without it.")


class AddinUnavailable(Unavailable):
    code = "addin_not_configured"


def licence_key(settings: Settings) -> str | None:
    return settings.xlwings_license_key or os.environ.get("XLWINGS_LICENSE_KEY") or None


def require_licence(settings: Settings) -> None:
    if not licence_key(settings):
        raise AddinUnavailable(LICENCE_HELP, details={"setting": "XLWINGS_LICENSE_KEY"})


def _xlwings(settings: Settings):
    require_licence(settings)
    os.environ.setdefault("XLWINGS_LICENSE_KEY", licence_key(settings))
    import xlwings as xw  # noqa: PLC0415 - imported only once a key is known

    return xw


def open_book(settings: Settings, data: dict[str, Any]):
    """An xlwings Book over the payload (values from A1, 0-based action indices)."""
    xw = _xlwings(settings)
    try:
        return xw.Book(json=data)
    except xw.LicenseError:
        # xlwings was imported before the key was set (its engines register at import).
        raise AddinUnavailable(LICENCE_HELP + " (The key was set after start-up.)",
                               details={"setting": "XLWINGS_LICENSE_KEY"}) from None


def emit(book, func: str, args: list, sheet_position: int | None = None) -> None:
    """An action of our own client that xlwings has no Python call for (e.g. table totals)."""
    book.impl.append_json_action(func=func, args=args, sheet_position=sheet_position)


def actions(book) -> list[dict[str, Any]]:
    return book.json()["actions"]
