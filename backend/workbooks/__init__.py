"""Workbook ingest (lease input template and real-world variants) and the template itself.

Public API
----------
``extract_workbook(data: bytes, *, locale=None, limits=Limits()) -> ExtractResult``
    An uploaded .xlsx/.xlsm: zip pre-flight, calamine read with caps, then ``extract_grid``.
    Raises ``WorkbookRejected`` (``code``, ``message``, ``http_status`` 400/413) for files
    that must not be processed at all; nothing from such a file may be stored.
``extract_grid(grid: Grid, *, locale=None) -> ExtractResult``
    The same extraction from a neutral in-memory grid (``read_xlsx`` or ``grid_from_book_json``
    for the add-in's xlwings book JSON).
``ExtractResult``: ``drafts`` (engine input dicts, money/rates/dates as strings), ``issues``
    (``{sheet, cell, field, code, severity, message, lease_ref, draft_index}``) and
    ``provenance`` (per draft ``{field path: "Leases!C5"}``).
``build_template() -> bytes`` / ``python -m backend.workbooks.template [--out PATH]``.
"""

from .grid import Grid, Uncalculated, grid_from_book_json, read_xlsx
from .leases_sheet import ExtractResult, extract_grid, extract_workbook
from .preflight import Limits, WorkbookRejected, preflight

__all__ = [
    "ExtractResult", "Grid", "Limits", "Uncalculated", "WorkbookRejected", "extract_grid", "extract_workbook",
    "grid_from_book_json", "preflight", "read_xlsx",
]
