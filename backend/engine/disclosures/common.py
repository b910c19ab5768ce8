"""What every pack shares: the reporting window, sections with narrative slots, checks, JSON.

A pack is plain data: ``{entity, period, standard|scope, currency, window, sections: [...],
checks: [...]}``. Each section is ``{id, title, table: {columns, rows}, narrative: {generated,
override, final}}``; money is a string on the currency's minor unit. ``to_json`` is byte-stable
(sorted keys, no whitespace), so a stored pack re-renders to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..calendar import period_end
from ..errors import EngineError
from ..money import quantize

Json = dict[str, Any]

ZERO = Decimal(0)


def month_index(period: str) -> int:
    """``YYYY-MM`` as a month ordinal (year × 12 + month − 1)."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def period_of_index(n: int) -> str:
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


@dataclass(frozen=True)
class Window:
    """The months a pack covers: one month (``2026-12``) or a fiscal year (``FY2026``/``2026``)."""

    label: str
    first: str
    last: str

    @property
    def start_index(self) -> int:
        return month_index(self.first)

    @property
    def end_index(self) -> int:
        return month_index(self.last)

    @property
    def end_date(self) -> date:
        return period_end(self.last)

    @property
    def months(self) -> int:
        return self.end_index - self.start_index + 1

    def to_dict(self) -> Json:
        return {"label": self.label, "first_period": self.first, "last_period": self.last,
                "end_date": self.end_date.isoformat()}


def parse_window(period: str, fiscal_year_end: str = "12-31") -> Window:
    """``YYYY-MM`` is one month; ``YYYY`` or ``FYYYYY`` is the fiscal year ending in that year
    (``fiscal_year_end`` is ``MM-DD``; the months end at the fiscal year-end month)."""
    p = (period or "").strip().upper()
    try:
        if len(p) == 7 and p[4] == "-":
            month_index(p)
            if not 1 <= int(p[5:]) <= 12:
                raise ValueError(p)
            return Window(p, p, p)
        year = int(p.removeprefix("FY"))
        end_month = int(fiscal_year_end[:2])
        if not (1900 < year < 3000 and 1 <= end_month <= 12):
            raise ValueError(p)
    except (ValueError, IndexError):
        raise EngineError("invalid_period", f"period {period!r} is YYYY-MM (a month) or YYYY / FYYYYY (a fiscal "
                          "year).", field="period") from None
    last = year * 12 + end_month - 1
    return Window(f"FY{year}", period_of_index(last - 11), period_of_index(last))


def money(v: Decimal | None, currency: str) -> str | None:
    return None if v is None else str(quantize(v, currency))


def column(key: str, label: str, kind: str = "money") -> Json:
    """A table column: ``kind`` is money | text | number | percent | years."""
    return {"key": key, "label": label, "type": kind}


def section(sid: str, title: str, columns: list[Json], rows: list[Json], generated: str, *,
            reference: str = "", chart: Mapping[str, Any] | None = None) -> Json:
    """A note: its table, its generated narrative (the override slot is filled by ``apply_overrides``)
    and optionally the chart the XLSX draws (``{type, category, values: [column keys]}``)."""
    out: Json = {"id": sid, "title": title, "reference": reference, "table": {"columns": columns, "rows": rows},
           "narrative": {"generated": generated, "override": None, "final": generated}}
    if chart:
        out["chart"] = dict(chart)
    return out


def check(name: str, expected: Any, actual: Any, *, source: str = "", section: str = "",
          detail: str = "", currency: str | None = None) -> Json:
    """``expected`` is what the books or schedules say, ``actual`` what the pack shows; money compared
    exactly (a pack never silently disagrees with the books)."""
    if currency and isinstance(expected, Decimal):
        expected = quantize(expected, currency)
    if currency and isinstance(actual, Decimal):
        actual = quantize(actual, currency)
    ok = expected == actual
    return {"name": name, "ok": ok, "expected": _s(expected), "actual": _s(actual), "source": source,
            "section": section, "detail": detail}


def _s(v: Any) -> Any:
    return str(v) if isinstance(v, Decimal) else v


def apply_overrides(pack: Json, overrides: Mapping[str, Mapping[str, Any]] | None) -> Json:
    """The pack with auditor narratives applied (no engine re-run): for each section id in
    ``overrides`` (``{text, version, created_by, reason, created_at}``), ``narrative.override``
    is the override and ``narrative.final`` its text; other sections keep the generated text.
    A copy is returned; the input is untouched."""
    out: Json = {**pack, "sections": []}
    overrides = overrides or {}
    for sec in pack["sections"]:
        nar = dict(sec["narrative"])
        ov = overrides.get(sec["id"])
        if ov is not None and ov.get("text") is not None:
            nar["override"] = {k: _s(ov.get(k)) for k in ("text", "version", "created_by", "reason", "created_at")
                               if ov.get(k) is not None}
            nar["final"] = ov["text"]
        else:
            nar["override"] = None
            nar["final"] = nar["generated"]
        out["sections"].append({**sec, "narrative": nar})
    out["narratives_overridden"] = sorted(s["id"] for s in out["sections"] if s["narrative"]["override"])
    return out


def section_ids(pack: Mapping[str, Any]) -> list[str]:
    return [s["id"] for s in pack["sections"]]


def failing(checks: Iterable[Mapping[str, Any]]) -> list[Json]:
    return [dict(c) for c in checks if not c["ok"]]


def to_json(pack: Mapping[str, Any]) -> str:
    """Byte-stable JSON (sorted keys, no whitespace, UTF-8 text)."""
    return json.dumps(pack, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_s)


def fmt(v: Decimal, currency: str) -> str:
    """Money for narrative text: thousands separators, minor unit, the currency code in front."""
    q = quantize(v, currency)
    return f"{currency} {q:,}"
