"""The Leases sheet's rows: which rows are leases, and each row's values assembled into a draft
(its inline payment stream, a rent per year, currencies named in amounts, defaults).

Part of the sheet extraction (``leases_sheet._Extraction``), on top of ``CellReader``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from .amounts import decimals_problem, symbol_fits
from .cell_reader import CellReader
from .extract_result import FAILED, LEASE_TARGETS, lease_target, put
from .headers import Header
from .rent import settle_annual_rent
from .row_kinds import skip_reason
from .values import CellProblem, is_blank, key, parse_text, plain

__all__ = ["LeaseRows"]


class LeaseRows(CellReader):
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
            values = self._read_row(sheet, header, r, row, i, ref, LEASE_TARGETS.__getitem__, prov, labels)
            draft = self.result.drafts[i]
            self._assemble_lease(draft, values, sheet, r, header, i, ref, prov)
            anchor = self._a1(r, id_col if id_col is not None else 0)
            if not ref and is_blank(ref_raw):
                self.issue(sheet, anchor, "external_id", "required", "error",
                           "the Lease ID is missing; every lease needs one", None, i)
            elif not ref:
                pass  # the unreadable cell was reported by _read_row
            elif ref in index:
                first_row = self.result.provenance[index[ref]]["_row"].split("!")[1]
                self.issue(sheet, anchor, "external_id", "duplicate_lease_id", "error",
                           f"the Lease ID '{ref}' is also used on row {first_row}", ref, i)
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
            if value is FAILED:
                continue
            if path.startswith("payments[]."):
                put(stream, path[len("payments[]."):], value[0] if isinstance(value, tuple) else value)
            else:
                put(draft, path, value[0] if isinstance(value, tuple) else value)
        if "classification_override" in draft:
            draft["classification_override"].setdefault("standard", "ASC842")
        annual = values.get("annual_rent")
        has_stream_cells = any(isinstance(p, str) and p.startswith("payments[].") for p in values)
        if has_stream_cells or isinstance(annual, tuple):
            for (_, implied_path), implied in ((p, v) for p, v in values.items() if isinstance(p, tuple)):
                if implied_path not in values:
                    put(stream, implied_path[len("payments[]."):], implied)
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
                           ref: str | None, prov: dict[str, str], path_of: Callable[[str], str] | None = None) -> None:
        """A symbol or code in an amount ("£45,000", "CHF 12'500") confirms the lease currency, gives it
        when the row has none, and is an error at the amount's cell when it names another. An
        amount with more decimals than its currency has is an error too (see ``amounts``)."""
        if path_of is None:
            path_of = lease_target
        row = self.grid.sheets[sheet][r]
        if ccy is FAILED:
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
            elif named and ccy and named != ccy and not symbol_fits(row[c], ccy):
                self.issue(sheet, cell, path_of(path), "currency_mismatch", "error",
                           f"{shown}: the amount is marked {named} but the lease currency is {ccy}", ref, i)
                values[path] = FAILED
                continue
            if ccy and isinstance(row[c], str):  # a number cell has no decimal mark to have misread
                try:
                    decimals_problem(Decimal(value[0]), ccy)
                except CellProblem as p:
                    self.issue(sheet, cell, path_of(path), p.code, "error", f"{shown}: {p.message}", ref, i)
                    values[path] = FAILED

