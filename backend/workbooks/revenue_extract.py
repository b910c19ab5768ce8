"""Revenue contracts from a workbook grid (the ``revenue_contracts.xlsx`` template or a CSV).

Sheets: ``Contracts`` (one row per contract), ``PerformanceObligations`` and ``Billing`` (rows
keyed by External ID). A CSV is one sheet with the contract columns and the PO columns on each
row (a contract repeats per PO). Every value keeps its cell (``Sheet!C7``) so issues point at it.
Pure over the ``Grid`` (the reader applies the hostile-file guards).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.workbooks.grid import Grid, col_letters

CONTRACT_COLS = {"entity": "Entity", "external_id": "External ID", "customer": "Customer", "currency": "Currency",
                 "start_date": "Start date", "fixed": "Fixed price"}
PO_COLS = {"external_id": "External ID", "id": "PO ID", "description": "Description", "pattern": "Pattern",
           "ssp_method": "SSP method", "ssp": "SSP", "sku": "SKU", "start_date": "PO start date",
           "end_date": "PO end date", "delivered_date": "Delivered date", "quantity": "Quantity",
           "progress": "Progress (date=percent; …)"}
BILLING_COLS = {"external_id": "External ID", "date": "Billing date", "amount": "Amount"}
DATE_FIELDS = {"start_date", "end_date", "delivered_date", "date"}
MONEY_FIELDS = {"fixed", "ssp", "quantity", "amount"}
_EPOCH = date(1899, 12, 30)


def _norm(h: Any) -> str:
    return "".join(ch for ch in str(h or "").lower() if ch.isalnum())


def _text(v: Any, field: str) -> str | None:
    if v is None or v == "":
        return None
    if field in DATE_FIELDS:
        if isinstance(v, datetime):
            return v.date().isoformat()
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return (_EPOCH + timedelta(days=int(v))).isoformat()
        s = str(v).strip()
        return s[:10] if len(s) >= 10 and s[4] == "-" else s
    if field in MONEY_FIELDS and isinstance(v, (int, float)) and not isinstance(v, bool):
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        return format(d.quantize(Decimal("0.01")) if d == d.quantize(Decimal("0.01")) else d.normalize(), "f")
    s = str(v).strip()
    if field in MONEY_FIELDS:
        s = s.replace(",", "")
    return s


class RevenueExtract:
    def __init__(self):
        self.drafts: list[dict] = []
        self.provenance: list[dict] = []
        self.issues: list[dict] = []

    def issue(self, severity: str, code: str, message: str, sheet: str, cell: str, field: str | None = None,
              index: int | None = None) -> None:
        self.issues.append({"severity": severity, "code": code, "message": message, "sheet": sheet, "cell": cell,
                            "field": field, "draft_index": index})

    def issues_for(self, i: int) -> list[dict]:
        return [x for x in self.issues if x.get("draft_index") == i]


def _table(grid: Grid, names: tuple[str, ...], cols: dict[str, str]):
    """(sheet, rows of {field: (value, cell)}) of the first sheet whose name matches."""
    for sheet, rows in grid.sheets.items():  # noqa: B007  (rows of the sheet found, used after the loop)
        if _norm(sheet) in {_norm(n) for n in names}:
            break
    else:
        return None, []
    want = {_norm(v): k for k, v in cols.items()}
    want.update({_norm(k): k for k in cols})
    header_row, index = None, {}
    for r, row in enumerate(rows[:20]):
        found = {c: want[_norm(v)] for c, v in enumerate(row) if _norm(v) in want}
        if len(found) >= 2:
            header_row, index = r, found
            break
    if header_row is None:
        return sheet, []
    out = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        rec: dict[str, Any] = {}   # field → (text, cell), and "_row", "_cells"
        cells: dict[str, str] = {}
        for c, f in index.items():
            v = row[c] if c < len(row) else None
            t = _text(v, f)
            cells[f] = f"{sheet}!{col_letters(c)}{r + 1}" if not grid.csv else f"{sheet}!{r + 1}:{c + 1}"
            if t is not None:
                rec[f] = (t, cells[f])
        if rec and not str(rec.get("external_id", ("",))[0]).startswith("#"):
            rec["_row"], rec["_cells"] = r + 1, cells
            out.append(rec)
    return sheet, out


def _progress(text: str) -> list[dict]:
    pts = []
    for part in text.split(";"):
        if "=" in part:
            d, p = part.split("=", 1)
            pts.append({"date": d.strip(), "percent": p.strip().rstrip("%")})
    return pts


def extract_revenue(grid: Grid) -> RevenueExtract:
    out = RevenueExtract()
    csheet, crow = _table(grid, ("Contracts", "CSV"), CONTRACT_COLS | ({} if not grid.csv else
                                                                      {k: v for k, v in PO_COLS.items()}))
    by_id: dict[str, int] = {}
    for rec in crow:
        ext = rec.get("external_id", (None, None))[0]
        if not ext:
            out.issue("error", "required", "External ID is required.", csheet, f"{csheet}!A{rec['_row']}",
                      "external_id")
            continue
        if ext not in by_id:
            by_id[ext] = len(out.drafts)
            d: dict[str, Any] = {"performance_obligations": [], "billing": []}
            prov: dict[str, Any] = {"_row": rec["_row"]}
            for f in ("entity", "external_id", "customer", "currency", "start_date"):
                if f in rec:
                    d[f] = rec[f][0]
                if f in rec["_cells"]:
                    prov[f] = rec["_cells"][f]
            if "currency" in d:
                d["currency"] = d["currency"].upper()
            if "fixed" in rec:
                d["transaction_price"] = {"fixed": rec["fixed"][0]}
                prov["transaction_price.fixed"] = rec["fixed"][1]
            out.drafts.append(d)
            out.provenance.append(prov)
        if grid.csv and "id" in rec:
            _add_po(out, by_id[ext], rec)
    if not grid.csv:
        psheet, prow = _table(grid, ("PerformanceObligations", "Performance obligations", "POs"), PO_COLS)
        for rec in prow:
            _attach(out, by_id, rec, psheet, _add_po)
        bsheet, brow = _table(grid, ("Billing",), BILLING_COLS)
        for rec in brow:
            _attach(out, by_id, rec, bsheet, _add_billing)
    return out


def _attach(out, by_id, rec, sheet, fn) -> None:
    ext = rec.get("external_id", (None, None))[0]
    if ext not in by_id:
        out.issue("error", "unknown_contract", f"No contract {ext!r} on the Contracts sheet.", sheet,
                  rec.get("external_id", (None, f"{sheet}!A{rec['_row']}"))[1], "external_id")
        return
    fn(out, by_id[ext], rec)


def _add_po(out: RevenueExtract, i: int, rec: dict) -> None:
    d, prov = out.drafts[i], out.provenance[i]
    k = len(d["performance_obligations"])
    po: dict[str, Any] = {}
    for f in ("id", "description", "pattern", "ssp_method", "ssp", "sku", "start_date", "end_date",
              "delivered_date", "quantity"):
        if f in rec:
            po[f] = rec[f][0]
        if f in rec["_cells"]:  # blank cells too: a missing value's issue points at its cell
            prov[f"performance_obligations[{k}].{f}"] = rec["_cells"][f]
    for f in ("pattern", "ssp_method"):
        if f in po:
            po[f] = po[f].strip().lower().replace(" ", "_").replace("-", "_")
    if "progress" in rec:
        po["progress"] = _progress(rec["progress"][0])
        prov[f"performance_obligations[{k}].progress"] = rec["progress"][1]
    d["performance_obligations"].append(po)


def _add_billing(out: RevenueExtract, i: int, rec: dict) -> None:
    d, prov = out.drafts[i], out.provenance[i]
    k = len(d["billing"])
    d["billing"].append({"date": rec.get("date", (None,))[0], "amount": rec.get("amount", (None,))[0]})
    for f in ("date", "amount"):
        if f in rec:
            prov[f"billing[{k}].{f}"] = rec[f][1]


def _check(v: str) -> bool:
    try:
        Decimal(v)
        return True
    except InvalidOperation:
        return False
