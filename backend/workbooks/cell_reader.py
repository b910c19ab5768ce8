"""Reading one row's recognised cells: addresses, issues, value parsers, column notations.

The base of the sheet extraction (``leases_sheet._Extraction``, through ``LeaseRows`` and
``PaymentRows``): it declares the state that class sets up in its ``__init__`` (``grid``,
``opts``, ``result``, ``labels``, ``flagged``, ``_warned_both``, ``_column_cache``,
``_lease_sheet``), so every part of the extraction is type-checked against it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from .amounts import ColumnNotation, column_notation, parse_money, sign_problem
from .columns import (CLASSIFICATIONS, FREQUENCIES, PAYMENT_KINDS, RATE_CONVENTIONS, STANDARDS, TIMINGS, Column,
                      choice_lookup)
from .extract_result import FAILED, ExtractResult
from .grid import Grid, a1, col_letters
from .headers import Header
from .rates import RateNotation, check_rate_fits, rate_notation
from .values import (CellProblem, ReadOptions, key, parse_bool, parse_date, parse_int, parse_percent, parse_text,
                     plain)

__all__ = ["CHOICES", "CellReader"]

CHOICES = {id(d): choice_lookup(d) for d in (FREQUENCIES, TIMINGS, PAYMENT_KINDS, RATE_CONVENTIONS,
                                             CLASSIFICATIONS, STANDARDS)}
_RATE_HIGH = Decimal("0.25")  # a plain 0.25 or more may be a percentage typed without its % sign


class CellReader:
    # The extraction's state, set by ``_Extraction.__init__`` (declared here, not assigned).
    grid: Grid
    opts: ReadOptions
    result: ExtractResult
    labels: list[dict[str, str]]            # per draft: path → header text, for messages
    flagged: list[set[str]]                 # per draft: paths that already have an error
    _warned_both: set[int]
    _column_cache: dict[tuple[str, int], list]
    _lease_sheet: str

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
            assert spec.choices is not None  # a choice column names its choices
            got = CHOICES[id(spec.choices)].get(key(text))
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
                  prov: dict[str, str], labels: dict[str, str],
                  skip: tuple[str, ...] = ()) -> dict[str | tuple[str, str], Any]:
        """Parse every recognised cell of one row: ``{column path: value}``, and a column's
        implied values as ``{("implied", path): value}``."""
        out: dict[str | tuple[str, str], Any] = {}
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
                out[path] = FAILED
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
                notation: ColumnNotation | RateNotation | None = None
                if spec.kind == "money":
                    def where(r: int, c: int = c) -> str:
                        return f"{sheet}!{self._a1(r, c)}"
                    notation = column_notation(cells, where)
                elif spec.kind in ("percent", "escalation"):
                    notation = rate_notation(v for _, v in cells)
                cols.append((path, c, spec, shown, pre, post, notation))
            self._column_cache[key_] = cols
        return cols

