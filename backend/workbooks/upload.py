"""One entry point for an uploaded lease register: .xlsx/.xlsm or CSV, told apart by content.

A zip (``PK``) or an OLE2 file (legacy .xls, or an encrypted .xlsx) goes to the workbook
reader, whose pre-flight refuses what it must; anything else is tried as CSV text. The file
name and content type are not trusted: browsers and mail clients relabel them freely.
"""

from __future__ import annotations

from .csv_reader import read_csv
from .grid import read_xlsx
from .leases_sheet import ExtractResult, extract_grid
from .preflight import DEFAULT_LIMITS, OLE2_MAGIC, Limits

__all__ = ["extract_upload", "is_workbook"]


def is_workbook(data: bytes) -> bool:
    return data[:2] == b"PK" or data[:8] == OLE2_MAGIC


def extract_upload(data: bytes, *, locale: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ExtractResult:
    """Extract lease drafts from an uploaded workbook or CSV file (raises ``WorkbookRejected``)."""
    grid = read_xlsx(data, limits) if is_workbook(data) else read_csv(data, limits)
    return extract_grid(grid, locale=locale)
