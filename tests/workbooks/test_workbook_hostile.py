"""Hostile or broken uploads are refused with a documented code before any parser runs."""

from __future__ import annotations

import io
import os
import struct
import sys
import time
import zipfile

import pytest
from wb_builders import openpyxl_xlsx, raw_xlsx

from backend.workbooks import Limits, WorkbookRejected, extract_workbook, grid_from_book_json, preflight, read_xlsx
from backend.workbooks.template import build_template


def _rejected(data: bytes, code: str, status: int, limits: Limits = Limits()) -> WorkbookRejected:
    with pytest.raises(WorkbookRejected) as exc:
        extract_workbook(data, limits=limits)
    assert exc.value.code == code, exc.value.message
    assert exc.value.http_status == status
    assert exc.value.message
    return exc.value


def test_random_bytes_are_not_a_workbook():
    _rejected(os.urandom(4096), "not_a_workbook", 400)
    _rejected(b"Lease ID,Currency\nL-1,EUR\n", "not_a_workbook", 400)
    _rejected(b"", "not_a_workbook", 400)


def test_ole2_container_means_password_or_legacy_xls():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048)
    err = _rejected(data, "password_protected_or_legacy", 400)
    assert "password" in err.message.lower() and ".xlsx" in err.message


def test_zip_without_workbook_parts():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _rejected(buf.getvalue(), "not_a_workbook", 400)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x00" * 10)
    assert "xlsb" in _rejected(buf.getvalue(), "not_a_workbook", 400).message


def test_truncated_workbook():
    data = build_template()
    _rejected(data[: len(data) // 2], "not_a_workbook", 400)


def test_file_too_large_is_413_before_anything_else():
    _rejected(b"PK\x03\x04" + bytes(25 * 1024 * 1024), "file_too_large", 413)
    _rejected(build_template(), "file_too_large", 413, Limits(max_file_bytes=1000))


def test_zip_bomb_200mb_of_zeros():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = bytes(1 << 20)
            for _ in range(200):
                fh.write(block)
    data = buf.getvalue()
    assert len(data) < 1024 * 1024  # a small upload ...
    t = time.perf_counter()
    err = _rejected(data, "zip_bomb_suspected", 413)
    assert time.perf_counter() - t < 3.0  # ... refused from the declared sizes, nothing inflated
    assert "zip bomb" in err.message


def _patch_sizes(data: bytes, name: str, fake_size: int) -> bytes:
    """Make an entry lie about its uncompressed size (local header and central directory)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<I", out, info.header_offset + 22, fake_size)
    cd = out.find(b"PK\x01\x02" + bytes(0), 0)
    while cd >= 0:
        n = struct.unpack_from("<H", out, cd + 28)[0]
        if bytes(out[cd + 46: cd + 46 + n]).decode() == name:
            struct.pack_into("<I", out, cd + 24, fake_size)
        cd = out.find(b"PK\x01\x02", cd + 4)
    return bytes(out)


def test_entry_lying_about_its_size_is_caught_by_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (8 << 20) + b"</a>")
    data = _patch_sizes(buf.getvalue(), "xl/worksheets/sheet1.xml", 1000)
    # the declared sizes look harmless, so only the true inflation can catch it
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    _rejected(data, "zip_bomb_suspected", 413)


def test_total_uncompressed_cap():
    limits = Limits(max_total_uncompressed=20_000)
    _rejected(build_template(), "zip_bomb_suspected", 413, limits)


def test_too_many_entries(monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(2001):
            zf.writestr(f"xl/media/x{i}.bin", b"")
    data = buf.getvalue()
    _rejected(data, "too_many_entries", 413)
    # counted from the end record, before zipfile builds an object per entry
    pf = sys.modules["backend.workbooks.preflight"]  # (the package exports a function of the same name)
    monkeypatch.setattr(pf.zipfile, "ZipFile", None)
    with pytest.raises(WorkbookRejected) as exc:
        preflight(data)
    assert exc.value.code == "too_many_entries"


LOL = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
       '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
       '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_xml_entities_refused(encoding):
    data = raw_xlsx([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
                    extra={"xl/sharedStrings.xml": LOL.encode(encoding)})
    _rejected(data, "xml_entities_refused", 400)


def test_xxe_in_a_sheet_part_refused():
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet>&e;</worksheet>'
    buf = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(build_template()))
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, xxe if info.filename == "xl/worksheets/sheet2.xml" else src.read(info))
    _rejected(buf.getvalue(), "xml_entities_refused", 400)


def test_overlong_shared_string_refused():
    sst = b'<sst><si><t>' + b"a" * 200_000 + b"</t></si></sst>"
    data = raw_xlsx([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], extra={"xl/sharedStrings.xml": sst})
    _rejected(data, "shared_string_too_long", 413, Limits(max_entry_ratio=10_000))


def _rows(n: int, with_r: bool = True):
    step = 20_000
    for start in range(1, n + 1, step):
        if with_r:
            yield "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'
                          for i in range(start, min(start + step, n + 1))).encode()
        else:
            yield b"<row><c><v>1</v></c></row>" * min(step, n + 1 - start)


@pytest.fixture
def no_calamine(monkeypatch):
    """Fail the test if calamine is asked to load the workbook."""
    import backend.workbooks.grid as grid_module

    class _Forbidden:
        class CalamineWorkbook:
            @staticmethod
            def from_filelike(*a, **k):
                raise AssertionError("calamine must not see this file")
    monkeypatch.setattr(grid_module, "python_calamine", _Forbidden)


def test_a_million_rows_is_refused_quickly(no_calamine):
    data = raw_xlsx(_rows(1_000_001))
    t = time.perf_counter()
    err = _rejected(data, "too_many_rows", 413)
    assert time.perf_counter() - t < 3.0, "the sheet must be refused without being materialised"
    assert "100,000" in err.message


def test_rows_without_r_attributes_are_counted_too():
    _rejected(raw_xlsx(_rows(1_001, with_r=False)), "too_many_rows", 413, Limits(max_rows=1_000))


def test_sparse_cells_far_away_are_refused_before_calamine_allocates(no_calamine):
    far_row = raw_xlsx([b'<row r="1"><c r="A1"><v>1</v></c></row><row r="900000"><c r="T900000"><v>1</v></c></row>'])
    _rejected(far_row, "too_many_rows", 413)
    far_col = raw_xlsx([b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'])
    _rejected(far_col, "too_many_columns", 413)
    _rejected(raw_xlsx(_rows(60_000)), "too_many_cells", 413, Limits(max_cells=50_000))


def test_broken_workbook_xml_is_corrupt_not_a_crash():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    _rejected(buf.getvalue(), "corrupt_workbook", 400)


def test_preflight_passes_real_workbooks():
    preflight(build_template())
    preflight(openpyxl_xlsx({"Leases": [["Lease ID"], ["L-1"]]}))
    grid = read_xlsx(raw_xlsx([b'<row r="1"><c r="A1"><v>7</v></c><c r="B1"><v>1.5</v></c></row>']))
    assert grid.sheets["Leases"] == [[7, 1.5]]


def test_book_json_shape_and_caps():
    with pytest.raises(WorkbookRejected) as exc:
        grid_from_book_json({"book": {}})
    assert exc.value.code == "invalid_book_json" and exc.value.http_status == 400
    with pytest.raises(WorkbookRejected) as exc:
        grid_from_book_json({"sheets": [{"name": "Leases", "values": [[1]] * 11}]}, Limits(max_rows=10))
    assert exc.value.code == "too_many_rows" and exc.value.http_status == 413
    with pytest.raises(WorkbookRejected) as exc:
        grid_from_book_json({"sheets": [{"name": "Leases", "values": [[{"x": 1}]]}]})
    assert exc.value.code == "invalid_book_json"


def test_one_long_shared_string_in_many_cells_is_refused(no_calamine):
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + b"a" * 100_000 + \
        b"</t></si></sst>"
    rows = [f'<row r="{i}"><c r="A{i}" s="1" t="s"><v>0</v></c></row>'.encode() for i in range(1, 3001)]
    data = raw_xlsx([b"".join(rows)], extra={"xl/sharedStrings.xml": sst})
    assert len(data) < 100_000  # 100 KB on disk, 300 MB of text once every cell holds its copy
    _rejected(data, "too_much_text", 413)


def test_a_long_shared_string_used_once_is_fine():
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + b"a" * 100_000 + \
        b"</t></si><si><t>x</t></si></sst>"
    rows = [f'<row r="{i}"><c r="A{i}" t="s"><v>{1 if i > 1 else 0}</v></c></row>'.encode() for i in range(1, 3001)]
    grid = read_xlsx(raw_xlsx([b"".join(rows)], extra={"xl/sharedStrings.xml": sst}))
    assert len(grid.sheets["Leases"][0][0]) == 100_000 and grid.sheets["Leases"][1] == ["x"]


def test_tags_that_never_close_cost_linear_time():
    junk = b'<c t="e" <c t="s" <f ' * 200_000 + b"<row " * 100_000  # ~5 MB, no '>' anywhere
    t = time.perf_counter()
    with pytest.raises(WorkbookRejected) as exc:  # (it compresses 1000:1, so lift the ratio cap)
        extract_workbook(raw_xlsx([junk]), limits=Limits(max_entry_ratio=10**6))
    assert exc.value.code == "corrupt_workbook"  # calamine's XML error, reached after the scan
    assert time.perf_counter() - t < 5.0


def test_a_cell_address_far_below_its_row_is_refused(no_calamine):
    data = raw_xlsx([b'<row r="1"><c r="A1"><v>1</v></c><c r="B900000"><v>1</v></c></row>'])
    _rejected(data, "too_many_rows", 413)


def test_many_huge_merges_are_refused():
    rows = [f'<row r="{i}"><c r="A{i}"><v>1</v></c><c r="E{i}"><v>2</v></c></row>'.encode() for i in range(1, 1001)]
    merges = b'<mergeCells count="100">' + b'<mergeCell ref="A1:E1000"/>' * 100 + b"</mergeCells>"
    data = raw_xlsx([b"".join(rows)], after_data=merges)
    _rejected(data, "too_many_cells", 413, Limits(max_cells=50_000))
    grid = read_xlsx(data)  # with the default caps the same file reads, merges filled
    assert grid.sheets["Leases"][999] == [1, 1, 1, 1, 2]  # blanks filled, values kept
