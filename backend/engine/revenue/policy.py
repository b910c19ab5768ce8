"""Entity revenue policy (the policy snapshot recorded on every run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .contract import InvalidRevenueInput

STANDARDS = ("IFRS15", "ASC606")
RATABLE_CONVENTIONS = ("daily", "monthly")
# RPO expedients: 50-14(a) / ¶121(a), 50-14(b) / ¶121(b), and the ASC-only 50-14A VC exemption.
RPO_EXPEDIENTS = ("one_year_or_less", "right_to_invoice", "variable_consideration_allocated")
ASC_ONLY_RPO_EXPEDIENTS = ("variable_consideration_allocated",)


@dataclass(frozen=True)
class RevenuePolicy:
    """- ``ratable_convention``: ``daily`` = equal amount per calendar day of the service period;
      ``monthly`` = equal amount per calendar month from the start month, the partial last month cut
      off (Stripe's "by month evenly").
    - ``financing_expedient``: no financing adjustment when every payment is within one year of
      transfer (32-18; IFRS 15.63).
    - ``costs_to_obtain_expedient``: expense costs to obtain whose amortisation period is ≤ 1 year
      (340-40-25-4; IFRS 15.94).
    - ``rpo_expedients``: which of ``RPO_EXPEDIENTS`` are elected; an ASC-only one is applied in the
      ASC 606 book only and flagged as a divergence.
    """

    enabled_standards: tuple[str, ...] = STANDARDS
    ratable_convention: str = "daily"
    financing_expedient: bool = True
    costs_to_obtain_expedient: bool = True
    rpo_expedients: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"enabled_standards": list(self.enabled_standards), "ratable_convention": self.ratable_convention,
                "financing_expedient": self.financing_expedient,
                "costs_to_obtain_expedient": self.costs_to_obtain_expedient,
                "rpo_expedients": list(self.rpo_expedients)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "RevenuePolicy":
        """Missing keys take the defaults; raises ``InvalidRevenueInput`` (fields ``policy.…``)."""
        data = dict(data or {})
        errs: list[dict[str, str]] = []
        kw: dict[str, Any] = {}

        def bad(f: str, msg: str) -> None:
            errs.append({"field": f"policy.{f}", "code": "invalid_choice", "message": msg})

        if data.get("enabled_standards") is not None:
            st = data["enabled_standards"]
            st = (st,) if isinstance(st, str) else tuple(st)
            if not st or any(s not in STANDARDS for s in st):
                bad("enabled_standards", "standards must be IFRS15 and/or ASC606.")
            else:
                kw["enabled_standards"] = tuple(s for s in STANDARDS if s in st)
        if data.get("ratable_convention") is not None:
            if data["ratable_convention"] not in RATABLE_CONVENTIONS:
                bad("ratable_convention", "ratable_convention must be daily or monthly.")
            else:
                kw["ratable_convention"] = data["ratable_convention"]
        for key in ("financing_expedient", "costs_to_obtain_expedient"):
            if data.get(key) is not None:
                if not isinstance(data[key], bool):
                    bad(key, f"{key} must be true or false.")
                else:
                    kw[key] = data[key]
        if data.get("rpo_expedients") is not None:
            ex = data["rpo_expedients"]
            ex = (ex,) if isinstance(ex, str) else tuple(ex)
            if any(e not in RPO_EXPEDIENTS for e in ex):
                bad("rpo_expedients", f"rpo_expedients are among {', '.join(RPO_EXPEDIENTS)}.")
            else:
                kw["rpo_expedients"] = tuple(e for e in RPO_EXPEDIENTS if e in ex)
        if errs:
            raise InvalidRevenueInput(errs)
        return cls(**kw)
