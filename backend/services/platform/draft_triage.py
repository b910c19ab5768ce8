"""Sorting drafts for a person's attention, the same way for every subledger: drafts with errors
(they cannot be confirmed), drafts with warnings only, and drafts left unconfirmed too long."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


def issue_codes(issues: list[dict] | None, severity: str) -> list[str]:
    return sorted({str(i.get("code")) for i in issues or [] if i.get("severity") == severity})


@dataclass
class DraftTriage:
    stale_before: datetime
    with_errors: list[dict] = field(default_factory=list)
    with_warnings: list[dict] = field(default_factory=list)
    unconfirmed: list[dict] = field(default_factory=list)

    def add(self, item: dict, issues: list[dict] | None, created_at: datetime) -> list[str]:
        """File one draft (``item`` names it); returns its error codes."""
        errors, warnings = issue_codes(issues, "error"), issue_codes(issues, "warning")
        if errors:
            self.with_errors.append({**item, "error_codes": errors})
        elif warnings:
            self.with_warnings.append({**item, "warning_codes": warnings})
        if created_at <= self.stale_before:
            self.unconfirmed.append({**item, "created_at": created_at, "blocked": bool(errors)})
        return errors
