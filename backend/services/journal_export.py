"""ERP exports of approved journal lines as CSV, XLSX or JSON, streamed in constant memory.

Rows come from a server-side cursor (``yield_per``) and leave as they are formatted, so memory
does not grow with the number of lines. XLSX is written by XlsxWriter in ``constant_memory`` mode
to a temporary file (a zip cannot be sent before it is complete), then streamed in chunks.
Every GL account comes from the entity's mapping: an unmapped code blocks the export and the
error lists what is missing. Text cells that a spreadsheet would run as a formula are neutralised.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from typing import Iterator

from sqlalchemy import select

from backend.db.models import AccountMapping, Entity, JournalEntry, JournalLine
from backend.engine.money import minor_unit
from backend.services.context import Actor, Runtime
from backend.services.errors import InvalidInput, Unprocessable
from backend.services.journal_queries import Filters, apply_filters

# Every entry that passed approval. A reversed entry stays in: its reversal is exported too, and
# leaving the original out would send the ERP a one-sided correction.
EXPORT_STATUSES = ("approved", "posted", "reversed")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FIXED = ["entry_id", "entity", "standard", "period", "entry_date", "status", "source_operation", "event", "lease_id",
         "run_id", "line_no", "account", "gl_account", "debit", "credit", "currency", "posting_reference",
         "approved_by", "approved_at", "reversal_of_id", "memo"]
MONEY_COLS = ("debit", "credit")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
YIELD_PER = 5000
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header included
CHUNK = 1 << 16


def neutralise(text: str) -> str:
    """A leading ' makes Excel/Sheets/LibreOffice treat ``=cmd|…`` as text (OWASP CSV injection)."""
    return "'" + text if text and text[0] in DANGEROUS else text


@dataclass
class Plan:
    fmt: str
    columns: list[str]
    media_type: str
    filename: str
    body: Iterator[bytes]


def _missing_accounts(s, tenant_id: str, f: Filters, mappings: dict[str, dict]) -> list[tuple[str, str]]:
    pairs = s.execute(apply_filters(s, select(JournalEntry.entity_id, JournalLine.account).distinct()
                                    .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
                                    .where(JournalLine.tenant_id == tenant_id), f)).all()
    return sorted((ent, acct) for ent, acct in pairs if acct not in mappings.get(ent, {}).get("accounts", {}))


def prepare(rt: Runtime, actor: Actor, filters: Filters, fmt: str) -> Plan:
    """Check the request (statuses, mapping) before a byte is sent, then return the streaming body."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}.", code="invalid_format",
                           details=[{"field": "format", "code": "invalid_format", "message": f"got {fmt!r}"}])
    bad = [st for st in filters.status if st not in EXPORT_STATUSES]
    if bad:
        raise InvalidInput(f"Only {', '.join(EXPORT_STATUSES)} entries are exported; not {', '.join(bad)}.",
                           code="status_not_exportable",
                           details=[{"field": "status", "code": "status_not_exportable", "message": str(bad)}])
    filters = replace(filters, status=filters.status or EXPORT_STATUSES).check()
    with rt.db.session(actor.tenant_id) as s:
        codes = dict(s.execute(select(Entity.id, Entity.code)).all())
        mappings = {m.entity_id: {"accounts": dict(m.accounts), "dimensions": dict(m.dimensions)}
                    for m in s.scalars(select(AccountMapping))}
        missing = _missing_accounts(s, actor.tenant_id, filters, mappings)
    if missing:
        raise Unprocessable(
            f"{len(missing)} engine account code(s) have no GL account; map them with "
            "PUT /v1/entities/{code}/account-mapping and export again.", code="unmapped_accounts",
            details={"missing": [{"entity": codes.get(e, e), "account": a} for e, a in missing]})
    dim_cols: list[str] = []
    for m in mappings.values():
        for name in m["dimensions"].values():
            if name not in dim_cols and name not in FIXED:
                dim_cols.append(name)
    columns = FIXED + sorted(dim_cols) + ["dimensions"]
    lines = _lines(rt, actor, filters, codes, mappings, sorted(dim_cols))
    body = {"csv": _csv, "json": _json, "xlsx": _xlsx}[fmt](columns, lines)
    stamp = rt.clock().strftime("%Y%m%dT%H%M%SZ")
    return Plan(fmt, columns, FORMATS[fmt], f"journal-lines-{stamp}.{fmt}", body)


def _decimal_text(minor: int, exp: int) -> str:
    if exp == 0:
        return str(minor)
    sign, q = ("-", -minor) if minor < 0 else ("", minor)
    whole, frac = divmod(q, 10 ** exp)
    return f"{sign}{whole}.{frac:0{exp}d}"


def _lines(rt: Runtime, actor: Actor, f: Filters, codes: dict, mappings: dict, dim_cols: list[str]) -> Iterator[list]:
    """Export rows in column order; money as (minor units, exponent) so each format renders it exactly."""
    E, L = JournalEntry, JournalLine
    stmt = (select(E.id, E.entity_id, E.standard, E.period, E.entry_date, E.status, E.source_operation, E.event,
                   E.lease_id, E.run_id, L.line_no, L.account, L.debit_minor, L.credit_minor, L.currency,
                   E.posting_reference, E.approved_by, E.approved_at, E.reversal_of_id, E.memo, L.dimensions)
            .join(L, L.entry_id == E.id).where(L.tenant_id == actor.tenant_id).order_by(E.id, L.line_no))
    exps: dict[str, int] = {}
    empty = {"accounts": {}, "dimensions": {}}
    with rt.db.session(actor.tenant_id) as s:
        result = s.execute(apply_filters(s, stmt, f).execution_options(stream_results=True, yield_per=YIELD_PER))
        for (eid, ent, std, per, edate, status, src, event, lease, run, no, acct, dr, cr, ccy, ref, appr, appr_at,
             rev_of, memo, dims) in result:
            m = mappings.get(ent, empty)
            exp = exps.get(ccy)
            if exp is None:
                exp = exps[ccy] = minor_unit(ccy)
            dim_map, mapped, rest = m["dimensions"], {}, {}
            for k, v in (dims or {}).items():
                if k in dim_map:
                    mapped[dim_map[k]] = v
                else:
                    rest[k] = v
            yield [eid, codes.get(ent, ent), std, per, edate, status, src, event, lease or "", run or "", no, acct,
                   m["accounts"][acct], (dr, exp), (cr, exp), ccy, ref or "", appr or "",
                   appr_at.isoformat() if appr_at else "", rev_of or "", memo or "",
                   *[mapped.get(c, "") for c in dim_cols], rest]


def _text(v) -> str:
    return v if isinstance(v, str) else (v.isoformat() if isinstance(v, date) else str(v))


def _csv(columns: list[str], lines: Iterator[list]) -> Iterator[bytes]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    money = {columns.index(c) for c in MONEY_COLS}
    last = len(columns) - 1
    for row in lines:
        out = []
        for i, v in enumerate(row):
            if i in money:
                out.append(_decimal_text(*v))
            elif i == last:
                out.append(neutralise(json.dumps(v, sort_keys=True, separators=(",", ":"))) if v else "")
            elif isinstance(v, str):
                out.append(v if not v or v[0] not in DANGEROUS else "'" + v)
            else:
                out.append(_text(v))
        w.writerow(out)
        if buf.tell() >= CHUNK:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode()


def _json(columns: list[str], lines: Iterator[list]) -> Iterator[bytes]:
    """One JSON document: the lines, then their count and totals per currency (money as strings)."""
    money = {columns.index(c) for c in MONEY_COLS}
    ccy_i, debit_i, credit_i = columns.index("currency"), columns.index("debit"), columns.index("credit")
    totals: dict[str, list[int]] = {}
    parts = [f'{{"columns":{json.dumps(columns)},"lines":[']
    n = 0
    for row in lines:
        t = totals.setdefault(row[ccy_i], [0, 0, row[debit_i][1]])
        t[0] += row[debit_i][0]
        t[1] += row[credit_i][0]
        obj = {c: (_decimal_text(*v) if i in money else (v if isinstance(v, (str, int, dict)) else _text(v)))
               for i, (c, v) in enumerate(zip(columns, row))}
        parts.append(("," if n else "") + json.dumps(obj, separators=(",", ":")))
        n += 1
        if len(parts) >= 500:
            yield "".join(parts).encode()
            parts = []
    tot = {c: {"debit": _decimal_text(d, e), "credit": _decimal_text(cr, e)} for c, (d, cr, e) in sorted(totals.items())}
    parts.append(f'],"line_count":{n},"totals_by_currency":{json.dumps(tot)}}}')
    yield "".join(parts).encode()


def _xlsx(columns: list[str], lines: Iterator[list]) -> Iterator[bytes]:
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="ledger-export-")
    os.close(fd)
    try:
        _write_xlsx(path, columns, lines)
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk
    finally:
        os.unlink(path)


def _write_xlsx(path: str, columns: list[str], lines: Iterator[list]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir(),
                                    "strings_to_formulas": False, "strings_to_numbers": False,
                                    "strings_to_urls": False})
    head = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmts: dict[int, object] = {}
    money = {columns.index(c) for c in MONEY_COLS}
    date_i, line_i, last = columns.index("entry_date"), columns.index("line_no"), len(columns) - 1
    ws, r, sheet_no = None, XLSX_MAX_ROWS, 0
    for row in lines:
        if r >= XLSX_MAX_ROWS:  # Excel's row limit: continue on a new sheet, header repeated
            sheet_no += 1
            ws = wb.add_worksheet("Journal lines" if sheet_no == 1 else f"Journal lines {sheet_no}")
            for c, name in enumerate(columns):
                ws.write_string(0, c, name, head)
            ws.freeze_panes(1, 0)
            r = 1
        for c, v in enumerate(row):
            if c in money:
                minor, exp = v
                fmt = money_fmts.get(exp)
                if fmt is None:
                    fmt = money_fmts[exp] = wb.add_format({"num_format": "#,##0" + ("." + "0" * exp if exp else "")})
                ws.write_number(r, c, minor / 10 ** exp, fmt)
            elif c == date_i:
                ws.write_datetime(r, c, v, date_fmt)
            elif c == line_i:
                ws.write_number(r, c, v)
            elif c == last:
                if v:
                    ws.write_string(r, c, neutralise(json.dumps(v, sort_keys=True, separators=(",", ":"))))
            elif v:
                ws.write_string(r, c, v if v[0] not in DANGEROUS else "'" + v)
        r += 1
    if ws is None:  # no lines: still a valid workbook with the header
        ws = wb.add_worksheet("Journal lines")
        for c, name in enumerate(columns):
            ws.write_string(0, c, name, head)
    wb.close()
