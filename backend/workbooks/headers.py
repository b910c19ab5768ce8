"""Finding a sheet's header row and mapping its cells to template columns.

The header is looked for in the first rows (title rows and notes above it are common):
the row that names the most known columns wins. Two different rows naming as many known
columns each is a tie: ``Header.tied`` lists the other rows and the extractor reports it
rather than guessing (a header repeated lower down, same columns in the same places, is
not a tie: it is the same header, and its repeats are skipped as rows). A two-row header (a merged group label
such as "Payment" above "Amount" / "Frequency") is read by trying "group + label" before
the label alone; an empty header cell under a vertically merged label takes the label
from the row above.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .columns import Column
from .values import key

HEADER_SCAN_ROWS = 30


@dataclass
class Header:
    row: int                                   # 0-based index of the header row
    columns: dict[str, tuple[int, Column, str]] = field(default_factory=dict)  # path → (col, spec, shown)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)  # (col, shown, path)
    tied: list[int] = field(default_factory=list)  # other rows that score as well with other columns

    @property
    def score(self) -> int:
        return len(self.columns)


def lookup_for(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Normalised header text → column; earlier columns win a shared key."""
    out: dict[str, Column] = {}
    for col in columns:
        for k in col.keys:
            out.setdefault(k, col)
    return out


def _text(v: Any) -> str:
    if isinstance(v, str):
        return " ".join(v.split())
    return ""


def _read_row(rows: list[list[Any]], r: int, lookup: dict[str, Column]) -> Header:
    h = Header(row=r)
    row = rows[r]
    above = rows[r - 1] if r > 0 else []
    for c, v in enumerate(row):
        shown = _text(v)
        group = _text(above[c]) if c < len(above) else ""
        if not shown:
            if not group:
                continue
            shown = group  # a label merged down over two header rows (no merge info in the grid)
        spec = None
        if group and group != shown:
            spec = lookup.get(key(group) + key(shown))
            if spec is not None:
                shown = f"{group} {shown}"
        spec = spec or lookup.get(key(shown))
        if spec is None:
            h.unknown.append((c, shown))
        elif spec.path in h.columns:
            h.duplicates.append((c, shown, spec.path))
        else:
            h.columns[spec.path] = (c, spec, shown)
    return h


def find_header(rows: list[list[Any]], lookup: dict[str, Column]) -> Header | None:
    """The best header row among the first ``HEADER_SCAN_ROWS`` rows, or None when no row
    names at least two known columns."""
    best: Header | None = None
    for r in range(min(len(rows), HEADER_SCAN_ROWS)):
        if not any(isinstance(v, str) for v in rows[r]):
            continue
        h = _read_row(rows, r, lookup)
        if best is None or h.score > best.score:
            best = h
        elif h.score == best.score and _layout(h) != _layout(best) and h.row not in best.tied:
            best.tied.append(h.row)
    if best is None or best.score < 2:
        return None
    return best


def _layout(h: Header) -> set[tuple[str, int]]:
    return {(path, c) for path, (c, _, _) in h.columns.items()}
