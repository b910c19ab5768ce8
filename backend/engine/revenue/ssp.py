"""Stand-alone selling prices: the input, the SSP matrix, or the residual approach (32-31..35).

SSP matrix rows are plain data loaded by the service: ``{sku, currency, ssp, effective_from,
effective_to?}``; ``ssp`` is per unit when the PO has a quantity. The version effective at contract
inception is used (32-31, 32-43: no re-allocation for later SSP changes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from ..errors import EngineError
from ..money import D
from .contract import Contract, PerformanceObligation


def _row_date(v: Any) -> date | None:
    if v is None or v == "":
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def lookup_ssp(po: PerformanceObligation, currency: str, on: date, rows: Sequence[Mapping[str, Any]],
               path: str) -> Decimal:
    """The SSP of ``po`` from the matrix row for (sku, currency) effective on ``on``."""
    if not po.sku:
        raise EngineError("ssp_missing", "no ssp and no sku to look it up in the SSP matrix.", field=f"{path}.ssp")
    hits = []
    for r in rows:
        if str(r.get("sku")) != po.sku or str(r.get("currency", "")).upper() != currency:
            continue
        lo, hi = _row_date(r.get("effective_from")), _row_date(r.get("effective_to"))
        if (lo is None or lo <= on) and (hi is None or on <= hi):
            hits.append((lo or date.min, r))
    if not hits:
        raise EngineError("ssp_not_in_matrix", f"no SSP matrix row for {po.sku} in {currency} on {on}.",
                          field=f"{path}.ssp", details={"sku": po.sku, "currency": currency, "date": on.isoformat()})
    hits.sort(key=lambda h: h[0])
    unit = D(str(hits[-1][1]["ssp"]))  # the latest effective row wins
    return unit * po.quantity if po.quantity else unit


def resolve_ssps(c: Contract, rows: Sequence[Mapping[str, Any]] = ()) -> list[Decimal | None]:
    """Per PO: its SSP (input, else matrix); None for the residual PO, decided in ``allocation``."""
    out: list[Decimal | None] = []
    for k, po in enumerate(c.performance_obligations):
        if po.ssp_method == "residual":
            out.append(None)
        elif po.ssp is not None:
            out.append(po.ssp)
        else:
            out.append(lookup_ssp(po, c.currency, c.start_date, rows, f"performance_obligations[{k}]"))
    return out
