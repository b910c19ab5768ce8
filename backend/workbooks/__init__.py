"""Workbook ingest (lease input template and real-world variants) and the template itself.

Public API
----------
``extract_workbook(data: bytes, *, locale=None, limits=Limits()) -> ExtractResult``
    An uploaded .xlsx/.xlsm: zip pre-flight, calamine read with caps, then ``extract_grid``.
    Raises ``WorkbookRejected`` (``code``, ``message``, ``http_status`` 400/413) for files
    that must not be processed at all; nothing from such a file may be stored.
``extract_upload(data: bytes, *, locale=None, limits=Limits()) -> ExtractResult``
    The same for a workbook or a CSV file (comma/semicolon, UTF-8 or Windows-1252), told
    apart by content; CSV cells are addressed ``row:column``.
``resolve_entities(result, entities, default=None)``
    Entity codes, names and aliases of a register resolved against plain entity records
    (no database here); unknown names become cell issues with suggestions.
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
from .csv_reader import read_csv
from .entity_resolution import EntityRecord, EntityResolver, resolve_entities
from .preflight import Limits, WorkbookRejected, preflight
from .upload import extract_upload

__all__ = [
    "EntityRecord", "EntityResolver", "ExtractResult", "Grid", "Limits", "Uncalculated", "WorkbookRejected", "extract_grid",
    "extract_upload", "extract_workbook", "grid_from_book_json", "preflight", "read_csv", "read_xlsx",
    "resolve_entities",
]
