"""Rows under the header that are not leases: totals, group headings, repeated headers.

Registers kept by hand group leases under headings ("Warehouses — North", often merged
across the row, which the grid fills into every cell of the merge), end groups with
"Total" rows and repeat the header after a page break. None of these may become a lease;
each is skipped with an info issue at its first cell, so the reviewer can see what was
passed over. Blank spacer rows are skipped silently.

A heading is recognised by shape, not by words: the row holds one text and nothing else
(merged or not). A total by its label: the first text of the row is "Total", "Subtotal",
"Sum" or "Grand total" (alone or followed by a name, "Total North"), and the row has no
other Lease ID, so a lease described as "Total Energies depot" with an ID stays a lease.
"""

from __future__ import annotations

import re
from typing import Any

from .values import is_blank, key

__all__ = ["skip_reason"]

_TOTAL_RE = re.compile(r"^\s*(grand\s+total|sub-?\s*totals?|totals?|sum)\b", re.I)


def _text(v: Any) -> str | None:
    return " ".join(v.split()) if isinstance(v, str) and v.strip() else None


def skip_reason(row: list[Any], cols: list[int], id_col: int | None, header_keys: dict[int, str]) -> str | None:
    """Why the row is not a lease (a message fragment), or None when it should be read.
    ``cols`` are the recognised columns; ``header_keys`` their normalised header texts."""
    n = len(row)
    ident = row[id_col] if id_col is not None and id_col < n else None
    if type(ident) is str and id_col is not None and not _TOTAL_RE.match(ident) \
            and key(ident) != header_keys.get(id_col):
        # The common case, kept cheap (10,000 rows): an ID and some other value is a lease.
        for c in cols:
            if c != id_col and c < n and row[c] is not None and row[c] != ident:
                return None
    filled = [(c, row[c]) for c in cols if c < n and not is_blank(row[c])]
    if not filled:
        return None  # blank rows are skipped by the caller without an issue
    texts = [(c, t) for c, v in filled if (t := _text(v))]
    id_value = _text(row[id_col]) if id_col is not None and id_col < n else None
    if texts:
        first = min(texts)[1]
        if _TOTAL_RE.match(first) and (id_value is None or id_value == first):
            return f"the row labelled '{first}' looks like a total, so it was not read as a lease"
    same_as_header = sum(1 for c, v in texts if header_keys.get(c) == key(v))
    if same_as_header >= 2 and same_as_header == len(filled):
        return "the row repeats the header, so it was not read as a lease"
    if len(texts) == len(filled) and len({key(t) for _, t in texts}) == 1:
        return f"the row holds only '{texts[0][1]}', which reads as a group heading, so it was not read as a lease"
    return None
