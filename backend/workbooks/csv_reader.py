"""A CSV lease register as a ``Grid``, so the workbook rules apply to it unchanged.

Accepted: comma- or semicolon-separated (tab and pipe too), UTF-8 with or without a BOM,
or Windows-1252 (what Excel's "CSV" save writes on a Western-European Windows). The
encoding is decided from the bytes (UTF-8 is strict: any invalid sequence means the file is
not UTF-8) and the separator by ``csv.Sniffer`` on the first lines, checked against the
header line. Every cell stays text: the lease parser reads numbers and dates from text with
the same rules as typed cells, and the decimal mark is decided per column (``amounts``).
Cells are addressed ``row:column`` (1-based line and field numbers, e.g. ``5:3``).

The same caps as for workbooks apply while reading (rows, columns, cells), so a hostile
file is refused before it is held as a grid; the csv module reads in linear time.
"""

from __future__ import annotations

import csv
import io

from .grid import Grid
from .preflight import DEFAULT_LIMITS, Limits, WorkbookRejected

__all__ = ["CSV_SHEET", "decode_text", "read_csv"]

CSV_SHEET = "CSV"
_SEPARATORS = ",;\t|"
_SNIFF_BYTES = 64 * 1024


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) or Windows-1252; refuses binary data."""
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise WorkbookRejected("not_a_workbook", "This file is neither an Excel workbook nor a CSV text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise WorkbookRejected("unreadable_csv", "The CSV file is neither UTF-8 nor Windows-1252 text. Save it "
                                                 "from Excel as 'CSV UTF-8' and upload it again.") from None


def _separator(text: str) -> str:
    sample = text[:_SNIFF_BYTES]
    first_line = sample.split("\n", 1)[0]
    hint = first_line.strip()
    if len(hint) == 5 and hint.lower().startswith("sep=") and hint[4] in _SEPARATORS:
        return hint[4]  # Excel's own "sep=;" line; it stays as a row so row numbers match the file
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        sep = ""
    if first_line.count(sep) if sep else 0:
        return sep
    # The sniffer found nothing consistent (one data line, ragged rows): the header decides.
    counts = {s: first_line.count(s) for s in _SEPARATORS}
    best = max(counts, key=counts.__getitem__)
    if not counts[best]:
        raise WorkbookRejected("unreadable_csv", "The CSV file's first line has no separators (comma or "
                                                 "semicolon), so its columns cannot be told apart.")
    return best


def read_csv(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Grid:
    """Read a CSV upload into a one-sheet ``Grid`` (sheet ``CSV``, addressed ``row:column``)."""
    if len(data) > limits.max_file_bytes:
        raise WorkbookRejected("file_too_large", f"The file is larger than {limits.max_file_bytes // 2**20} MB.",
                               413)
    text = decode_text(data)
    if not text.strip():
        raise WorkbookRejected("unreadable_csv", "The CSV file is empty.")
    sep = _separator(text)
    rows: list[list[str | None]] = []
    cells = 0
    try:
        for fields in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
            if len(rows) >= limits.max_rows:
                raise WorkbookRejected("too_many_rows", f"The CSV file has more than {limits.max_rows:,} rows. "
                                                        "Split the leases into several files.", 413)
            if len(fields) > limits.max_columns:
                raise WorkbookRejected("too_many_columns",
                                       f"The CSV file has more than {limits.max_columns} columns.", 413)
            cells += len(fields)
            if cells > limits.max_cells:
                raise WorkbookRejected("too_many_cells", f"The CSV file has more than {limits.max_cells:,} cells.",
                                       413)
            rows.append([f if f.strip() else None for f in fields])
    except csv.Error as e:  # a field over the csv module's size limit, or an unterminated quote
        raise WorkbookRejected("unreadable_csv", f"The CSV file cannot be read ({e}).") from None
    return Grid(sheets={CSV_SHEET: rows}, csv=True)
