"""A pack as an XLSX workbook (XlsxWriter): a cover sheet, one sheet per note with number
formats, a frozen header and the note's native Excel chart, and a Checks sheet.

Text is written with ``write_string`` only (never a formula, whatever an override says), and the
document properties carry a fixed date, so one pack always renders to the same bytes.
"""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import xlsxwriter

MONEY = '#,##0.00;(#,##0.00);"–"'
SHEET_MAX = 31
BAD = set('[]:*?/\\')


def sheet_name(title: str, used: set[str]) -> str:
    base = "".join("-" if ch in BAD else ch for ch in title)[:SHEET_MAX].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:SHEET_MAX - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _num(v):
    try:
        return float(Decimal(v))
    except Exception:  # noqa: BLE001 - a text cell
        return None


def pack_xlsx(pack: dict) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    end = pack["window"]["end_date"]
    wb.set_properties({"title": f"Disclosures {pack.get('standard') or pack.get('scope')} {pack['period']}",
                       "subject": f"{pack['entity']} {pack['period']}", "author": "Ledger Layer",
                       "created": datetime.fromisoformat(end + "T00:00:00")})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDE4EE", "bottom": 1, "text_wrap": True})
    money = wb.add_format({"num_format": MONEY})
    money_b = wb.add_format({"num_format": MONEY, "bold": True, "top": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ok_f = wb.add_format({"font_color": "#1B7F3B", "bold": True})
    bad_f = wb.add_format({"font_color": "#B00020", "bold": True})
    used: set[str] = set()
    std = pack.get("standard") or pack.get("scope")

    cover = wb.add_worksheet(sheet_name("Pack", used))
    cover.set_column(0, 0, 28)
    cover.set_column(1, 1, 70)
    failing = [c for c in pack["checks"] if not c["ok"]]
    info = [("Entity", pack["entity"]), ("Period", pack["period"]),
            ("Window", f"{pack['window']['first_period']} to {pack['window']['last_period']}"),
            ("Standard" if pack.get("standard") else "Scope", std), ("Currency", pack["currency"]),
            ("Tie-out", "all checks pass" if not failing else f"{len(failing)} check(s) fail: see Checks"),
            ("Content SHA-256", pack.get("content_sha256") or "")]
    cover.write_string(0, 0, "Disclosure pack", bold)
    for i, (k, v) in enumerate(info, start=2):
        cover.write_string(i, 0, k, bold)
        cover.write_string(i, 1, str(v), (bad_f if failing else ok_f) if k == "Tie-out" else None)

    for sec in pack["sections"]:
        ws = wb.add_worksheet(sheet_name(sec["title"], used))
        cols = sec["table"]["columns"]
        rows = sec["table"]["rows"]
        ws.write_string(0, 0, sec["title"], bold)
        if sec.get("reference"):
            ws.write_string(1, 0, sec["reference"])
        hr = 3
        for j, c in enumerate(cols):
            ws.write_string(hr, j, c["label"] or "", head)
            ws.set_column(j, j, 60 if c["key"] in ("label", "explanation") else (14 if c["type"] == "money" else 22))
        ws.freeze_panes(hr + 1, 1)
        for i, r in enumerate(rows, start=hr + 1):
            emphasis = r.get("total") or r.get("total_row")
            for j, c in enumerate(cols):
                v = r.get(c["key"])
                if v is None:
                    continue
                if c["type"] in ("money", "number", "percent") and _num(v) is not None:
                    ws.write_number(i, j, _num(v), (money_b if emphasis else money) if c["type"] == "money" else None)
                else:
                    ws.write_string(i, j, str(v), bold if emphasis and c["key"] == "label" else None)
        last = hr + len(rows)
        nar = sec["narrative"]
        ws.write_string(last + 2, 0, "Narrative" + (" (auditor override)" if nar.get("override") else ""), bold)
        ws.merge_range(last + 3, 0, last + 8, max(len(cols) - 1, 1), "", wrap)
        ws.write_string(last + 3, 0, nar["final"], wrap)
        if nar.get("override"):
            o = nar["override"]
            ws.write_string(last + 10, 0, f"Generated narrative (version {o.get('version')} override by "
                                          f"{o.get('created_by')}: {o.get('reason')})", bold)
            ws.write_string(last + 11, 0, nar["generated"], wrap)
        chart = sec.get("chart")
        if chart and rows:
            _chart(wb, ws, sec, chart, hr, last + 14)

    ck = wb.add_worksheet(sheet_name("Checks", used))
    headers = ("Check", "OK", "Expected (books)", "Actual (pack)", "Source", "Section", "Detail")
    for j, h in enumerate(headers):
        ck.write_string(0, j, h, head)
    ck.set_column(0, 0, 48)
    ck.set_column(2, 3, 16)
    ck.set_column(4, 6, 28)
    ck.freeze_panes(1, 1)
    for i, c in enumerate(pack["checks"], start=1):
        ck.write_string(i, 0, c["name"])
        ck.write_string(i, 1, "OK" if c["ok"] else "FAIL", ok_f if c["ok"] else bad_f)
        for j, k in ((2, "expected"), (3, "actual")):
            v = c[k]
            if isinstance(v, str) and _num(v) is not None:
                ck.write_number(i, j, _num(v), money)
            else:
                ck.write_string(i, j, str(v))
        ck.write_string(i, 4, c.get("source") or "")
        ck.write_string(i, 5, c.get("section") or "")
        ck.write_string(i, 6, c.get("detail") or "")
    wb.close()
    return buf.getvalue()


def _chart(wb, ws, sec: dict, chart: dict, header_row: int, at_row: int) -> None:
    """A native chart over the table's own cells: categories = the label column of the chosen rows,
    one series per chosen value column."""
    cols = sec["table"]["columns"]
    rows = sec["table"]["rows"]
    keys = [c["key"] for c in cols]
    pick = [i for i, r in enumerate(rows) if r["key"] in set(chart.get("rows") or [])]
    if not pick:
        return
    values = [v for v in chart.get("values") or [] if v in keys]
    if not values:  # e.g. a single-book scope: the chart's other book has no column here
        return
    first, last = header_row + 1 + pick[0], header_row + 1 + pick[-1]
    label_col = keys.index("label") if "label" in keys else 0
    c = wb.add_chart({"type": chart.get("type", "column")})
    name = ws.get_name()
    for v in values:
        j = keys.index(v)
        c.add_series({"name": [name, header_row, j], "categories": [name, first, label_col, last, label_col],
                      "values": [name, first, j, last, j]})
    c.set_title({"name": sec["title"][:80]})
    c.set_legend({"position": "bottom"})
    c.set_y_axis({"num_format": "#,##0"})
    ws.insert_chart(at_row, 0, c, {"x_scale": 1.6, "y_scale": 1.2})
