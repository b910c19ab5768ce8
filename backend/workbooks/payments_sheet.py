"""The Payments sheet: further payment streams and one-off payments, keyed by Lease ID.

Part of the sheet extraction (``leases_sheet._Extraction``), on top of ``CellReader`` and
``LeaseRows`` (it reuses their cell reading, currency checks and stream defaults).
"""

from __future__ import annotations

from typing import Any

from .cell_reader import CHOICES
from .columns import ONE_OFF_KINDS, PAYMENT_KINDS
from .lease_rows import LeaseRows
from .extract_result import FAILED, put
from .headers import Header
from .values import CellProblem, is_blank, key, parse_text

__all__ = ["PaymentRows"]

_TOTAL_WORDS = {"total", "totals", "sum", "subtotal", "grandtotal"}


class PaymentRows(LeaseRows):
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
                    kind = CHOICES[id(PAYMENT_KINDS)].get(key(kv))
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
                if value is FAILED:
                    continue
                assert isinstance(path, str)  # no Payments column implies a value (only Leases aliases do)
                put(item, rename.get(path, path), value[0] if isinstance(value, tuple) else value)
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

