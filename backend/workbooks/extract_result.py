"""What an extraction returns, and the small helpers the sheet readers share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .columns import LEASE_ALIASES, LEASE_COLUMNS

__all__ = ["FAILED", "ExtractResult", "LEASE_TARGETS", "engine_message", "lease_target", "nearest", "put"]


@dataclass
class ExtractResult:
    """``drafts[i]`` is an engine input dict; ``provenance[i]`` maps its field paths
    (``"payments[1].amount"``) to cells (``"Payments!E3"``), plus ``"_row"`` → ``"Leases!7"``;
    ``issues`` are ``{sheet, cell, field, code, severity, message, lease_ref, draft_index}``
    (``cell``/``field``/``draft_index`` None for sheet-level issues; ``severity`` is error,
    warning or info; entity issues also carry ``suggestions``). Cells are ``B7`` in a
    workbook and ``7:2`` (row:column) in a CSV file."""

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


FAILED = object()  # a cell that had a value which could not be read (already reported)


def lease_target(path: str) -> str:
    return path.replace("payments[].", "payments[0].")


LEASE_TARGETS = {c.path: lease_target(c.path) for c in LEASE_COLUMNS + LEASE_ALIASES}


def put(d: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = value


def nearest(prov: dict[str, str], path: str, own_cell: str | None = None) -> str:
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


def engine_message(e: dict, labels: dict[str, str], path: str) -> str:
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

