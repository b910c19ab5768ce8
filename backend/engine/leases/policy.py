"""Entity lease-accounting policy: elections, thresholds and conventions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from ..errors import InvalidLeaseInput
from ..money import D
from .terms import RATE_CONVENTIONS, STANDARDS

CURRENT_PORTION_METHODS = ("principal_next_12_months",)
INTEREST_CONVENTIONS = ("periodic", "actual_days")
DEPRECIATION_CONVENTIONS = ("calendar_month", "daily")
ALL = "*"


def _classes(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    return tuple(sorted(str(x) for x in v))


@dataclass(frozen=True)
class LeasePolicy:
    """Policy of one entity (defaults are the product's recommended settings).

    - ``short_term_classes`` / ``low_value_classes``: asset classes for which the
      exemption is elected; ``"*"`` means every class, ``()`` none.
    - ``low_value_threshold``: value of the asset when new, in the entity's
      currency-equivalent (IFRS 16.B3-B8; IASB BC100 had about US$5,000 in mind).
    - ``asc_major_part_threshold`` / ``asc_substantially_all_threshold``: the
      75 % / 90 % practice bright lines for ASC 842-10-25-2(c)/(d).
    - ``current_portion_method``: ``principal_next_12_months`` = closing liability
      minus the scheduled liability 12 months later (never below 0).
    - ``interest_convention``: ``periodic`` (default) treats each payment period as one
      compounding period of equal length and, when a payment period spans several
      calendar months, accrues it month by month at the monthly equivalent rate
      (compounding inside the period, so the months add up to the period's interest);
      ``actual_days`` accrues each payment period's interest to months by days.
    - ``depreciation_convention``: ``calendar_month`` (default) gives every full calendar
      month of the term an equal share of straight-line depreciation (and of the ASC 842
      operating / exempt straight-line cost), partial first and last months a share by
      days; ``daily`` spreads each lease month over its days.
    - ``asc_restoration_in_rou``: whether ASC 842 books capitalise restoration
      costs into the ROU asset (not verified against ASC 410-20; off by default
      and flagged by validation when restoration costs are given).
    """

    enabled_standards: tuple[str, ...] = ("IFRS16", "ASC842")
    rate_convention: str = "nominal"
    compounding_interval_months: int | None = None
    short_term_classes: tuple[str, ...] = (ALL,)
    low_value_classes: tuple[str, ...] = (ALL,)
    low_value_threshold: Decimal = Decimal(5000)
    asc_major_part_threshold: Decimal = Decimal("0.75")
    asc_substantially_all_threshold: Decimal = Decimal("0.90")
    current_portion_method: str = "principal_next_12_months"
    functional_currency: str | None = None
    asc_restoration_in_rou: bool = False
    interest_convention: str = "periodic"
    depreciation_convention: str = "calendar_month"

    def short_term_elected(self, asset_class: str) -> bool:
        return ALL in self.short_term_classes or asset_class in self.short_term_classes

    def low_value_elected(self, asset_class: str) -> bool:
        return ALL in self.low_value_classes or asset_class in self.low_value_classes

    def to_dict(self) -> dict[str, Any]:
        return {
            "enabled_standards": list(self.enabled_standards),
            "rate_convention": self.rate_convention,
            "compounding_interval_months": self.compounding_interval_months,
            "short_term_classes": list(self.short_term_classes),
            "low_value_classes": list(self.low_value_classes),
            "low_value_threshold": str(self.low_value_threshold),
            "asc_major_part_threshold": str(self.asc_major_part_threshold),
            "asc_substantially_all_threshold": str(self.asc_substantially_all_threshold),
            "current_portion_method": self.current_portion_method,
            "functional_currency": self.functional_currency,
            "asc_restoration_in_rou": self.asc_restoration_in_rou,
            "interest_convention": self.interest_convention,
            "depreciation_convention": self.depreciation_convention,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "LeasePolicy":
        """Policy from a JSON-like dict; missing keys take the defaults.
        Raises ``InvalidLeaseInput`` listing all problems (fields prefixed ``policy.``)."""
        data = dict(data or {})
        errs: list[dict[str, str]] = []
        kw: dict[str, Any] = {}

        def bad(f: str, code: str, msg: str) -> None:
            errs.append({"field": f"policy.{f}", "code": code, "message": msg})

        if "enabled_standards" in data and data["enabled_standards"] is not None:
            st = _classes(data["enabled_standards"])
            if not st or any(s not in STANDARDS for s in st):
                bad("enabled_standards", "invalid_choice", "standards must be IFRS16 and/or ASC842.")
            else:
                kw["enabled_standards"] = tuple(s for s in STANDARDS if s in st)
        if data.get("rate_convention") is not None:
            if data["rate_convention"] not in RATE_CONVENTIONS:
                bad("rate_convention", "invalid_choice", "rate_convention must be nominal or effective.")
            else:
                kw["rate_convention"] = data["rate_convention"]
        for key, options in (("interest_convention", INTEREST_CONVENTIONS),
                             ("depreciation_convention", DEPRECIATION_CONVENTIONS)):
            if data.get(key) is not None:
                if data[key] not in options:
                    bad(key, "invalid_choice", f"{key} must be one of {', '.join(options)}.")
                else:
                    kw[key] = data[key]
        if data.get("compounding_interval_months") is not None:
            v = data["compounding_interval_months"]
            if isinstance(v, bool) or not isinstance(v, int) or v not in (1, 3, 6, 12):
                bad("compounding_interval_months", "invalid_choice", "compounding interval is 1, 3, 6 or 12.")
            else:
                kw["compounding_interval_months"] = v
        for key in ("short_term_classes", "low_value_classes"):
            if key in data:
                kw[key] = _classes(data[key])
        for key in ("low_value_threshold", "asc_major_part_threshold", "asc_substantially_all_threshold"):
            if data.get(key) is not None:
                try:
                    kw[key] = D(data[key])
                except (TypeError, ValueError):
                    bad(key, "invalid_number", f"{key} must be a number.")
        for key in ("asc_major_part_threshold", "asc_substantially_all_threshold"):
            if key in kw and not (0 < kw[key] <= 1):
                bad(key, "out_of_range", f"{key} is a fraction between 0 and 1.")
        if data.get("current_portion_method") is not None:
            if data["current_portion_method"] not in CURRENT_PORTION_METHODS:
                bad("current_portion_method", "invalid_choice",
                    f"current_portion_method must be one of {', '.join(CURRENT_PORTION_METHODS)}.")
            else:
                kw["current_portion_method"] = data["current_portion_method"]
        if data.get("functional_currency"):
            kw["functional_currency"] = str(data["functional_currency"]).upper()
        if "asc_restoration_in_rou" in data:
            kw["asc_restoration_in_rou"] = bool(data["asc_restoration_in_rou"])
        if errs:
            raise InvalidLeaseInput(errs)
        return cls(**kw)
