"""The rate implicit in the lease, solved from fair value and unguaranteed residual.

IFRS 16 Appendix A / ASC 842-10-20: the rate at which the PV of the lease
payments plus the unguaranteed residual value equals the fair value of the
asset (plus the lessor's initial direct costs, which a lessee rarely knows;
pass them inside ``fair_value`` if known). Payments at commencement count
undiscounted. PwC Example 4-3 solves "approximately 9.04 %".
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from ..errors import EngineError
from .cashflows import flow_t, lease_cash_flows
from .measurement import resolve_convention
from .policy import LeasePolicy
from .rates import solve_rate
from .rates import CONTEXT as _CONTEXT
from .terms import LeaseTerms
from .timeline import build_clock


def implicit_rate(terms: LeaseTerms, policy: LeasePolicy, *, fair_value: Decimal | None = None,
                  unguaranteed_residual: Decimal | None = None) -> Decimal:
    """Annual rate (in the lease's rate convention) implicit in the lease."""
    fv = fair_value if fair_value is not None else terms.fair_value
    if fv is None:
        raise EngineError("fair_value_missing", "The implicit rate needs the asset's fair value.",
                          field="fair_value")
    ugr = unguaranteed_residual if unguaranteed_residual is not None else terms.implicit_rate_unguaranteed_residual
    with decimal.localcontext(_CONTEXT):
        clock = build_clock(terms.commencement_date, terms.end_date)
        periodic = policy.interest_convention == "periodic"  # the schedule's payment times
        flows = [(max(flow_t(f, clock, periodic), Decimal(0)), f.amount) for f in lease_cash_flows(terms)]
        if terms.prepaid_lease_payments:
            flows.append((Decimal(0), terms.prepaid_lease_payments))
        if ugr:
            flows.append((clock.term_months, ugr))
        convention, c = resolve_convention(terms, policy)
        return solve_rate(fv, flows, convention, c)
