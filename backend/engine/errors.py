"""Engine errors with stable rule codes the API maps to 400/422 responses."""

from __future__ import annotations

from typing import Any, Mapping


class EngineError(Exception):
    """A rule the engine refuses to break.

    Attributes:
        code: stable snake_case rule code (e.g. ``end_before_commencement``).
        message: plain words for an accountant.
        field: dotted input path such as ``payments[0].amount``, or None.
        details: extra structured data (JSON-friendly).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "message", "field", "details"}``: what a failed run records and shows
        (pair it with ``fingerprint.inputs_hash`` of the inputs to retry the same run)."""
        return {"code": self.code, "message": self.message, "field": self.field, "details": dict(self.details)}

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, field={self.field!r})"


class InvalidLeaseInput(EngineError):
    """All field problems of one input at once.

    ``details["errors"]`` is a list of ``{"field", "code", "message"}`` dicts.
    """

    def __init__(self, errors: list[dict[str, str]]) -> None:
        n = len(errors)
        super().__init__(
            "invalid_lease_input",
            f"The lease has {n} input problem{'s' if n != 1 else ''}.",
            field=None,
            details={"errors": list(errors)},
        )
        self.errors = list(errors)
