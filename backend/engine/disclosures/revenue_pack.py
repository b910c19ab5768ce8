from __future__ import annotations
from dataclasses import dataclass
@dataclass
class RevenueContractFacts: pass
@dataclass
class RevenueLedger: pass
def build_revenue_pack(*a, **k): raise NotImplementedError
