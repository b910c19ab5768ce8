"""A workbook in memory that speaks the add-in's wire format both ways.

``payload()`` builds the book JSON our task pane sends (values from A1, date cells as ISO
strings, ``""`` for blanks, error cells as their text, the required empty lists); ``apply()``
carries out returned actions with the same meaning ``addin/taskpane.js`` gives them. Tests can
chain requests as an accountant would: extract → confirm → pull schedule, on one workbook.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    colors: dict[tuple[int, int], str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    bold: set[tuple[int, int]] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    tables: dict[str, dict] = field(default_factory=dict)
    frozen_rows: int = 0

    @property
    def size(self) -> tuple[int, int]:
        if not self.cells:
            return 0, 0
        return max(r for r, _ in self.cells) + 1, max(c for _, c in self.cells) + 1

    def values(self) -> list[list[Any]]:
        rows, cols = self.size
        return [[self.cells.get((r, c)) for c in range(cols)] for r in range(rows)]

    def get(self, address: str) -> Any:
        return self.cells.get(cell_index(address))


def cell_index(address: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", address.split("!")[-1])
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _wire(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, date):
        return f"{v.isoformat()}T00:00:00.000Z"
    return v


class FakeWorkbook:
    def __init__(self, sheets: list[Sheet], active: int = 0, selection: str = "A1", notes_supported: bool = True):
        self.sheets = sheets
        self.active = active
        self.selection = selection
        self.notes_supported = notes_supported
        self.applied: list[str] = []

    @classmethod
    def from_xlsx(cls, data: bytes, **kw) -> "FakeWorkbook":
        wb = load_workbook(io.BytesIO(data))
        sheets = []
        for ws in wb.worksheets:
            sh = Sheet(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if c.value is not None:
                        sh.cells[(c.row - 1, c.column - 1)] = c.value
            sheets.append(sh)
        return cls(sheets, **kw)

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    def set(self, sheet: str, address: str, value: Any) -> None:
        self.sheet(sheet).cells[cell_index(address)] = value

    def select(self, sheet: str, selection: str) -> None:
        self.active = [s.name for s in self.sheets].index(sheet)
        self.selection = selection

    def payload(self, only: set[str] | None = None, args: dict | None = None) -> dict:
        out = []
        for s in self.sheets:
            send = only is None or s.name in only
            out.append({"name": s.name, "values": [[_wire(v) for v in row] for row in s.values()] if send else [[]],
                        "tables": [], "pictures": [], "charts": [], "shapes": [], "pivot_tables": [],
                        "notes": ([{"address": a, "text": t} for a, t in s.notes.items()]
                                  if self.notes_supported and send else None)})
        return {"client": "Office.js", "version": "ledger-layer-addin/1",
                "book": {"name": "Leases.xlsx", "active_sheet_index": self.active, "selection": self.selection},
                "names": [], "sheets": out, "args": args or {}}

    # ------------------------------------------------------------ actions
    def apply(self, actions: list[dict]) -> None:
        for a in actions:
            getattr(self, "_" + a["func"])(a)
            self.applied.append(a["func"])

    def _range(self, a):
        s = self.sheets[a["sheet_position"]]
        return s, [(a["start_row"] + r, a["start_column"] + c)
                   for r in range(a["row_count"]) for c in range(a["column_count"])]

    def _setValues(self, a):
        s = self.sheets[a["sheet_position"]]
        for r, row in enumerate(a["values"]):
            for c, v in enumerate(row):
                key = (a["start_row"] + r, a["start_column"] + c)
                if v in ("", None):
                    s.cells.pop(key, None)
                else:
                    s.cells[key] = v

    def _setNumberFormat(self, a):
        s, cells = self._range(a)
        for k in cells:
            s.formats[k] = a["args"][0]

    def _setFontProperty(self, a):
        s, cells = self._range(a)
        if a["args"][0] == "bold" and a["args"][1]:
            s.bold.update(cells)

    def _setRangeColor(self, a):
        s, cells = self._range(a)
        for k in cells:
            if a["args"][0]:
                s.colors[k] = a["args"][0]
            else:
                s.colors.pop(k, None)

    def _setColumnHidden(self, a):
        s, cells = self._range(a)
        s.hidden_columns.update(c for _, c in cells)

    def _setWrapText(self, a):
        pass

    def _setAutofit(self, a):
        pass

    def _addNote(self, a):
        self.sheets[a["sheet_position"]].notes[a["args"][0]] = a["args"][1]

    def _deleteNote(self, a):
        self.sheets[a["sheet_position"]].notes.pop(a["args"][0], None)

    def _addSheet(self, a):
        name = a["args"][1]
        assert name not in [s.name for s in self.sheets], f"duplicate sheet {name}"
        self.sheets.insert(int(a["args"][0]), Sheet(name))

    def _sheetDelete(self, a):
        del self.sheets[a["sheet_position"]]

    def _sheetClear(self, a):
        name = self.sheets[a["sheet_position"]].name
        self.sheets[a["sheet_position"]] = Sheet(name)

    def _activateSheet(self, a):
        self.active = int(a["args"][0])

    def _freezePaneAtRange(self, a):
        self.sheets[a["sheet_position"]].frozen_rows = cell_index(a["args"][0])[0]

    def _addTable(self, a):
        s = self.sheets[a["sheet_position"]]
        names = {t for sh in self.sheets for t in sh.tables}
        assert a["args"][3] not in names, "table names must be unique in a workbook"
        s.tables[a["args"][3]] = {"range": a["args"][0], "style": a["args"][2], "totals": None}

    def _setTableTotals(self, a):
        name, label, columns = a["args"]
        self.sheets[a["sheet_position"]].tables[name]["totals"] = {"label": label, "columns": columns}
