"""A streaming scan of worksheet XML, run after the pre-flight and before calamine.

calamine builds a dense range from the top-left to the bottom-right used cell, so a tiny
sheet with cells at A1 and T1000000 (or XFD1) would allocate millions of cells before we
could look at its size. This scan reads the sheet XML in chunks and stops as soon as a row
or column cap is passed, so an oversized sheet is refused without being materialised.

It also recovers two things calamine's values lose: error cells (``t="e"``, which calamine
returns as blank) and formulas saved without a cached result (calamine drops them), so
the extractor can report them instead of treating them as empty.
Only the default namespace is recognised for those two (Excel, LibreOffice, openpyxl and
XlsxWriter all write it); row counting also handles prefixed tags such as ``<x:row>``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from defusedxml import ElementTree as SafeET

from .preflight import Limits, WorkbookRejected

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL_ATTR = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Patterns are fixed-width or bounded, and searches never rescan bytes, so crafted XML
# (tags that never close) costs linear time.
_ROW_START_RE = re.compile(rb'<(?:\w+:)?row[\s>/]')
_ROW_R_RE = re.compile(rb'\sr="(\d+)"')
_WIDE_REF_RE = re.compile(rb'\sr="([A-Z]{2,3})\d')  # single-letter columns are always under the cap
_FORMULA_RE = re.compile(rb'<f[\s>/]')
_CELL_R_RE = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_VALUE_RE = re.compile(rb'<v>([^<]*)</v>')
_FORMULA_TEXT_RE = re.compile(rb'<f[^>]*>([^<]*)</f>')
_COL_RE = re.compile(rb'<(?:\w+:)?col\s([^<>]{0,512})/?>')
_COL_ATTR_RE = re.compile(rb'\b(min|max|hidden)="([^"]{0,16})"')


@dataclass
class SheetScan:
    """What the scan learnt about one worksheet (0-based row/column indices)."""

    max_row: int = 0          # number of rows up to the last row element
    max_col: int = 0          # number of columns up to the right-most cell seen
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)
    string_cells: int = 0     # cells referring to a shared string (t="s")
    hidden_cols: set[int] = field(default_factory=set)


def col_index(letters: str) -> int:
    """``"A"`` → 0, ``"AA"`` → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def workbook_sheets(zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], bool]:
    """``([(sheet name, part path)], date1904)`` from xl/workbook.xml and its relationships.
    Parsed with defusedxml (the parts are small and already pre-flighted)."""
    root = SafeET.fromstring(zf.read("xl/workbook.xml"))
    pr = root.find(f"{_NS_MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    targets: dict[str, str] = {}
    try:
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id", "")] = path
    except KeyError:
        pass
    sheets = []
    el = root.find(f"{_NS_MAIN}sheets")
    for s in (el if el is not None else []):
        part = targets.get(s.get(_NS_REL_ATTR, ""), "")
        if part.startswith("xl/worksheets/"):  # chart sheets and dialog sheets hold no cells
            sheets.append((s.get("name", ""), part))
    return sheets, date1904


def scan_sheet(zf: zipfile.ZipFile, part: str, name: str, limits: Limits) -> SheetScan:
    """Stream one worksheet part; raise ``WorkbookRejected`` (413) past the row/column caps."""
    scan = SheetScan()
    last_row = 0
    carry = b""
    first = True
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            buf = carry + chunk
            if chunk:
                cut = buf.rfind(b"</row>", max(0, len(carry) - 6))
                if cut < 0 and len(buf) <= _MAX_CARRY:
                    carry = buf
                    continue
                if cut < 0:
                    cut = len(buf) - len(b"</row>")  # no row end in sight: scan what we have
                cut += len(b"</row>")
                region, carry = buf[:cut], buf[cut:]
            else:
                region, carry = buf, b""
            if first:
                first = False
                _scan_cols(region, scan, limits)
            last_row = _scan_region(region, scan, last_row, name, limits)
            if not chunk:
                break
    scan.max_row = last_row
    return scan


def _scan_cols(region: bytes, scan: SheetScan, limits: Limits) -> None:
    """Hidden columns, from the ``<cols>`` part that precedes ``<sheetData>`` (a values-only
    reader such as calamine does not report them). Only that prefix is searched, once."""
    end = region.find(b"sheetData")
    for m in _COL_RE.finditer(region, 0, end if end >= 0 else 0):
        attrs = dict(_COL_ATTR_RE.findall(m.group(1)))
        if attrs.get(b"hidden") not in (b"1", b"true"):
            continue
        try:
            lo, hi = int(attrs.get(b"min", b"0")), int(attrs.get(b"max", b"0"))
        except ValueError:
            continue
        # <col min="1" max="16384" hidden="1"/> is legal: clip to the column cap.
        scan.hidden_cols.update(range(max(lo, 1) - 1, min(hi, limits.max_columns)))


def _scan_region(region: bytes, scan: SheetScan, last_row: int, name: str, limits: Limits) -> int:
    gt = -1  # position of the next '>' at or after the current row start (found once, reused)
    for m in _ROW_START_RE.finditer(region):
        if gt < m.end():
            gt = region.find(b">", m.end())
            if gt < 0:
                gt = len(region)
        attrs = region[m.end() - 1:gt] if gt - m.end() <= 2048 else b""
        r = _ROW_R_RE.search(attrs)
        last_row = int(r.group(1)) if r else last_row + 1
        if last_row > limits.max_rows:
            raise WorkbookRejected(
                "too_many_rows",
                f"Sheet '{name}' has more than {limits.max_rows:,} rows. Split the leases into several files.", 413)
    # Cell addresses place cells too (calamine trusts them): a cell at B900000 inside row 1.
    for digits in _far_row_re(len(str(limits.max_rows))).findall(region):
        if int(digits) > limits.max_rows:
            raise WorkbookRejected(
                "too_many_rows",
                f"Sheet '{name}' has more than {limits.max_rows:,} rows. Split the leases into several files.", 413)
    wide = _WIDE_REF_RE.findall(region)
    if wide:
        widest = max(set(wide), key=lambda s: (len(s), s))
        scan.max_col = max(scan.max_col, col_index(widest.decode()) + 1)
    elif scan.max_col < 26 and b' r="' in region:
        scan.max_col = 26  # an upper bound is enough here: caps only need "at most"
    if scan.max_col > limits.max_columns:
        raise WorkbookRejected(
            "too_many_columns", f"Sheet '{name}' has more than {limits.max_columns} columns.", 413)
    scan.string_cells += region.count(b't="s"')
    if b't="e"' in region:
        for head, cell in _cells_containing(region, b't="e"'):
            pos = _pos(head)
            v = _VALUE_RE.search(cell)
            if pos and v and b't="e"' in head:
                scan.errors[pos] = v.group(1).decode("utf-8", "replace")
    if b"<f" in region:
        for head, cell in _cells_containing(region, b"<f"):
            if not _FORMULA_RE.search(cell):
                continue
            v = _VALUE_RE.search(cell)
            has_value = v is not None and (v.group(1) != b"" or b't="str"' in head)
            pos = _pos(head)
            if not has_value and pos:
                f = _FORMULA_TEXT_RE.search(cell)
                scan.uncalculated[pos] = "=" + (f.group(1).decode("utf-8", "replace") if f else "")
    return last_row


@lru_cache(maxsize=8)
def _far_row_re(digits: int) -> re.Pattern:
    """Cell references whose row number has at least ``digits`` digits (none in most sheets)."""
    return re.compile(rb'\sr="[A-Z]{1,3}(\d{%d,})"' % digits)


def _cells_containing(region: bytes, needle: bytes):
    """``(start tag, whole cell)`` of every ``<c ...>...</c>`` holding ``needle``.

    Linear however hostile the XML: each search starts where the previous one stopped, so
    no byte is scanned twice (a bounded-window regex would still be quadratic on tags that
    never close)."""
    done = 0  # everything before this position has been dealt with
    pos = region.find(needle)
    while pos >= 0:
        start = region.rfind(b"<c ", done, pos)
        end = region.find(b"</c>", pos) if start >= 0 else -1
        if start < 0:
            done = pos
        elif end < 0:
            return
        else:
            gt = region.find(b">", start, end)
            cell = region[start:end + 4]
            yield cell[:gt - start + 1] if gt >= 0 else cell, cell
            done = end + 4
        pos = region.find(needle, max(done, pos + 1))


_SST_REF_RE = re.compile(rb't="s"(?:\s[^>]{0,64})?><v>(\d+)</v>')
_MAX_CARRY = 16 << 20  # a "row" longer than this is scanned in pieces rather than buffered whole


def _stream(zf: zipfile.ZipFile, part: str, cut: bytes):
    """Decompressed ``part`` in chunks that end just before the last ``cut`` marker seen."""
    carry = b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            buf = carry + chunk
            i = buf.rfind(cut, max(0, len(carry) - len(cut)))
            if i <= 0:
                if len(buf) > _MAX_CARRY:
                    yield buf
                    buf = b""
                carry = buf
                continue
            yield buf[:i]
            carry = buf[i:]
    if carry:
        yield carry


def check_text_expansion(zf: zipfile.ZipFile, scans: dict[str, SheetScan], parts: dict[str, str],
                         limits: Limits) -> None:
    """Refuse a workbook whose shared strings would balloon in memory.

    Every cell that refers to a shared string gets its own copy when read (in calamine and
    again as a Python str), so one long string referenced by many cells is a small file and
    a huge read. The cheap bound (cells x longest string) settles almost every workbook;
    only when it is over the cap are the referenced strings' lengths summed exactly.
    """
    refs = sum(s.string_cells for s in scans.values())
    if not refs or "xl/sharedStrings.xml" not in zf.NameToInfo:
        return
    lengths: list[int] = []
    for chunk in _stream(zf, "xl/sharedStrings.xml", b"<si"):
        lengths.extend(len(piece) for piece in chunk.split(b"<si")[1:] if piece[:1] in (b">", b" ", b"/"))
    if not lengths or refs * max(lengths) <= limits.max_text_bytes:
        return
    total = 0
    for name, scan in scans.items():
        if not scan.string_cells:
            continue
        for chunk in _stream(zf, parts[name], b"<c "):
            for m in _SST_REF_RE.finditer(chunk):
                idx = int(m.group(1))
                total += lengths[idx] if idx < len(lengths) else 0
            if total > limits.max_text_bytes:
                raise WorkbookRejected(
                    "too_much_text", f"The workbook's text would expand to more than "
                                     f"{limits.max_text_bytes // 2**20} MB when read.", 413)


def _pos(attrs: bytes) -> tuple[int, int] | None:
    m = _CELL_R_RE.search(attrs)
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1).decode())
