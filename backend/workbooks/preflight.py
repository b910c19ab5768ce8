"""Zip pre-flight: checks on the raw upload bytes before any spreadsheet parser sees them.

Neither calamine nor openpyxl guards against zip bombs, and a zip's declared sizes can
lie, so every entry is actually inflated here (stdlib ``zlib``, in bounded chunks, the
output thrown away) and its true size counted against the caps. The same pass looks for
DTD/ENTITY declarations in every XML part: an .xlsx never needs a DTD, and refusing one
outright closes billion-laughs and XXE whatever parser runs later.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

__all__ = ["Limits", "WorkbookRejected", "preflight"]


class WorkbookRejected(Exception):
    """An upload refused before extraction; nothing from it may be stored.

    ``code`` is stable snake_case, ``message`` plain words for the user, ``http_status``
    400 (not a usable workbook) or 413 (too large).
    """

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"WorkbookRejected({self.code!r}, {self.message!r}, {self.http_status})"


@dataclass(frozen=True)
class Limits:
    """Caps for one upload. Rows count every sheet row including headers (Excel numbering)."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_entries: int = 2_000
    max_total_uncompressed: int = 256 * 1024 * 1024
    max_entry_ratio: int = 200           # uncompressed / compressed, for entries above ratio_floor
    ratio_floor: int = 1024 * 1024       # small parts may compress extremely well without harm
    max_shared_string_bytes: int = 32_767 * 4  # Excel caps a cell at 32,767 characters
    max_rows: int = 100_000              # per sheet (used by grid.read_xlsx)
    max_columns: int = 200               # per sheet
    max_cells: int = 6_000_000           # whole workbook, rows x columns after trimming
    max_text_bytes: int = 256 * 1024 * 1024  # shared strings as copied into every cell that uses them


DEFAULT_LIMITS = Limits()

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_CHUNK = 1 << 20
# DTD markers in the encodings an XML parser would accept (UTF-16 could otherwise hide them).
_DTD_MARKERS = tuple(
    m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be")
)
_MARKER_OVERLAP = max(len(m) for m in _DTD_MARKERS) - 1


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def preflight(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise ``WorkbookRejected`` unless ``data`` is a plausible, safe .xlsx/.xlsm zip.

    Codes: ``file_too_large`` (413), ``password_protected_or_legacy``, ``not_a_workbook``,
    ``zip_bomb_suspected`` (413), ``too_many_entries`` (413), ``xml_entities_refused``,
    ``shared_string_too_long`` (413), ``unsupported_zip_feature``, ``corrupt_workbook``.
    """
    if len(data) > limits.max_file_bytes:
        raise WorkbookRejected("file_too_large",
                               f"The file is {_mib(len(data))}; the limit is {_mib(limits.max_file_bytes)}.", 413)
    if data[:8] == OLE2_MAGIC:
        raise WorkbookRejected(
            "password_protected_or_legacy",
            "This file is password-protected or in the old .xls format. Remove the password "
            "(File > Info > Protect Workbook > Encrypt with Password, clear it) and save as .xlsx, then upload again.")
    if data[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise WorkbookRejected("not_a_workbook", "This file is not an Excel workbook (.xlsx or .xlsm).")
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd >= 0 and len(data) >= eocd + 12:
        # Read the entry count from the end record first: zipfile would build every entry's
        # ZipInfo (hundreds of thousands from a crafted 25 MB directory) before we could count.
        (declared_entries,) = struct.unpack_from("<H", data, eocd + 10)
        if declared_entries != 0xFFFF and declared_entries > limits.max_entries:
            raise _too_many_entries(declared_entries, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error):
        raise WorkbookRejected("not_a_workbook",
                               "This file is not an Excel workbook: it looks like a damaged zip archive.") from None
    if len(infos) > limits.max_entries:
        raise _too_many_entries(len(infos), limits)
    names = {i.filename for i in infos}
    missing = [p for p in REQUIRED_PARTS if p not in names]
    if missing:
        hint = ""
        if "xl/workbook.bin" in names:
            hint = " Binary workbooks (.xlsb) are not supported: save as .xlsx."
        elif "mimetype" in names or "content.xml" in names:
            hint = " OpenDocument files (.ods) are not supported: save as .xlsx."
        raise WorkbookRejected("not_a_workbook", f"This file is not an Excel workbook (.xlsx or .xlsm).{hint}")

    # Declared sizes first: cheap, and enough to refuse the obvious bombs without inflating anything.
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_uncompressed:
        raise _bomb(f"it would expand to {_mib(declared)}")
    if sum(i.compress_size for i in infos) > len(data):
        raise _bomb("its parts overlap")  # overlapping entries re-use the same compressed bytes
    for info in infos:
        if info.flag_bits & 0x1:
            raise WorkbookRejected("password_protected_or_legacy",
                                   "Parts of this workbook are encrypted. Remove the password and save as .xlsx.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRejected("unsupported_zip_feature",
                                   "The workbook uses a zip compression Excel does not write. Re-save it in Excel.")
        _check_ratio(info.filename, info.file_size, info.compress_size, limits)

    total = 0
    for info in infos:
        total += _inflate_and_scan(data, info, limits, limits.max_total_uncompressed - total)


def _too_many_entries(n: int, limits: Limits) -> WorkbookRejected:
    return WorkbookRejected("too_many_entries",
                            f"The workbook has {n:,} internal parts; the limit is {limits.max_entries:,}.", 413)


def _bomb(why: str) -> WorkbookRejected:
    return WorkbookRejected("zip_bomb_suspected",
                            f"The workbook was refused because {why}; this looks like a zip bomb.", 413)


def _check_ratio(name: str, size: int, compressed: int, limits: Limits) -> None:
    if size > limits.ratio_floor and size > limits.max_entry_ratio * max(compressed, 1):
        raise _bomb(f"the part {name} compresses more than {limits.max_entry_ratio}:1")


def _entry_payload(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The compressed bytes of one entry, located from its local file header."""
    off = info.header_offset
    if data[off:off + 4] != b"PK\x03\x04":
        raise WorkbookRejected("corrupt_workbook", "The workbook is damaged (a zip entry header is missing).")
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise WorkbookRejected("corrupt_workbook", "The workbook is damaged (it is truncated).")
    return memoryview(data)[start:end]


def _chunks(payload: memoryview, method: int, budget: int, name: str):
    """Yield the inflated bytes of an entry in bounded chunks; stop past ``budget``."""
    if method == zipfile.ZIP_STORED:
        for i in range(0, len(payload), _CHUNK):
            yield bytes(payload[i:i + _CHUNK])
        return
    d = zlib.decompressobj(-15)
    produced = 0
    pos = 0
    pending = b""
    while True:
        if not pending:
            if pos >= len(payload):
                break
            pending = bytes(payload[pos:pos + _CHUNK])
            pos += _CHUNK
        try:
            out = d.decompress(pending, _CHUNK)  # bounded output: a bomb never lands in memory whole
        except zlib.error:
            raise WorkbookRejected("corrupt_workbook", f"The workbook is damaged (part {name} cannot be read).") \
                from None
        pending = d.unconsumed_tail
        produced += len(out)
        if produced > budget:
            raise _bomb(f"the part {name} expands beyond the size limit")
        if out:
            yield out
        if d.eof:
            break


def _inflate_and_scan(data: bytes, info: zipfile.ZipInfo, limits: Limits, budget: int) -> int:
    """Inflate one entry; check its true size against its declared size and the caps, and
    (for XML parts) refuse DTDs. Returns the true uncompressed size."""
    name = info.filename
    is_xml = name.endswith((".xml", ".rels", ".vml"))
    is_sst = name == "xl/sharedStrings.xml"
    size = 0
    tail = b""
    for chunk in _chunks(_entry_payload(data, info), info.compress_type, min(budget, info.file_size), name):
        size += len(chunk)
        if is_xml:
            window = tail + chunk
            if any(m in window for m in _DTD_MARKERS):
                raise WorkbookRejected(
                    "xml_entities_refused",
                    "The workbook contains XML entity declarations (DOCTYPE/ENTITY), which Excel never writes. "
                    "It was refused for safety; re-save it in Excel.")
            if is_sst:
                # Longest text run between tags; carry the unfinished run into the next chunk.
                last_lt = window.rfind(b"<")
                done, tail_run = (window[:last_lt], window[last_lt:]) if last_lt >= 0 else (b"", window)
                longest = max(map(len, done.split(b"<")), default=0)
                if max(longest, len(tail_run)) > limits.max_shared_string_bytes:
                    raise WorkbookRejected("shared_string_too_long",
                                           "A text cell is longer than Excel allows (32,767 characters).", 413)
                tail = tail_run
            else:
                tail = window[-_MARKER_OVERLAP:]
    if size > info.file_size:  # cannot happen: _chunks stops at the declared size
        raise _bomb(f"the part {name} is larger than it claims")
    if size != info.file_size:
        raise WorkbookRejected("corrupt_workbook", f"The workbook is damaged (part {name} has the wrong size).")
    _check_ratio(name, size, info.compress_size, limits)
    return size
