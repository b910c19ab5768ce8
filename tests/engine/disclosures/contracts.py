"""Revenue contracts of every pattern (point in time, ratable, percent complete; variable
consideration with a constraint; financing; costs to obtain; right to invoice; a collectibility
divergence), run through the revenue engine at a reporting date."""
from __future__ import annotations

from datetime import date

from backend.engine.disclosures import RevenueContractFacts
from backend.engine.revenue import RevenuePolicy, parse_contract, recognise_books

POLICY = RevenuePolicy(rpo_expedients=("right_to_invoice", "variable_consideration_allocated"))


def po(id_, pattern="point_in_time", ssp="100", method="observable", **kw):
    return {"id": id_, "description": id_, "pattern": pattern, "ssp_method": method, "ssp": ssp, **kw}


def contract(external_id, pos, fixed, start="2026-01-01", billing=(), **kw):
    tp = {"fixed": fixed, **kw.pop("tp", {})}
    return {"entity": "E1", "external_id": external_id, "customer": kw.pop("customer", "Cust"), "currency": "USD",
            "start_date": start, "transaction_price": tp, "billing": list(billing), "performance_obligations": pos,
            **kw}


CONTRACTS = {
    # licence at a point in time + 24 months of support, billed up front: a contract liability
    "C-SAAS": (contract("C-SAAS", [po("licence", ssp="6000", delivered_date="2026-07-01", sku="LIC"),
                                   po("support", "ratable", ssp="4800", start_date="2026-07-01",
                                      end_date="2028-06-30", sku="SUP")], "10000", start="2026-07-01",
                        billing=[{"date": "2026-07-01", "amount": "10000"}],
                        costs_to_obtain=[{"date": "2026-07-01", "amount": "1200", "description": "commission"}]),
               {"geography": "North America", "customer_class": "Enterprise"}),
    # construction by progress, billed in arrears: a contract asset
    "C-BUILD": (contract("C-BUILD", [po("build", "percent_complete", ssp="50000", sku="PROJ",
                                        progress=[{"date": "2026-10-31", "percent": "20"},
                                                  {"date": "2027-03-31", "percent": "60"},
                                                  {"date": "2027-09-30", "percent": "100"}])], "50000",
                         start="2026-09-01", billing=[{"date": "2027-04-15", "amount": "25000"},
                                                       {"date": "2027-10-15", "amount": "25000"}]),
                {"geography": "Europe", "customer_class": "Public sector"}),
    # goods with a constrained price concession
    "C-GOODS": (contract("C-GOODS", [po("goods", ssp="20000", delivered_date="2027-02-15", sku="HW")], "18000",
                         start="2027-01-10", billing=[{"date": "2027-02-15", "amount": "18000"}],
                         tp={"variable": {"type": "price_concession", "method": "expected_value", "estimate": "1500",
                                          "included": "1000", "constraint_reason": "history of concessions"}}),
                {"geography": "Europe", "customer_class": "Enterprise"}),
    # 36-month service billed monthly with the right to invoice (RPO expedient)
    "C-RTI": (contract("C-RTI", [po("managed", "ratable", ssp="36000", start_date="2026-01-01",
                                    end_date="2028-12-31", right_to_invoice=True, sku="SVC")], "36000",
                       billing=[{"date": f"{y}-{m:02d}-28", "amount": "1000"} for y in (2026, 2027, 2028)
                                for m in range(1, 13)]),
              {"geography": "North America", "customer_class": "SMB"}),
    # collectibility more likely than not: a contract under IFRS 15, none yet under ASC 606
    "C-DIVERGE": (contract("C-DIVERGE", [po("unit", ssp="7000", delivered_date="2027-05-01", sku="HW")], "7000",
                           start="2027-04-01", billing=[{"date": "2027-05-01", "amount": "7000"}],
                           collectibility={"assessment": "more_likely_than_not", "rationale": "60 % expected"}),
                  {"geography": "Asia", "customer_class": "SMB"}),
    # advance payment for delivery two years later: a significant financing component
    "C-FIN": (contract("C-FIN", [po("asset", ssp="40000", delivered_date="2028-06-30", sku="HW")], "40000",
                       start="2026-06-30", billing=[{"date": "2026-06-30", "amount": "40000"}],
                       tp={"financing": {"discount_rate": "0.05", "compounding": "annual"}}),
              {"geography": "Asia", "customer_class": "Enterprise"}),
}


def facts(as_of=date(2027, 12, 31), policy=POLICY) -> list[RevenueContractFacts]:
    out = []
    for cid, (data, attrs) in CONTRACTS.items():
        c = parse_contract(data)
        out.append(RevenueContractFacts(cid, c, recognise_books(c, policy, as_of=as_of), attrs))
    return out
