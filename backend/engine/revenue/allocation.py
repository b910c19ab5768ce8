"""Step 4: allocate the transaction price by relative SSP (32-28..41; IFRS 15.73-86).

Order of the exceptions follows 32-38: the discount exception (``discount_allocation``) is applied
before the residual approach; variable consideration allocated to one PO (32-39..40) is set aside
first and goes to that PO alone. Cents by largest remainder so the parts sum exactly to the price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import gcd
from typing import Sequence, cast

from ..errors import EngineError
from ..money import minor_unit
from .contract import Contract


def _as_ints(ws: Sequence[Fraction | Decimal | int]) -> list[int]:
    """Weights scaled to integers with the same ratios (exact), so the split is integer arithmetic."""
    if all(type(w) is int for w in ws):
        return list(cast(Sequence[int], ws))
    if all(type(w) is int or type(w) is Decimal for w in ws):
        # finite Decimals (the parsers refuse NaN and Infinity), so the exponent is an int
        e = max((-cast(int, w.as_tuple().exponent) for w in ws if isinstance(w, Decimal)), default=0)
        e = max(e, 0)
        return [int(w.scaleb(e)) if isinstance(w, Decimal) else cast(int, w) * 10 ** e for w in ws]
    fr = [Fraction(w) for w in ws]
    den = 1
    for f in fr:
        den = den * f.denominator // gcd(den, f.denominator)
    return [f.numerator * (den // f.denominator) for f in fr]


def largest_remainder(total: int, weights: Sequence[Fraction | Decimal | int]) -> list[int]:
    """Split ``total`` minor units by ``weights`` (exact): floors, then one unit each to the largest
    remainders (ties to the earlier part). The parts sum exactly to ``total``; a negative total is
    split as its magnitude and negated so rounding stays symmetric."""
    ws = _as_ints(weights)
    wsum = sum(ws)
    if wsum == 0:
        raise EngineError("allocation_weights_zero", "nothing to allocate on: all weights are zero.")
    if wsum < 0:
        raise EngineError("allocation_weights_negative", "weights must not be negative.")
    sign, mag = (-1, -total) if total < 0 else (1, total)
    qr = [divmod(mag * w, wsum) for w in ws]
    floors = [q for q, _ in qr]
    left = mag - sum(floors)
    order = sorted(range(len(ws)), key=lambda k: (-qr[k][1], k))
    for k in order[:left]:
        floors[k] += 1
    return [sign * f for f in floors]


def to_units(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(minor_unit(currency)))


@dataclass(frozen=True)
class Allocation:
    ssps: tuple[Decimal, ...]          # resolved, the residual PO's included
    amounts: tuple[int, ...]           # minor units, sum = transaction price
    base: tuple[int, ...]              # the part allocated by SSP (without VC to one PO): basis for changes
    vc_po: int | None                  # index of the PO taking the variable consideration, if any
    rationale: tuple[str, ...]


def allocate(c: Contract, ssps: list[Decimal | None], tp_total: Decimal, vc_included: Decimal) -> Allocation:
    ccy = c.currency
    pos = c.performance_obligations
    notes: list[str] = []
    v = c.transaction_price.variable
    vc_po = c.po_index(v.allocated_to) if v is not None and v.allocated_to else None
    to_alloc = tp_total - (vc_included if vc_po is not None else 0)
    if vc_po is not None and v is not None:  # vc_po is set only with variable consideration
        notes.append(f"variable consideration {vc_included} allocated entirely to {pos[vc_po].id}: "
                     f"{v.allocation_rationale} (32-39..40)")
    da = c.discount_allocation
    subset = {c.po_index(x) for x in da.po_ids} if da else set()
    bundle_disc = None
    if da and da.bundle_price is not None:
        bundle_disc = sum((s for k in subset if (s := ssps[k]) is not None), Decimal(0)) - da.bundle_price
    for k, (po, s) in enumerate(zip(pos, ssps)):
        if s is not None and po.ssp_range and not (po.ssp_range[0] <= s <= po.ssp_range[1]):
            raise EngineError("ssp_outside_range", f"the SSP {s} is outside the PO's own observed range "
                              f"{po.ssp_range[0]}-{po.ssp_range[1]}.", field=f"performance_obligations[{k}].ssp")
    res = [k for k, s in enumerate(ssps) if s is None]
    ssps = list(ssps)
    if res:
        k = res[0]
        if k in subset:
            raise EngineError("residual_in_discount_subset", "the residual PO cannot take the bundle discount.",
                              field="discount_allocation.po_ids")
        if da and bundle_disc is None:
            raise EngineError("bundle_price_required", "with a residual PO, the discount comes from the bundle price.",
                              field="discount_allocation.bundle_price")
        others = sum((s for s in ssps if s is not None), Decimal(0)) - (bundle_disc or 0)
        residual = to_alloc - others
        rng = pos[k].ssp_range
        assert rng is not None  # parse_po: the residual approach requires ssp_range
        lo, hi = rng
        if not (lo <= residual <= hi):
            raise EngineError("residual_ssp_outside_range",
                              f"the residual {residual} is outside the observed SSP range {lo}-{hi}; "
                              "the residual approach does not give a faithful SSP here (32-34(c)).",
                              field=f"performance_obligations[{k}].ssp",
                              details={"residual": str(residual), "low": str(lo), "high": str(hi)})
        ssps[k] = residual
        notes.append(f"{pos[k].id}: residual SSP {residual} within the observed range {lo}-{hi} (32-34(c))")
    resolved = [s for s in ssps if s is not None]
    assert len(resolved) == len(ssps)  # at most one residual PO (parse_contract), now resolved
    wsum = sum(resolved, Decimal(0))
    discount = wsum - to_alloc
    if da:
        if discount <= 0:
            raise EngineError("discount_allocation_without_discount", "the contract has no discount to allocate.",
                              field="discount_allocation")
        if bundle_disc is not None and bundle_disc != discount:
            raise EngineError("discount_allocation_conditions_not_met",
                              f"the bundle's discount {bundle_disc} is not the contract's discount {discount} (32-37(c)).",
                              field="discount_allocation.bundle_price")
        sub_ssp = sum((resolved[k] for k in subset), Decimal(0))
        weights: list[Fraction | Decimal | int] = [
            Fraction(s) * (Fraction(sub_ssp - discount) / Fraction(sub_ssp)) if k in subset else Fraction(s)
            for k, s in enumerate(resolved)]
        notes.append(f"discount {discount} allocated to {', '.join(da.po_ids)} only: {da.rationale} (32-37)")
    else:
        weights = list(resolved)
        notes.append("relative stand-alone selling prices (32-31)")
    if vc_po is not None and len(ssps) > 1:
        # 32-40(b)/32-41: the PO taking the variable consideration is paid by it; the rest of the price
        # goes to the other POs (Example 35 Case A: fixed $800 to licence X, the royalty to Y)
        weights[vc_po] = 0
    base = largest_remainder(to_units(to_alloc, ccy), weights)
    amounts = list(base)
    if vc_po is not None:
        amounts[vc_po] += to_units(vc_included, ccy)
    return Allocation(tuple(resolved), tuple(amounts), tuple(base), vc_po, tuple(notes))


def reallocate(alloc: Allocation, new_total: int, new_vc: int | None) -> tuple[int, ...]:
    """A later transaction price on the inception basis (32-43..44): the change goes to the POs in
    proportion to the inception allocation; with VC allocated to one PO, that PO alone takes the VC."""
    if alloc.vc_po is not None and new_vc is not None:
        base_total = new_total - new_vc
        parts = spread(alloc.base, base_total)
        parts[alloc.vc_po] += new_vc
        return tuple(parts)
    return tuple(spread(alloc.amounts, new_total))


def spread(basis: Sequence[int], total: int) -> list[int]:
    cur = sum(basis)
    if cur == total:
        return list(basis)
    if all(b == 0 for b in basis):
        return largest_remainder(total, [1] * len(basis))
    delta = largest_remainder(total - cur, [abs(b) for b in basis])
    return [b + d for b, d in zip(basis, delta)]
