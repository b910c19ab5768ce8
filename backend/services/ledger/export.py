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
from datetime import date, datetime, timezone
from typing import Iterator

from sqlalchemy import Text, cast, func, select

from backend.db.ids import new_id
from backend.db.models import AccountMapping, Entity, JournalEntry, JournalLine, User
from backend.engine.money import minor_unit
from backend.services.ledger import export_xlsx as journal_xlsx
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput, Unprocessable
from backend.services.ledger.queries import Filters, apply_filters

# Every entry that passed approval. A reversed entry stays in: its reversal is exported too, and
# leaving the original out would send the ERP a one-sided correction.
EXPORT_STATUSES = ("approved", "posted", "reversed")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Entry-level columns first, then line-level ones: the entry part of a CSV row is encoded once per entry.
# Preparer and approver as a ledger reads them: names and emails, not ids.
ENTRY_COLS = ["entry_id", "entity", "standard", "period", "entry_date", "status", "source_operation", "event",
              "source_type", "source_id", "run_id", "posting_reference", "prepared_by", "prepared_by_email",
              "approved_by", "approved_by_email", "approved_at", "reversal_of_id", "memo"]
LINE_COLS = ["line_no", "account", "gl_account", "debit", "credit", "currency"]
FIXED = ENTRY_COLS + LINE_COLS
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
YIELD_PER = 5000
XLSX_MAX_ROWS = journal_xlsx.MAX_ROWS
CHUNK = 1 << 16
_ZEROS = ("0", "0.0", "0.00", "0.000", "0.0000")


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
    entry_count: int = 0  # entries in the file
    excluded_drafts: int = 0  # drafts matching the filters, not exported (not approved yet)

    @property
    def headers(self) -> dict[str, str]:
        """Why a file is short or empty, without opening it."""
        return {"X-Export-Entries": str(self.entry_count), "X-Draft-Entries-Excluded": str(self.excluded_drafts)}


def _missing_accounts(s, tenant_id: str, f: Filters, mappings: dict[str, dict]) -> list[tuple[str, str]]:
    pairs = s.execute(apply_filters(s, select(JournalEntry.entity_id, JournalLine.account).distinct()
                                    .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
                                    .where(JournalEntry.tenant_id == tenant_id), f)).all()
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
    asked = filters
    filters = replace(filters, status=filters.status or EXPORT_STATUSES).check()
    # The export is "as of" this instant: entries approved while it streams are left for the next
    # one, so every exported line was covered by the mapping check below (no failure mid-stream).
    as_of = rt.clock()
    with rt.db.session(actor.tenant_id) as s:
        codes = dict(s.execute(select(Entity.id, Entity.code)).all())
        mappings = {m.entity_id: {"accounts": dict(m.accounts), "dimensions": dict(m.dimensions)}
                    for m in s.scalars(select(AccountMapping))}
        missing = _missing_accounts(s, actor.tenant_id, filters, mappings)
        users = {u.id: (u.name, u.email) for u in s.scalars(select(User).where(User.account_id == actor.account_id))}
        count = s.scalar(apply_filters(s, select(func.count()).select_from(JournalEntry).where(
            JournalEntry.tenant_id == actor.tenant_id, JournalEntry.approved_at <= as_of), filters))
        drafts = s.scalar(apply_filters(s, select(func.count()).select_from(JournalEntry).where(
            JournalEntry.tenant_id == actor.tenant_id), replace(asked, status=("draft",))))
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
    entries = _entries(rt, actor, filters, codes, mappings, sorted(dim_cols), as_of, users, sheet=fmt != "json")
    body = ({"csv": _csv, "xlsx": _xlsx}[fmt](columns, entries) if fmt != "json"
            else _json(columns, entries, excluded_drafts=drafts))
    stamp = as_of.strftime("%Y%m%dT%H%M%SZ")
    book = f"{filters.standard}-" if filters.standard else ""
    return Plan(fmt, columns, FORMATS[fmt], f"journal-lines-{book}{stamp}.{fmt}", body, count or 0, drafts or 0)


def _decimal_text(minor: int, exp: int) -> str:
    if minor == 0:  # half of all amounts (the other side of each line)
        return _ZEROS[exp] if exp < len(_ZEROS) else "0." + "0" * exp
    if exp == 0:
        return str(minor)
    sign, q = ("-", -minor) if minor < 0 else ("", minor)
    whole, frac = divmod(q, 10 ** exp)
    return f"{sign}{whole}.{frac:0{exp}d}"


class _Memo(dict):
    """A bounded memo for values that repeat (codes, statuses, dimension sets): computed once each."""

    def __init__(self, fn, limit: int = 20_000):
        super().__init__()
        self.fn, self.limit = fn, limit

    def __missing__(self, key):
        if len(self) >= self.limit:  # keep memory flat on pathological data
            self.clear()
        value = self[key] = self.fn(key)
        return value


def _entries(rt: Runtime, actor: Actor, f: Filters, codes: dict, mappings: dict, dim_cols: list[str],
             as_of: datetime, users: dict[str, tuple[str, str]], *, sheet: bool) -> Iterator[tuple[tuple, list[tuple]]]:
    """(entry fields, [line fields]) per entry, in entry-id order; fields in ENTRY_COLS / LINE_COLS
    order, then the mapped dimension values and the leftover dimensions. ``sheet`` (CSV/XLSX)
    neutralises text and renders leftover dimensions as JSON text; JSON keeps values as they are.
    Money stays as (minor units, exponent) so each format renders it exactly.

    Headers and lines come from two cursors merged on the entry id, so the 15 entry columns are
    read once per entry rather than once per line."""
    E, L = JournalEntry, JournalLine
    tenant = actor.tenant_id
    safe = neutralise if sheet else (lambda v: v)
    small = _Memo(lambda v: safe(v) if v else "")  # low-cardinality text: codes, statuses, accounts
    empty: dict[str, dict[str, str]] = {"accounts": {}, "dimensions": {}}
    gl = {ent: {a: safe(g) for a, g in m["accounts"].items()} for ent, m in mappings.items()}
    ent_code = {ent: safe(code) for ent, code in codes.items()}
    people = {uid: (safe(name), safe(email)) for uid, (name, email) in users.items()}
    nobody = ("", "")

    def resolve(key: tuple[str, str | None]) -> tuple[tuple, object]:
        ent, raw = key
        dim_map = mappings.get(ent, empty)["dimensions"]
        mapped, rest = {}, {}
        for k, v in (json.loads(raw) if raw else {}).items():
            if k in dim_map:
                mapped[dim_map[k]] = v
            else:
                rest[k] = v
        values = tuple(safe(str(mapped.get(c, ""))) for c in dim_cols)
        if sheet:
            return values, safe(json.dumps(rest, sort_keys=True, separators=(",", ":"))) if rest else ""
        return values, rest

    dims = _Memo(resolve)
    exps = _Memo(minor_unit, 1000)
    with rt.db.session(tenant) as s:
        heads = apply_filters(s, select(E.id, E.entity_id, E.standard, E.period, E.entry_date, E.status,
                                        E.source_operation, E.event, E.source_type, E.source_id, E.run_id, E.posting_reference,
                                        E.prepared_by, E.approved_by, E.approved_at, E.reversal_of_id, E.memo)
                              .where(E.tenant_id == tenant, E.approved_at <= as_of), f).order_by(E.id)
        ids = apply_filters(s, select(E.id).where(E.tenant_id == tenant, E.approved_at <= as_of), f)
        # Dimensions arrive as JSON text (cast), so repeated dimension sets are decoded and mapped once.
        # Lines are reached through the tenant's entry ids only: adding journal_lines.tenant_id here
        # tempts PostgreSQL into a bitmap-AND with the tenant index per entry (quadratic) when
        # statistics are missing.
        lines = (select(L.entry_id, L.line_no, L.account, L.debit_minor, L.credit_minor, L.currency,
                        cast(L.dimensions, Text))
                 .where(L.entry_id.in_(ids)).order_by(L.entry_id, L.line_no))
        conn = s.connection()
        # Values arrive raw from the driver; the columns' own result processors convert each
        # distinct date/timestamp once (memoised) instead of once per line.
        date_proc = _processor(E.__table__.c.entry_date, conn.dialect) or (lambda v: v)
        stamp_proc = _processor(E.__table__.c.approved_at, conn.dialect) or (lambda v: v)
        dates = _Memo(date_proc, 5000)
        stamps = _Memo(lambda v: stamp_proc(v).isoformat() if v is not None else "", 50_000)
        line_rows = _driver_rows(conn, lines)
        pending = next(line_rows, None)
        for (eid, ent, std, per, edate, status, src, event, stype, sid, run, ref, prep, appr, appr_at, rev_of,
             memo) in _driver_rows(conn, heads):
            # Ids are our own ULIDs (Crockford base32), which cannot start with a formula character.
            head = (eid, ent_code.get(ent, ent), small[std], per, dates[edate], small[status], small[src],
                    small[event], small[stype], safe(sid) if sid else "", run or "", safe(ref) if ref else "",
                    *people.get(prep, nobody), *people.get(appr, nobody), stamps[appr_at], rev_of or "",
                    safe(memo) if memo else "")
            accounts, out = gl[ent], []
            # Both cursors are ordered by entry id with the database's own collation, so they align.
            while pending is not None and pending[0] == eid:
                _e, no, acct, dr, cr, ccy, raw = pending
                dim_values, rest = dims[(ent, raw)]
                out.append((no, small[acct], accounts[acct], dr, cr, exps[ccy], small[ccy], dim_values, rest))
                pending = next(line_rows, None)
            yield head, out


def _processor(column, dialect):
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


def _sqlite_text(v):
    if isinstance(v, datetime):  # UTCDateTime keeps naive UTC with microseconds on SQLite
        return v.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return v.isoformat() if isinstance(v, date) else v


def _driver_rows(conn, stmt) -> Iterator[tuple]:
    """Rows straight from the DBAPI cursor, in batches: a server-side (named) cursor on PostgreSQL,
    SQLite's lazy cursor otherwise — memory stays flat. This skips SQLAlchemy's per-row Result
    machinery, which cost more than the CSV writer itself for a million lines."""
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if dialect.name == "sqlite":  # bind dates and times as the text SQLAlchemy stores there
        params = {k: _sqlite_text(v) for k, v in params.items()}
    if compiled.positional:
        params = tuple(params[k] for k in compiled.positiontup)
    dbapi = conn.connection.dbapi_connection
    if dialect.name == "postgresql":
        cur = dbapi.cursor(name=f"journal_export_{new_id().lower()}")
        cur.itersize = YIELD_PER
    else:
        cur = dbapi.cursor()
    try:
        cur.execute(str(compiled), params)
        while rows := cur.fetchmany(YIELD_PER):
            yield from rows
    finally:
        cur.close()


def _csv(columns: list[str], entries: Iterator[tuple[tuple, list[tuple]]]) -> Iterator[bytes]:
    """RFC 4180 via the csv module. The entry part of the row is encoded once per entry and
    prefixed to each of its lines (same bytes as one writerow of the whole row)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(columns)
    write, line, enc, money = out.write, w.writerow, _encoder(), _decimal_text
    for head, lines in entries:
        prefix = enc((*head[:4], head[4].isoformat(), *head[5:]))[:-2] + ","
        for no, acct, gl, dr, cr, exp, ccy, dim_values, rest in lines:
            write(prefix)
            line((no, acct, gl, money(dr, exp), money(cr, exp), ccy, *dim_values, rest))
        if out.tell() >= CHUNK:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()


def _encoder():
    """One CSV record (with its CRLF) as a string, by the csv module's own quoting rules."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")

    def enc(fields) -> str:
        buf.seek(0)
        buf.truncate()
        w.writerow(fields)
        return buf.getvalue()

    return enc


def _json(columns: list[str], entries: Iterator[tuple[tuple, list[tuple]]], *,
          excluded_drafts: int = 0) -> Iterator[bytes]:
    """One JSON document: the lines, then their count and totals per currency (money as strings)."""
    totals: dict[str, list[int]] = {}
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    parts = [f'{{"columns":{json.dumps(columns)},"lines":[']
    n = 0
    for head, lines in entries:
        head = (*head[:4], head[4].isoformat(), *head[5:])
        for no, acct, gl, dr, cr, exp, ccy, dim_values, rest in lines:
            t = totals.setdefault(ccy, [0, 0, exp])
            t[0] += dr
            t[1] += cr
            values = (*head, no, acct, gl, _decimal_text(dr, exp), _decimal_text(cr, exp), ccy, *dim_values, rest)
            parts.append(("," if n else "") + dumps(dict(zip(columns, values))))
            n += 1
        if len(parts) >= 500:
            yield "".join(parts).encode()
            parts = []
    tot = {c: {"debit": _decimal_text(d, e), "credit": _decimal_text(cr, e)}
           for c, (d, cr, e) in sorted(totals.items())}
    parts.append(f'],"line_count":{n},"excluded_draft_entries":{excluded_drafts},'
                 f'"totals_by_currency":{json.dumps(tot)}}}')
    yield "".join(parts).encode()


def _xlsx(columns: list[str], entries: Iterator[tuple[tuple, list[tuple]]]) -> Iterator[bytes]:
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="ledger-export-")
    os.close(fd)
    try:
        _write_xlsx(path, columns, entries)
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk
    finally:
        os.unlink(path)


def _write_xlsx(path: str, columns: list[str], entries: Iterator[tuple[tuple, list[tuple]]]) -> None:
    n_fixed = len(FIXED)
    rows = ((head, line) for head, lines in entries for line in lines)

    def render(x: journal_xlsx.Renderer, rn: str, row: tuple) -> str:
        (eid, ent, std, per, edate, status, src, event, stype, sid, run, ref, prep, prep_email, appr, appr_email,
         appr_at, rev_of, memo), line = row
        no, acct, gl, dr, cr, exp, ccy, dim_values, rest = line
        money = x.money_style(exp)
        code, text = x.code, x.text
        return "".join((
            text(0, rn, eid), code(1, rn, ent), code(2, rn, std), code(3, rn, per), x.day(4, rn, edate, x.date_xf),
            code(5, rn, status), code(6, rn, src), code(7, rn, event), code(8, rn, stype), text(9, rn, sid),
            text(10, rn, run), text(11, rn, ref), text(12, rn, prep), text(13, rn, prep_email), text(14, rn, appr),
            text(15, rn, appr_email), text(16, rn, appr_at), text(17, rn, rev_of), text(18, rn, memo),
            x.number(19, rn, str(no)), code(20, rn, acct), code(21, rn, gl),
            x.number(22, rn, _decimal_text(dr, exp), money), x.number(23, rn, _decimal_text(cr, exp), money),
            code(24, rn, ccy), *(text(c, rn, v) for c, v in enumerate(dim_values, start=n_fixed)),
            text(n_fixed + len(dim_values), rn, rest)))

    journal_xlsx.write(path, columns, rows, render, XLSX_MAX_ROWS)
