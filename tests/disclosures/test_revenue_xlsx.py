"""The COMBINED revenue pack as XLSX: a sheet per note with both books side by side, native charts
(disaggregation bars, contract balances, RPO), the divergences note and the checks."""
from __future__ import annotations

import io
import zipfile

from backend.engine.disclosures import build_revenue_pack, parse_window
from backend.services.disclosures.xlsx import pack_xlsx
from tests.engine.disclosures.contracts import facts


def test_combined_revenue_pack_xlsx():
    pack = build_revenue_pack(facts(), scope="COMBINED", window=parse_window("2027"), currency="USD", entity="E1")
    data = pack_xlsx(pack)
    assert data == pack_xlsx(pack)  # same pack, same bytes
    z = zipfile.ZipFile(io.BytesIO(data))
    wb = z.read("xl/workbook.xml").decode()
    for name in ("Pack", "Disaggregation of revenue", "Contract balances", "Remaining performance obligations",
                 "IFRS 15 - ASC 606 differences", "Checks"):
        assert f'name="{name[:31]}"' in wb, name  # Excel sheet names are at most 31 characters
    charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    assert any('<c:barDir val="bar"/>' in c for c in charts)  # disaggregation as horizontal bars
    assert all(c.count("<c:ser>") == 2 for c in charts)  # IFRS15 and ASC606 series
    strings = z.read("xl/sharedStrings.xml").decode()
    assert "collectibility_threshold" in strings and "C-DIVERGE" in strings
