"""Lease extraction from a grid: one lease per row on "Leases", optional extra payment
streams on "Payments", every value with its cell, every problem as an issue on a cell.

Each draft is an engine input dict (``parse_lease``'s field names; money, rates and dates
as strings). Drafts are produced even when they have errors, so the reviewer can fix them;
the engine's own field errors are mapped back to the cells they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from backend.engine.errors import InvalidLeaseInput
from backend.engine.leases import parse_lease

from .columns import (CLASSIFICATIONS, FREQUENCIES, LEASE_ALIASES, LEASE_COLUMNS, LEASE_SHEET_NAMES, ONE_OFF_KINDS,
                      PAYMENT_COLUMNS, PAYMENT_KINDS, PAYMENT_SHEET_NAMES, RATE_CONVENTIONS, STANDARDS, TIMINGS,
                      Column, choice_lookup)
from .grid import Grid, a1, col_letters, read_xlsx
from .headers import Header, find_header, lookup_for
from .preflight import DEFAULT_LIMITS, Limits
from .amounts import ColumnNotation, column_notation, decimals_problem, parse_money, sign_problem
from .rates import RateNotation, check_rate_fits, rate_notation
from .rent import settle_annual_rent
from .row_kinds import skip_reason
from .values import (CellProblem, ReadOptions, date_order_evidence, is_blank, key, options_for_locale,
                     parse_bool, parse_date, parse_int, parse_number, parse_percent, parse_text, plain)

__all__ = ["ExtractResult", "extract_grid", "extract_workbook"]

_LEASE_LOOKUP = lookup_for(LEASE_COLUMNS + LEASE_ALIASES)
_PAYMENT_LOOKUP = lookup_for(PAYMENT_COLUMNS)
_CHOICES = {id(d): choice_lookup(d) for d in (FREQUENCIES, TIMINGS, PAYMENT_KINDS, RATE_CONVENTIONS,
                                              CLASSIFICATIONS, STANDARDS)}
_TOTAL_WORDS = {"total", "totals", "sum", "subtotal", "grandtotal"}
_RATE_HIGH = Decimal("0.25")  # a plain 0.25 or more may be a percentage typed without its % sign


@dataclass
class ExtractResult:
    """``drafts[i]`` is an engine input dict; ``provenance[i]`` maps its field paths
    (``"payments[1].amount"``) to cells (``"Payments!E3"``), plus ``"_row"`` → ``"Leases!7"``;
    ``issues`` are ``{sheet, cell, field, code, severity, message, lease_ref, draft_index}``
    (``cell``/``field``/``draft_index`` None for sheet-level issues)."""

    drafts: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    provenance: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"drafts", "issues", "provenance"}``."""
        return {"drafts": self.drafts, "issues": self.issues, "provenance": self.provenance}

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["severity"] == "error"]

    def issues_for(self, index: int) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["draft_index"] == index]


def extract_workbook(data: bytes, *, locale: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ExtractResult:
    """Extract lease drafts from an uploaded .xlsx/.xlsm.

    ``locale`` (``"en-US"``, ``"de-DE"`` ...) decides ambiguous text dates and decimal
    commas; without it they are inferred and flagged. Raises ``WorkbookRejected`` for a
    file that must not be processed (not a workbook, protected, bomb, too large).
    """
    grid = read_xlsx(data, limits)
    return extract_grid(grid, locale=locale)


def extract_grid(grid: Grid, *, locale: str | None = None) -> ExtractResult:
    """Extract lease drafts from a ``Grid`` (an .xlsx read or the add-in's book JSON)."""
    return _Extraction(grid, options_for_locale(locale, grid.date1904)).run()


# ---------------------------------------------------------------- the extraction


class _Extraction:
    def __init__(self, grid: Grid, opts: ReadOptions) -> None:
        self.grid = grid
        self.opts = opts
        self.result = ExtractResult()
        self.labels: list[dict[str, str]] = []     # per draft: path → header text, for messages
        self.flagged: list[set[str]] = []          # per draft: paths that already have an error
        self._warned_both: set[int] = set()
        self._column_cache: dict[tuple[str, int], list] = {}
        self._notations: dict[tuple[str, int], ColumnNotation | RateNotation] = {}
        self._lease_sheet = ""

    # -- addresses

    def _a1(self, r: int, c: int) -> str:
        """A cell's address: ``B7`` in a workbook, ``7:2`` (row:column) in a CSV file."""
        return f"{r + 1}:{c + 1}" if self.grid.csv else a1(r, c)

    # -- issues

    def issue(self, sheet: str, cell: str | None, path: str | None, code: str, severity: str, message: str,
              lease_ref: str | None = None, draft: int | None = None) -> None:
        where = f"{sheet}!{cell}" if cell else sheet
        self.result.issues.append({
            "sheet": sheet, "cell": cell, "field": path, "code": code, "severity": severity,
            "message": f"{where}: {message[0].upper()}{message[1:]}" + ("" if message.endswith(".") else "."),
            "lease_ref": lease_ref, "draft_index": draft})
        if severity == "error" and draft is not None and path:
            self.flagged[draft].add(path)

    # -- sheets

    def _pick_sheet(self, names: tuple[str, ...], lookup, exclude: set[str]) -> tuple[str, Header] | None:
        """The sheet named like ``names`` with a recognisable header; failing a name match,
        the sheet whose header names the most known columns."""
        by_name = [n for n in self.grid.sheets if key(n) in names and n not in exclude]
        not_data = {"instructions", "lists", "readme", "notes", "synonyms", *LEASE_SHEET_NAMES, *PAYMENT_SHEET_NAMES}
        candidates = by_name or [n for n in self.grid.sheets if n not in exclude and key(n) not in not_data]
        required = {c.path for c in lookup.values() if c.required}

        def score(h: Header) -> int:  # required columns weigh most: a payment table also has a Lease ID
            return h.score + 2 * len(required & h.columns.keys())

        best = None
        for n in candidates:
            h = find_header(self.grid.sheets[n], lookup)
            if h is not None and (best is None or score(h) > score(best[1])):
                best = (n, h)
        return best

    def run(self) -> ExtractResult:
        lease = self._pick_sheet(LEASE_SHEET_NAMES, _LEASE_LOOKUP, set())
        if lease is None:
            sheet = next((n for n in self.grid.sheets if key(n) in LEASE_SHEET_NAMES), None)
            self.issue(sheet or "Workbook", None, None, "no_lease_sheet", "error",
                       "no lease table was found. Use the Leases sheet of the template, with a header row naming "
                       "columns such as Lease ID, Currency, Commencement date, End date")
            return self.result
        lease_sheet, lease_header = lease
        self._lease_sheet = lease_sheet
        if lease_header.tied:
            rows = ", ".join(str(n + 1) for n in [lease_header.row, *lease_header.tied])
            self.issue(lease_sheet, None, None, "header_ambiguous", "error",
                       f"rows {rows} could each be the header row (they name as many known columns); delete the "
                       "rows above the real header or rename its columns as in the template")
            return self.result
        self._drop_hidden(lease_sheet, lease_header)
        self._lease_header = lease_header
        pay = None
        named_pay = [n for n in self.grid.sheets if key(n) in PAYMENT_SHEET_NAMES and n != lease_sheet]
        if named_pay:
            pay = self._pick_sheet(PAYMENT_SHEET_NAMES, _PAYMENT_LOOKUP, {lease_sheet})
            if pay is None:
                self.issue(named_pay[0], None, None, "header_not_found", "error",
                           "the header row was not found; expected columns such as Lease ID, From, To, Amount, "
                           "Frequency")
        else:
            # A renamed Payments sheet: only a header that is unmistakably a payment table counts.
            pay = self._pick_sheet((), _PAYMENT_LOOKUP, {lease_sheet})
            if pay is not None and not {"lease_ref", "from", "amount", "frequency"} <= pay[1].columns.keys():
                pay = None
        self._infer_date_order([(lease_sheet, lease_header)] + ([pay] if pay else []))
        self._check_header(lease_sheet, lease_header, LEASE_COLUMNS)
        index = self._lease_rows(lease_sheet, lease_header)
        if pay:
            self._drop_hidden(*pay)
            self._check_header(pay[0], pay[1], PAYMENT_COLUMNS)
            self._payment_rows(pay[0], pay[1], index)
        for i, draft in enumerate(self.result.drafts):
            if not draft.get("payments") and not draft.get("other_payments"):
                row = self.result.provenance[i]["_row"]
                self.issue(row.split("!")[0], None if "external_id" not in self.result.provenance[i]
                           else self.result.provenance[i]["external_id"].split("!")[1], "payments", "no_payments",
                           "warning", "the lease has no payments: fill in its Payment amount or add rows on the "
                           "Payments sheet", draft.get("external_id"), i)
            self._engine_check(i, draft)
        return self.result

    def _infer_date_order(self, sheets: list[tuple[str, Header]]) -> None:
        """Evidence for an ambiguous 03/04/2026: the file's other text dates that can only
        be read one way. Used only when no locale was given and all evidence agrees."""
        if self.opts.date_order:
            return
        seen: dict[str, str] = {}
        for sheet, header in sheets:
            rows = self.grid.sheets[sheet]
            cols = [c for c, spec, _ in header.columns.values() if spec.kind == "date"]
            for r in range(header.row + 1, len(rows)):
                row = rows[r]
                for c in cols:
                    if c < len(row):
                        ev = date_order_evidence(row[c])
                        if ev and ev not in seen:
                            seen[ev] = f"{sheet}!{self._a1(r, c)} ({row[c].strip()})"
        if len(seen) == 1:
            order, where = next(iter(seen.items()))
            self.opts = ReadOptions(None, self.opts.decimal_comma, self.opts.date1904, order, where)

    def _drop_hidden(self, sheet: str, header: Header) -> None:
        """Values in hidden columns are not used: what the accountant reviewed on screen is what
        is imported. A warning at the header cell says which column was passed over."""
        hidden = self.grid.hidden_columns.get(sheet)
        if not hidden:
            return
        for path, (c, _, shown) in list(header.columns.items()):
            if c in hidden:
                del header.columns[path]
                self.issue(sheet, self._a1(header.row, c), None, "hidden_column", "warning",
                           f"the column '{shown}' is hidden, so its values were not used; unhide it to import them")

    def _check_header(self, sheet: str, header: Header, columns: tuple[Column, ...]) -> None:
        for col in columns:
            if col.required and col.path not in header.columns:
                self.issue(sheet, None, None, "missing_column", "error",
                           f"there is no '{col.label}' column (looked for it in the header row {header.row + 1})")
        for c, shown in header.unknown:
            self.issue(sheet, self._a1(header.row, c), None, "unknown_column", "warning",
                       f"the column '{shown}' is not one the lease template uses, so it was ignored")
        for c, shown, path in header.duplicates:
            first = header.columns[path][2]
            self.issue(sheet, self._a1(header.row, c), None, "duplicate_column", "warning",
                       f"the column '{shown}' means the same as '{first}' to its left; only the first was used")

    # -- cell parsing

    def _parse(self, spec: Column, v: Any, warnings: list, notation: Any, info: list, signed: bool,
               row_currency: str | None = None) -> Any:
        kind = spec.kind
        if kind == "date":
            d = parse_date(v, self.opts, warnings)
            return d.isoformat() if d else None
        if kind == "money":
            amt = parse_money(v, notation, self.opts, warnings, row_currency)
            if amt is None:
                return None
            value = sign_problem(spec.path, amt.value, info) if signed else amt.value
            return plain(value), amt.currency
        if kind in ("percent", "escalation") and notation is not None:
            check_rate_fits(v, notation)
        if kind == "percent":
            frac = parse_percent(v, self.opts, warnings, high=_RATE_HIGH)
            return plain(frac.normalize()) if frac is not None else None
        if kind == "escalation":
            frac = parse_percent(v, self.opts, warnings, high=_RATE_HIGH)
            return plain((frac * 100).normalize()) if frac is not None else None
        if kind == "int":
            return parse_int(v, self.opts, warnings, scale=spec.scale)
        if kind == "bool":
            return parse_bool(v, self.opts, warnings)
        text = parse_text(v)
        if text is None:
            return None
        if kind == "choice":
            got = _CHOICES[id(spec.choices)].get(key(text))
            if got is None:
                raise CellProblem("invalid_choice", f"'{text}' is not one of: {', '.join(spec.choices)}")
            return got
        if kind == "currency":
            sym = {"€": "EUR", "£": "GBP", "¥": "JPY", "US$": "USD"}.get(text)
            text = (sym or text).upper()
            if len(text) != 3 or not text.isalpha():
                raise CellProblem("invalid_currency", f"'{text}' is not a 3-letter currency code such as EUR or USD")
        return text

    def _read_row(self, sheet: str, header: Header, r: int, row: list[Any], draft_index: int,
                  lease_ref: str | None, path_of: Callable[[str], str],
                  prov: dict[str, str], labels: dict[str, str], skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """Parse every recognised cell of one row: ``{column path: value}``."""
        out: dict[str, Any] = {}
        n = len(row)
        line = str(r + 1)
        signed = sheet == self._lease_sheet  # a Payments row may be a (negative) incentive receivable
        ccy_col = header.columns.get("currency")
        row_currency = row[ccy_col[0]] if ccy_col and ccy_col[0] < n and isinstance(row[ccy_col[0]], str) else None
        if row_currency is None and not signed and lease_ref is not None:
            row_currency = self.result.drafts[draft_index].get("currency")  # a Payments row: its lease's
        row_currency = row_currency.strip().upper() if row_currency else None
        for path, c, spec, shown, pre, post, notation in self._columns(sheet, header):
            if c >= n or path in skip:
                continue
            v = row[c]
            if v is None or (type(v) is str and not v.strip()):
                continue
            cell = pre + line + post
            warnings: list = []
            info: list = []
            target = path_of(path)
            try:
                value = self._parse(spec, v, warnings, notation, info, signed, row_currency)
            except CellProblem as p:
                self.issue(sheet, cell, target, p.code, "error", f"{shown}: {p.message}", lease_ref, draft_index)
                value = None
            for code, msg in warnings:
                self.issue(sheet, cell, target, code, "warning", f"{shown}: {msg}", lease_ref, draft_index)
            for code, msg in info:
                self.issue(sheet, cell, target, code, "info", f"{shown}: {msg}", lease_ref, draft_index)
            prov[target] = f"{sheet}!{cell}"
            labels[target] = shown
            if value is None:
                out[path] = _FAILED
                continue
            out[path] = value
            if spec.implies:
                for implied_path, implied in spec.implies.items():
                    out.setdefault(("implied", implied_path), implied)
                    prov.setdefault(path_of(implied_path), prov[target])  # "Monthly rent" says monthly
        return out

    def _columns(self, sheet: str, header: Header) -> list[tuple]:
        """``(path, column, spec, header text, address before and after the row number, column
        notation)`` per recognised column, computed once per sheet. The notation (decimal mark
        of a money column, fraction or percent of a rate column) is decided from all the
        column's cells before any of them is read."""
        key_ = (sheet, header.row)
        cols = self._column_cache.get(key_)
        if cols is None:
            rows = self.grid.sheets[sheet]
            cols = []
            for path, (c, spec, shown) in header.columns.items():
                pre, post = ("", f":{c + 1}") if self.grid.csv else (col_letters(c), "")
                cells = ((r, row[c]) for r, row in enumerate(rows[header.row + 1:], header.row + 1) if c < len(row))
                notation = None
                if spec.kind == "money":
                    notation = column_notation((f"{sheet}!{self._a1(r, c)}", v) for r, v in cells)
                elif spec.kind in ("percent", "escalation"):
                    notation = rate_notation(v for _, v in cells)
                cols.append((path, c, spec, shown, pre, post, notation))
            self._column_cache[key_] = cols
        return cols

    # -- leases

    def _lease_rows(self, sheet: str, header: Header) -> dict[str, int]:
        rows = self.grid.sheets[sheet]
        id_col = header.columns.get("external_id", (None,))[0]
        index: dict[str, int] = {}
        cols = sorted(c for c, _, _ in header.columns.values())
        header_keys = {c: key(shown) for c, _, shown in header.columns.values()}
        header_keys.update((c, key(str(rows[header.row][c]))) for c in cols if c < len(rows[header.row])
                           and isinstance(rows[header.row][c], str))
        for r in range(header.row + 1, len(rows)):
            row = rows[r]
            if all(is_blank(row[c]) for c in cols if c < len(row)):
                continue
            why = skip_reason(row, cols, id_col, header_keys)
            if why:
                first = next(c for c in cols if c < len(row) and not is_blank(row[c]))
                self.issue(sheet, self._a1(r, first), None, "row_skipped", "info", why)
                continue
            ref_raw = row[id_col] if id_col is not None and id_col < len(row) else None
            try:
                ref = parse_text(ref_raw)
            except CellProblem:
                ref = None
            i = len(self.result.drafts)
            prov = {"_row": f"{sheet}!{r + 1}"}
            labels: dict[str, str] = {}
            self.flagged.append(set())
            self.result.drafts.append({})
            self.result.provenance.append(prov)
            self.labels.append(labels)
            values = self._read_row(sheet, header, r, row, i, ref, _LEASE_TARGETS.__getitem__, prov, labels)
            draft = self.result.drafts[i]
            self._assemble_lease(draft, values, sheet, r, header, i, ref, prov)
            anchor = self._a1(r, id_col if id_col is not None else 0)
            if not ref and is_blank(ref_raw):
                self.issue(sheet, anchor, "external_id", "required", "error",
                           "the Lease ID is missing; every lease needs one", None, i)
            elif not ref:
                pass  # the unreadable cell was reported by _read_row
            elif ref in index:
                first = self.result.provenance[index[ref]]["_row"].split("!")[1]
                self.issue(sheet, anchor, "external_id", "duplicate_lease_id", "error",
                           f"the Lease ID '{ref}' is also used on row {first}", ref, i)
            else:
                index[ref] = i
        if not self.result.drafts:
            self.issue(sheet, None, None, "no_leases", "warning", "the sheet has a header row but no lease rows")
        return index

    def _assemble_lease(self, draft: dict, values: dict, sheet: str, r: int, header: Header, i: int,
                        ref: str | None, prov: dict[str, str]) -> None:
        stream: dict[str, Any] = {}
        self._amount_currencies(values, values.get("currency"), sheet, r, header, i, ref, prov)
        for path, value in values.items():
            if isinstance(path, tuple) or path == "annual_rent":
                continue
            if value is _FAILED:
                continue
            if path.startswith("payments[]."):
                _put(stream, path[len("payments[]."):], value[0] if isinstance(value, tuple) else value)
            else:
                _put(draft, path, value[0] if isinstance(value, tuple) else value)
        if "classification_override" in draft:
            draft["classification_override"].setdefault("standard", "ASC842")
        annual = values.get("annual_rent")
        has_stream_cells = any(isinstance(p, str) and p.startswith("payments[].") for p in values)
        if has_stream_cells or isinstance(annual, tuple):
            for (_, implied_path), implied in ((p, v) for p, v in values.items() if isinstance(p, tuple)):
                if implied_path not in values:
                    _put(stream, implied_path[len("payments[]."):], implied)
            if isinstance(annual, tuple):
                self._annual_rent(Decimal(annual[0]), stream, draft, sheet, i, ref, prov)
            if "amount" not in stream and "payments[0].amount" not in self.flagged[i]:
                col = header.columns.get("payments[].amount") or header.columns.get("annual_rent")
                cell = self._a1(r, col[0]) if col else None
                if cell:
                    prov["payments[0].amount"] = f"{sheet}!{cell}"
                self.issue(sheet, cell, "payments[0].amount", "required", "error",
                           f"{col[2] if col else 'Payment amount'}: the payment amount is missing", ref, i)
            self._stream_defaults(stream, draft, values, "payments[0]", sheet, r, header, i, ref, prov,
                                  "payments[].")
            draft["payments"] = [stream]

    def _annual_rent(self, annual: Decimal, stream: dict, draft: dict, sheet: str, i: int, ref: str | None,
                     prov: dict[str, str]) -> None:
        """Use or cross-check a "Rent p.a." figure (see ``rent``)."""
        cell = prov["annual_rent"].split("!")[-1]
        periodic = Decimal(stream["amount"]) if "amount" in stream else None
        if periodic is None and "payments[0].amount" in self.flagged[i]:
            return  # the payment cell is unreadable and already reported: nothing to convert or compare
        decision = settle_annual_rent(annual, periodic, stream.get("frequency"), draft.get("currency"),
                                      self.labels[i].get("annual_rent", "Annual rent"))
        for code, severity, message in decision.issues:
            path = "payments[0].frequency" if code == "frequency_required" else "payments[0].amount"
            self.issue(sheet, cell, path, code, severity, message, ref, i)
            if code == "frequency_required":
                self.flagged[i].add("payments[0].amount")  # no amount either, for the same reason
        if decision.amount is not None:
            stream["amount"] = plain(decision.amount)
            prov["payments[0].amount"] = prov["annual_rent"]
            self.labels[i]["payments[0].amount"] = self.labels[i].get("annual_rent", "Annual rent")

    def _stream_defaults(self, stream: dict, draft: dict, values: dict, base: str, sheet: str, r: int,
                         header: Header, i: int, ref: str | None, prov: dict[str, str], prefix: str) -> None:
        for end, lease_field in (("from", "commencement_date"), ("to", "end_date")):
            if end in stream or f"{prefix}{end}" in values:
                continue
            if lease_field in draft:
                stream[end] = draft[lease_field]
                prov[f"{base}.{end}"] = prov.get(lease_field, prov["_row"])
            elif lease_field in self.flagged[i]:
                self.flagged[i].add(f"{base}.{end}")  # its source cell is already reported
        esc = stream.get("escalation")
        if esc and "percent" in esc and "every_months" not in esc \
                and f"{prefix}escalation.every_months" not in values:
            esc["every_months"] = 12
            cell = prov.get(f"{base}.escalation.percent", "").split("!")[-1] or None
            self.issue(sheet, cell, f"{base}.escalation.every_months", "escalation_interval_assumed", "warning",
                       "no escalation interval was given, so the escalation is applied every 12 months", ref, i)
        if "timing" not in stream and f"{prefix}timing" not in values:
            cell = prov.get(f"{base}.amount", "").split("!")[-1] or None
            self.issue(sheet, cell, f"{base}.timing", "timing_assumed", "warning",
                       "no payment timing was given, so the payments are taken as due in advance", ref, i)

    def _amount_currencies(self, values: dict, ccy: Any, sheet: str, r: int, header: Header, i: int,
                           ref: str | None, prov: dict[str, str], path_of: Callable[[str], str] = None) -> None:
        """A symbol or code in an amount ("£45,000", "CHF 12'500") confirms the lease currency, gives it
        when the row has none, and is an error at the amount's cell when it names another. An
        amount with more decimals than its currency has is an error too (see ``amounts``)."""
        path_of = path_of or _lease_target
        row = self.grid.sheets[sheet][r]
        if ccy is _FAILED:
            ccy = None
        for path, value in list(values.items()):
            if not isinstance(value, tuple) or isinstance(path, tuple):
                continue
            c, _, shown = header.columns[path]
            cell = self._a1(r, c)
            named = value[1]
            if named and ccy is None and "currency" not in values:
                ccy = values["currency"] = named
                prov["currency"] = f"{sheet}!{cell}"
                self.labels[i]["currency"] = shown
                self.issue(sheet, cell, "currency", "currency_from_amount", "info",
                           f"{shown}: the row has no currency, so {named} was taken from the amount", ref, i)
            elif named and ccy and named != ccy:
                self.issue(sheet, cell, path_of(path), "currency_mismatch", "error",
                           f"{shown}: the amount is marked {named} but the lease currency is {ccy}", ref, i)
                values[path] = _FAILED
                continue
            if ccy and isinstance(row[c], str):  # a number cell has no decimal mark to have misread
                try:
                    decimals_problem(Decimal(value[0]), ccy)
                except CellProblem as p:
                    self.issue(sheet, cell, path_of(path), p.code, "error", f"{shown}: {p.message}", ref, i)
                    values[path] = _FAILED

    # -- payments sheet

    def _payment_rows(self, sheet: str, header: Header, index: dict[str, int]) -> None:
        rows = self.grid.sheets[sheet]
        ref_col = header.columns.get("lease_ref", (None,))[0]
        for r in range(header.row + 1, len(rows)):
            row = rows[r]
            if all(is_blank(row[c]) for c, _, _ in header.columns.values() if c < len(row)):
                continue
            ref_raw = row[ref_col] if ref_col is not None and ref_col < len(row) else None
            try:
                ref = parse_text(ref_raw)
            except CellProblem as p:
                ref, problem = None, p
            anchor = self._a1(r, ref_col if ref_col is not None else 0)
            if not ref:
                if is_blank(ref_raw):
                    self.issue(sheet, anchor, None, "required", "error",
                               "the Lease ID is missing, so this payment belongs to no lease")
                else:
                    self.issue(sheet, anchor, None, problem.code, "error", f"Lease ID: {problem.message}")
                continue
            if key(ref) in _TOTAL_WORDS:
                continue
            if ref not in index:
                self.issue(sheet, anchor, None, "unknown_lease", "error",
                           f"there is no lease '{ref}' on the Leases sheet", ref)
                continue
            i = index[ref]
            draft = self.result.drafts[i]
            prov = self.result.provenance[i]
            kind = None
            if "kind" in header.columns:
                kc = header.columns["kind"][0]
                kv = row[kc] if kc < len(row) else None
                if isinstance(kv, str):
                    kind = _CHOICES[id(PAYMENT_KINDS)].get(key(kv))
            if kind in ONE_OFF_KINDS:
                n = len(draft.setdefault("other_payments", []))
                base = f"other_payments[{n}]"
                rename = {"from": "date"}
            else:
                n = len(draft.setdefault("payments", []))
                base = f"payments[{n}]"
                rename = {}

            def target(path: str, base=base, rename=rename) -> str:
                return f"{base}.{rename.get(path, path)}"

            values = self._read_row(sheet, header, r, row, i, ref, target, prov, self.labels[i],
                                    skip=("lease_ref",))
            self._amount_currencies(values, draft.get("currency") or "", sheet, r, header, i, ref, prov, target)
            item: dict[str, Any] = {}
            for path, value in values.items():
                if value is _FAILED:
                    continue
                _put(item, rename.get(path, path), value[0] if isinstance(value, tuple) else value)
            if kind in ONE_OFF_KINDS:
                for path in list(values):
                    if isinstance(path, str) and path.split(".")[0] in ("to", "frequency", "timing", "escalation"):
                        item.pop(path.split(".")[0], None)
                        c, _, shown = header.columns[path]
                        self.issue(sheet, self._a1(r, c), None, "value_ignored", "warning",
                                   f"a {kind.replace('_', ' ')} is a single payment, so its '{shown}' was ignored",
                                   ref, i)
                        prov.pop(target(path), None)
                draft["other_payments"].append(item)
            else:
                if "payments[0].amount" in prov and prov["payments[0].amount"].startswith(self._lease_sheet + "!") \
                        and i not in self._warned_both:
                    self._warned_both.add(i)
                    self.issue(sheet, anchor, None, "payments_on_both_sheets", "warning",
                               f"lease '{ref}' has a payment on the Leases sheet and more on this sheet; all of "
                               "them are included, so check none is counted twice", ref, i)
                self._stream_defaults(item, draft, values, base, sheet, r, header, i, ref, prov, "")
                draft["payments"].append(item)

    # -- engine

    def _lease_cells(self, i: int, path: str) -> str | None:
        """``Sheet!D8``: the cell of ``path``'s column on draft ``i``'s Leases row, if it has one."""
        col = self._lease_header.columns.get(path.replace("payments[0].", "payments[]."))
        if col is None or not self.result.provenance[i]["_row"].startswith(self._lease_sheet + "!"):
            return None
        return f"{self._lease_sheet}!{self._a1(int(self.result.provenance[i]['_row'].rsplit('!', 1)[1]) - 1, col[0])}"

    def _engine_check(self, i: int, draft: dict) -> None:
        try:
            parse_lease(draft)
        except InvalidLeaseInput as exc:
            prov = self.result.provenance[i]
            labels = self.labels[i]
            ref = draft.get("external_id")
            for e in exc.details["errors"]:
                path = e["field"]
                if any(path == f or path.startswith(f + ".") for f in self.flagged[i]):
                    continue  # the cell itself was already reported
                cell_ref = _nearest(prov, path, self._lease_cells(i, path))
                sheet, _, cell = cell_ref.partition("!")
                if cell.isdigit():
                    cell = None  # only the row is known
                self.issue(sheet, cell, path, e["code"], "error", _engine_message(e, labels, path), ref, i)


_FAILED = object()  # a cell that had a value which could not be read (already reported)


def _lease_target(path: str) -> str:
    return path.replace("payments[].", "payments[0].")


_LEASE_TARGETS = {c.path: _lease_target(c.path) for c in LEASE_COLUMNS + LEASE_ALIASES}


def _put(d: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = value


def _nearest(prov: dict[str, str], path: str, own_cell: str | None = None) -> str:
    """The cell of ``path`` or of its closest parent; else the (blank) cell of its column on
    the lease's row; the lease's Lease ID or row otherwise."""
    p = path
    while p:
        if p in prov:
            return prov[p]
        cut = max(p.rfind("."), p.rfind("["))
        p = p[:cut] if cut > 0 else ""
    return own_cell or prov.get("external_id", prov["_row"])


_FIELD_WORDS = {
    "external_id": "Lease ID", "currency": "Currency", "commencement_date": "Commencement date",
    "end_date": "End date", "discount_rate": "Discount rate",
}


def _engine_message(e: dict, labels: dict[str, str], path: str) -> str:
    label = labels.get(path) or _FIELD_WORDS.get(path) or path
    code = e["code"]
    if code == "required":
        return f"{label} is required"
    if code == "end_before_commencement":
        return "the end date is before the commencement date"
    if code == "stream_end_before_start":
        return "the last payment date is before the first payment date"
    if code == "rate_out_of_range":
        return "the discount rate must be between 0% and 100% a year (e.g. 5%)"
    if code == "negative_amount":
        return f"{label} must not be negative"
    if code == "incentive_must_be_negative":
        return "an incentive receivable reduces the payments: give it as a negative amount"
    return e["message"].replace(path, label)
