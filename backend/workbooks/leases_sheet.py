"""Lease extraction from a grid: one lease per row on "Leases", optional extra payment
streams on "Payments", every value with its cell, every problem as an issue on a cell.

Each draft is an engine input dict (``parse_lease``'s field names; money, rates and dates
as strings). Drafts are produced even when they have errors, so the reviewer can fix them;
the engine's own field errors are mapped back to the cells they came from.

The work is split by what it reads: ``cell_reader`` (one row's cells, with the column's
notation decided first), ``lease_rows`` (which rows are leases; a row's values into a
draft: rent per year, currencies named in amounts), ``payments_sheet`` (further streams
and one-off payments). This module picks the sheets and header rows (hidden columns out,
a tied header refused) and runs the engine's check on every draft.
"""

from __future__ import annotations

from backend.engine.errors import InvalidLeaseInput
from backend.engine.leases import parse_lease

from .columns import LEASE_ALIASES, LEASE_COLUMNS, LEASE_SHEET_NAMES, PAYMENT_COLUMNS, PAYMENT_SHEET_NAMES, Column
from .extract_result import ExtractResult, engine_message, nearest
from .grid import Grid, read_xlsx
from .headers import Header, find_header, lookup_for
from .payments_sheet import PaymentRows
from .preflight import DEFAULT_LIMITS, Limits
from .values import ReadOptions, date_order_evidence, key, options_for_locale

__all__ = ["ExtractResult", "extract_grid", "extract_workbook"]

_LEASE_LOOKUP = lookup_for(LEASE_COLUMNS + LEASE_ALIASES)
_PAYMENT_LOOKUP = lookup_for(PAYMENT_COLUMNS)


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


class _Extraction(PaymentRows):
    """One extraction: picks the sheets and their headers, reads the rows (``PaymentRows`` on
    ``LeaseRows`` on ``CellReader``), then
    checks every draft with the engine and maps its errors back to cells."""

    def __init__(self, grid: Grid, opts: ReadOptions) -> None:
        self.grid = grid
        self.opts = opts
        self.result = ExtractResult()
        self.labels: list[dict[str, str]] = []     # per draft: path → header text, for messages
        self.flagged: list[set[str]] = []          # per draft: paths that already have an error
        self._warned_both: set[int] = set()
        self._column_cache: dict[tuple[str, int], list] = {}
        self._lease_sheet = ""

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
                cell_ref = nearest(prov, path, self._lease_cells(i, path))
                sheet, _, address = cell_ref.partition("!")
                cell = None if address.isdigit() else address  # a bare number: only the row is known
                self.issue(sheet, cell, path, e["code"], "error", engine_message(e, labels, path), ref, i)


