"""The revenue disclosure pack (IFRS 15.110-129; ASC 606-10-50; ASC 340-40-50) from engine results.

``build_revenue_pack(contracts, scope=..., window=..., currency=..., entity=..., policy=None,
ledger=None)``: ``contracts`` are ``RevenueContractFacts`` (the parsed contract, its
``RevenueResult`` per standard, optional attributes: ``geography``, ``customer_class``,
``product_line``). ``scope`` is IFRS15, ASC606 or COMBINED (both books side by side with the
difference and the divergences explained). Each result's RPO must be computed ``as_of`` the
window end (``recognise(..., as_of=window.end_date)``); a check says so when it is not.

Contract balances per contract (never netted across contracts): ``net = cumulative revenue +
cumulative financing interest − cumulative billing``; positive is a contract asset, negative a
contract liability. So the roll-forward closes by construction of the books, and the pack
recomputes it: ``opening net + revenue + interest − billings = closing net``. Receivables are
cumulative billing (the engine does not see collections): ``opening + billings = closing``.
Revenue recognised from the opening contract liability is ``min(opening liability, revenue of
the window)`` per contract (first in, first out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import from_minor
from .common import ZERO, Window, check, column, fmt, money, month_index, section

TIMING = {"point_in_time": "At a point in time", "ratable": "Over time", "percent_complete": "Over time"}
STANDARDS = ("IFRS15", "ASC606")


@dataclass(frozen=True)
class RevenueContractFacts:
    contract_id: str
    contract: Any  # engine.revenue.Contract
    results: Mapping[str, Any]  # standard -> RevenueResult
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RevenueLedger:
    """Approved revenue journal lines of one book (positive = debit): balances through the window
    end, movements inside it, keyed by the engine account codes."""

    balances: Mapping[str, Decimal]
    movements: Mapping[str, Decimal]


@dataclass
class _Book:
    """One contract under one standard over the window (Decimals in the contract currency)."""

    revenue_by_po: dict[str, Decimal]
    revenue: Decimal
    billed: Decimal
    interest: Decimal
    recv_open: Decimal
    recv_close: Decimal
    ca_open: Decimal
    ca_close: Decimal
    cl_open: Decimal
    cl_close: Decimal
    from_opening_cl: Decimal
    cost_open: Decimal
    cost_cap: Decimal
    cost_amort: Decimal
    cost_expensed: Decimal
    cost_close: Decimal
    active: bool


def _book(r: Any, w: Window) -> _Book | None:
    c = r.columns
    n = len(c.keys)
    m = r.m
    if n == 0:
        return None
    first = month_index(c.keys[0])
    if w.end_index < first:
        return None  # starts after the window
    a, b = max(w.start_index - first, 0), min(w.end_index - first, n - 1)
    started_in = w.start_index <= first
    active = a <= b and w.start_index - first <= n - 1
    rng = range(a, b + 1) if active else range(0)

    def at(col: Sequence[int], k: int) -> Decimal:
        return m(col[k]) if 0 <= k < n else ZERO

    if not active:  # ended before the window: its balances stay at the last row
        k_open = k_close = n - 1
    else:
        k_open, k_close = (-1 if started_in else a - 1), b
    rev_po = {p: m(sum(c.revenue[k][i] for k in rng)) for i, p in enumerate(r.po_ids)}
    revenue = m(sum(c.revenue_total[k] for k in rng))
    cl_open = at(c.contract_liability, k_open)
    cost = r.costs
    return _Book(rev_po, revenue, m(sum(c.billed[k] for k in rng)), m(sum(c.interest[k] for k in rng)),
                 at(c.receivable, k_open), at(c.receivable, k_close), at(c.contract_asset, k_open),
                 at(c.contract_asset, k_close), cl_open, at(c.contract_liability, k_close), min(cl_open, revenue)
                 if revenue > 0 else ZERO,
                 at(cost.closing, k_open), m(sum(cost.capitalised[k] for k in rng)),
                 m(sum(cost.amortisation[k] for k in rng)), m(sum(cost.expensed[k] for k in rng)),
                 at(cost.closing, k_close), active)


def build_revenue_pack(contracts: Sequence[RevenueContractFacts], *, scope: str, window: Window, currency: str,
                       entity: str, policy: Mapping[str, Any] | None = None,
                       ledger: Mapping[str, RevenueLedger] | None = None) -> dict[str, Any]:
    """The pack for ``scope`` over ``window``; ``policy`` is the entity's revenue policy snapshot
    (``RevenuePolicy.to_dict()``; default: the one recorded on the first result); ``ledger`` maps a
    standard to its approved journal figures for the tie-out."""
    if scope not in STANDARDS + ("COMBINED",):
        from ..errors import EngineError
        raise EngineError("invalid_scope", "scope is IFRS15, ASC606 or COMBINED.", field="scope")
    stds = STANDARDS if scope == "COMBINED" else (scope,)
    ccy = currency
    checks: list[dict[str, Any]] = []
    items = sorted(contracts, key=lambda x: x.contract_id)
    other = [x for x in items if x.contract.currency != ccy]
    items = [x for x in items if x.contract.currency == ccy]
    missing = [(x.contract_id, s) for x in items for s in stds if s not in x.results]
    books: dict[str, dict[str, _Book]] = {s: {} for s in stds}
    for x in items:
        for s in stds:
            if s in x.results:
                bk = _book(x.results[s], window)
                if bk is not None:
                    books[s][x.contract_id] = bk
    checks.append(check("contracts_included", len(items) + len(other), len(items), source="runs",
                        detail="; ".join(f"{x.contract_id}: currency {x.contract.currency}" for x in other[:20])))
    checks.append(check("books_present", [], [f"{c}:{s}" for c, s in missing], source="runs",
                        detail="every contract has a result for each standard of the scope"))
    if policy is None:
        first = next((r for x in items for r in x.results.values()), None)
        policy = dict(first.policy) if first is not None else {}
    cols = ([column(s, s) for s in stds] + [column("difference", "Difference")] if scope == "COMBINED"
            else [column("amount", f"Amount ({ccy})")])
    vcols = [s for s in stds] + (["difference"] if scope == "COMBINED" else [])

    def row(key: str, label: str, values: Mapping[str, Decimal], **kw: Any) -> dict[str, Any]:
        r: dict[str, Any] = {"key": key, "label": label, **kw}
        if scope == "COMBINED":
            for s in stds:
                r[s] = money(values.get(s, ZERO), ccy)
            r["difference"] = money(values.get("IFRS15", ZERO) - values.get("ASC606", ZERO), ccy)
        else:
            r["amount"] = money(values.get(stds[0], ZERO), ccy)
        return r

    def total(attr: str, s: str) -> Decimal:
        return sum((getattr(b, attr) for b in books[s].values()), ZERO)

    sections: list[dict[str, Any]] = []
    by_id = {x.contract_id: x for x in items}

    # ------------------------------------------------------------ disaggregation
    dims: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(Decimal)))
    for s in stds:
        for cid, b in books[s].items():
            x = by_id[cid]
            attrs = x.attributes
            for po in x.contract.performance_obligations:
                amt = b.revenue_by_po.get(po.id, ZERO)
                dims["timing"][TIMING.get(po.pattern, po.pattern)][s] += amt
                dims["product_line"][attrs.get("product_line") or po.sku or po.description or po.id][s] += amt
                dims["geography"][attrs.get("geography") or "Not recorded"][s] += amt
                dims["customer_class"][attrs.get("customer_class") or "Not recorded"][s] += amt
    dim_titles = {"timing": "Timing of transfer", "product_line": "Product line / SKU", "geography": "Geography",
                  "customer_class": "Customer class"}
    drows = []
    totals = {s: total("revenue", s) for s in stds}
    for d in ("timing", "product_line", "geography", "customer_class"):
        values = dims.get(d, {})
        if d in ("geography", "customer_class") and set(values) <= {"Not recorded"}:
            continue  # not recorded on any contract: not a disaggregation
        for name in sorted(values):
            drows.append(row(f"{d}:{name}", name, values[name], dimension=dim_titles[d]))
        for s in stds:
            checks.append(check(f"disaggregation_{d}_sums_to_revenue:{s}", totals[s],
                                sum((v[s] for v in values.values()), ZERO), source="results",
                                section="disaggregation", currency=ccy))
    drows.append(row("total", "Total revenue from contracts with customers", totals, dimension="Total", total=True))
    main = stds[0]
    text = (f"Revenue from contracts with customers for {window.label} was {fmt(totals[main], ccy)} ({main})"
            + (f" and {fmt(totals['ASC606'], ccy)} (ASC606)" if scope == "COMBINED" else "") + "; "
            + ", ".join(f"{fmt(dims['timing'][k][main], ccy)} {k.lower()}" for k in sorted(dims["timing"])) + ".")
    dcols = [column("dimension", "Dimension", "text"), column("label", "", "text")] + cols
    sections.append(section("disaggregation", "Disaggregation of revenue", dcols, drows, text,
                            reference="ASC 606-10-50-5; IFRS 15.114, B87-B89",
                            chart={"type": "bar", "rows": [r["key"] for r in drows if r["key"].startswith("product_line:")],
                                   "values": vcols[:len(stds)]}))

    # ------------------------------------------------------------ contract balances
    bal = {s: {a: total(a, s) for a in ("recv_open", "recv_close", "ca_open", "ca_close", "cl_open", "cl_close",
                                          "revenue", "interest", "billed", "from_opening_cl")} for s in stds}
    brows = [row("receivables_opening", "Receivables, opening", {s: bal[s]["recv_open"] for s in stds}),
             row("receivables_closing", "Receivables, closing", {s: bal[s]["recv_close"] for s in stds}),
             row("contract_assets_opening", "Contract assets, opening", {s: bal[s]["ca_open"] for s in stds}),
             row("contract_assets_closing", "Contract assets, closing", {s: bal[s]["ca_close"] for s in stds}),
             row("contract_liabilities_opening", "Contract liabilities, opening", {s: bal[s]["cl_open"] for s in stds}),
             row("contract_liabilities_closing", "Contract liabilities, closing", {s: bal[s]["cl_close"] for s in stds}),
             row("net_opening", "Net contract position, opening (assets − liabilities)",
                 {s: bal[s]["ca_open"] - bal[s]["cl_open"] for s in stds}, total=True),
             row("revenue", "Revenue recognised", {s: bal[s]["revenue"] for s in stds}),
             row("financing_interest", "Financing interest (income + / expense −)", {s: bal[s]["interest"] for s in stds}),
             row("billings", "Amounts billed (unconditional rights)", {s: -bal[s]["billed"] for s in stds}),
             row("net_closing", "Net contract position, closing", {s: bal[s]["ca_close"] - bal[s]["cl_close"]
                                                                  for s in stds}, total=True),
             row("revenue_from_opening_liability", "Revenue recognised that was in the opening contract liabilities",
                 {s: bal[s]["from_opening_cl"] for s in stds})]
    for s in stds:
        v = bal[s]
        checks.append(check(f"contract_balances_rollforward_closes:{s}", v["ca_close"] - v["cl_close"],
                            v["ca_open"] - v["cl_open"] + v["revenue"] + v["interest"] - v["billed"],
                            source="results", section="contract_balances", currency=ccy,
                            detail="opening net position + revenue + financing interest − billings = closing"))
        checks.append(check(f"receivables_rollforward_closes:{s}", v["recv_close"], v["recv_open"] + v["billed"],
                            source="results", section="contract_balances", currency=ccy))
    v = bal[main]
    text = (f"Contract assets moved from {fmt(v['ca_open'], ccy)} to {fmt(v['ca_close'], ccy)} and contract "
            f"liabilities from {fmt(v['cl_open'], ccy)} to {fmt(v['cl_close'], ccy)}; {fmt(v['from_opening_cl'], ccy)} "
            "of revenue was included in the opening contract liabilities. Receivables are stated gross of "
            "collections (cumulative amounts billed).")
    sections.append(section("contract_balances", "Contract balances", [column("label", "", "text")] + cols, brows,
                            text, reference="ASC 606-10-50-8..10; IFRS 15.116-118",
                            chart={"type": "column", "rows": ["net_opening", "revenue", "financing_interest",
                                                              "billings", "net_closing"], "values": vcols[:len(stds)]}))

    # ------------------------------------------------------------ RPO
    rpo: dict[str, dict[str, Decimal]] = {s: defaultdict(Decimal) for s in stds}
    years: set[str] = set()
    expedients: dict[str, dict[str, int]] = {s: defaultdict(int) for s in stds}
    late: dict[str, list[str]] = {s: [] for s in stds}
    for x in items:
        for s in stds:
            r = x.results.get(s)
            if r is None or x.contract_id not in books[s] and not _open_at(r, window):
                continue
            rp = r.rpo
            if rp.as_of != window.end_date:
                late[s].append(x.contract_id)
            rpo[s]["total"] += r.m(rp.total)
            rpo[s]["within_12_months"] += r.m(rp.within_12_months)
            rpo[s]["after_12_months"] += r.m(rp.after_12_months)
            rpo[s]["unscheduled"] += r.m(rp.unscheduled)
            for y, u in rp.by_year.items():
                rpo[s][f"year:{y}"] += r.m(u)
                years.add(y)
            for o in rp.omitted:
                expedients[s][o["expedient"]] += 1
    rrows = [row("total", "Remaining performance obligations", {s: rpo[s]["total"] for s in stds}, total=True),
             row("within_12_months", "Expected within 12 months", {s: rpo[s]["within_12_months"] for s in stds}),
             row("after_12_months", "Expected after 12 months", {s: rpo[s]["after_12_months"] for s in stds})]
    rrows += [row(f"year:{y}", f"Expected in {y}", {s: rpo[s][f"year:{y}"] for s in stds}) for y in sorted(years)]
    rrows.append(row("unscheduled", "Not yet scheduled", {s: rpo[s]["unscheduled"] for s in stds}))
    for s in stds:
        checks.append(check(f"rpo_bands_sum:{s}", rpo[s]["total"], rpo[s]["within_12_months"] + rpo[s]["after_12_months"],
                            source="results", section="rpo", currency=ccy))
        checks.append(check(f"rpo_years_sum:{s}", rpo[s]["total"],
                            sum((rpo[s][f"year:{y}"] for y in years), ZERO) + rpo[s]["unscheduled"],
                            source="results", section="rpo", currency=ccy))
        checks.append(check(f"rpo_as_of_window_end:{s}", [], sorted(late[s]), source="results", section="rpo",
                            detail=f"every contract's RPO is measured at {window.end_date.isoformat()}"))
    exp_names = {"one_year_or_less": "original expected duration of one year or less (50-14(a); IFRS 15.121(a))",
                 "right_to_invoice": "right to invoice (50-14(b); IFRS 15.121(b))",
                 "variable_consideration_allocated": "variable consideration allocated to a wholly unsatisfied "
                                                     "performance obligation (ASC 606-10-50-14A)",
                 "no_contract": "no contract yet under the book (collectibility; 606-10-25-1(e), 25-7): not an "
                                "expedient, shown for completeness"}
    used = sorted({e for s in stds for e in expedients[s]})
    text = (f"Transaction price of {fmt(rpo[main]['total'], ccy)} is allocated to performance obligations unsatisfied "
            f"at {window.end_date.isoformat()}; {fmt(rpo[main]['within_12_months'], ccy)} is expected to be recognised "
            "within 12 months. " + ("Practical expedients applied: " + "; ".join(
                f"{exp_names.get(e, e)} ({', '.join(f'{s}: {expedients[s][e]} contracts' for s in stds)})"
                for e in used) + "." if used else "No RPO practical expedient was applied."))
    sections.append(section("rpo", "Remaining performance obligations", [column("label", "", "text")] + cols, rrows,
                            text, reference="ASC 606-10-50-13..15; IFRS 15.120-122",
                            chart={"type": "column", "rows": [f"year:{y}" for y in sorted(years)],
                                   "values": vcols[:len(stds)]}))

    # ------------------------------------------------------------ judgements
    ssp: defaultdict[str, int] = defaultdict(int)
    vc: defaultdict[str, int] = defaultdict(int)
    coll: defaultdict[str, int] = defaultdict(int)
    fin, constrained = 0, []
    for x in items:
        c = x.contract
        for po in c.performance_obligations:
            ssp[po.ssp_method] += 1
        v_ = c.transaction_price.variable
        if v_ is not None:
            vc[v_.method] += 1
            if v_.constraint_reason:
                constrained.append(f"{x.contract_id}: {v_.constraint_reason}")
        if c.transaction_price.financing is not None:
            fin += 1
        coll[c.collectibility.assessment if c.collectibility else "probable"] += 1
    jrows = ([{"key": f"ssp:{k}", "label": f"SSP method: {k.replace('_', ' ')} (performance obligations)",
               "amount": str(n)} for k, n in sorted(ssp.items())]
             + [{"key": f"vc:{k}", "label": f"Variable consideration: {k.replace('_', ' ')} (contracts)",
                 "amount": str(n)} for k, n in sorted(vc.items())]
             + [{"key": "vc_constrained", "label": "Contracts with constrained variable consideration",
                 "amount": str(len(constrained))},
                {"key": "financing", "label": "Contracts with a significant financing component",
                 "amount": str(fin)}]
             + [{"key": f"collectibility:{k}", "label": f"Collectibility assessed {k.replace('_', ' ')} (contracts)",
                 "amount": str(n)} for k, n in sorted(coll.items())])
    text = ("Over-time obligations are measured ratably by elapsed time (" + str(policy.get("ratable_convention",
                                                                                          "daily"))
            + " convention) or by progress (input or output method); point-in-time obligations at the transfer of "
            "control. Variable consideration is estimated by the "
            + (" and ".join(k.replace("_", " ") for k in sorted(vc)) or "expected value or most likely amount")
            + " method and constrained to the amount highly probable (probable under ASC 606) not to reverse"
            + (f" ({'; '.join(constrained[:5])})" if constrained else "") + ". Standalone selling prices are "
            + (", ".join(k.replace("_", " ") for k in sorted(ssp)) or "observable") + ".")
    sections.append(section("judgements", "Significant judgements", [column("label", "", "text"),
                                                                       column("amount", "Count", "number")],
                            jrows, text, reference="ASC 606-10-50-17..21; IFRS 15.123-126"))

    # ------------------------------------------------------------ costs to obtain
    crows = [row("opening", "Capitalised costs to obtain contracts, opening", {s: total("cost_open", s) for s in stds}),
             row("capitalised", "Capitalised in the period", {s: total("cost_cap", s) for s in stds}),
             row("amortisation", "Amortisation", {s: -total("cost_amort", s) for s in stds}),
             row("closing", "Closing balance", {s: total("cost_close", s) for s in stds}, total=True),
             row("expensed", "Expensed as incurred (practical expedient)", {s: total("cost_expensed", s) for s in stds})]
    for s in stds:
        checks.append(check(f"contract_costs_rollforward_closes:{s}", total("cost_close", s),
                            total("cost_open", s) + total("cost_cap", s) - total("cost_amort", s), source="results",
                            section="contract_costs", currency=ccy))
    text = (f"Incremental costs of obtaining contracts of {fmt(total('cost_cap', main), ccy)} were capitalised and "
            f"{fmt(total('cost_amort', main), ccy)} amortised on a straight-line basis over the period of transfer.")
    sections.append(section("contract_costs", "Costs to obtain contracts", [column("label", "", "text")] + cols, crows,
                            text, reference="ASC 340-40-50-1..6; IFRS 15.127-128"))

    # ------------------------------------------------------------ practical expedients
    p = policy
    erows = [{"key": "financing_expedient", "label": "No adjustment for financing when payment is within one year "
              "(606-10-32-18; IFRS 15.63)", "amount": "applied" if p.get("financing_expedient") else "not applied"},
             {"key": "costs_to_obtain_expedient", "label": "Costs to obtain expensed when amortisation ≤ 1 year "
              "(340-40-25-4; IFRS 15.94)", "amount": "applied" if p.get("costs_to_obtain_expedient") else "not applied"}]
    erows += [{"key": f"rpo:{e}", "label": f"RPO: {exp_names.get(e, e)}",
               "amount": "applied" if e in (p.get("rpo_expedients") or ()) else "not applied"} for e in exp_names
              if e != "no_contract"]
    applied = [r["label"] for r in erows if r["amount"] == "applied"]
    text = ("The entity applies these practical expedients: " + "; ".join(applied) + "." if applied
            else "The entity applies no practical expedient.")
    sections.append(section("expedients", "Practical expedients", [column("label", "", "text"),
                                                                     column("amount", "", "text")],
                            erows, text, reference="ASC 606-10-50-22; IFRS 15.129"))

    # ------------------------------------------------------------ divergences (both books)
    if scope == "COMBINED":
        vrows = []
        for x in items:
            bi, ba = books["IFRS15"].get(x.contract_id), books["ASC606"].get(x.contract_id)
            ri, ra = x.results.get("IFRS15"), x.results.get("ASC606")
            rev_i, rev_a = (bi.revenue if bi else ZERO), (ba.revenue if ba else ZERO)
            net_i = (bi.ca_close - bi.cl_close) if bi else ZERO
            net_a = (ba.ca_close - ba.cl_close) if ba else ZERO
            rpo_i = ri.m(ri.rpo.total) if ri else ZERO
            rpo_a = ra.m(ra.rpo.total) if ra else ZERO
            codes: dict[str, list[str]] = {}
            for r in (ri, ra):
                for d in (r.divergences if r else ()):
                    codes.setdefault(d["code"], []).append(f"{d['standard']}: {d['effect']}")
            differs = rev_i != rev_a or net_i != net_a or rpo_i != rpo_a
            if not (differs or codes):
                continue
            explanation = " | ".join(f"{code} — " + "; ".join(effects) for code, effects in sorted(codes.items())) \
                or "books differ without a modelled IFRS 15 / ASC 606 difference: review the inputs of each book"
            for key, label, a, b_ in (("revenue", "Revenue", rev_i, rev_a), ("net_position", "Net contract position",
                                                                              net_i, net_a),
                                      ("rpo", "RPO", rpo_i, rpo_a)):
                if a != b_ or key == "revenue":
                    vrows.append({"key": f"{x.contract_id}:{key}", "contract": x.contract_id, "label": label,
                                  "IFRS15": money(a, ccy), "ASC606": money(b_, ccy), "difference": money(a - b_, ccy),
                                  "codes": ", ".join(sorted(codes)), "explanation": explanation})
        n = len({r["contract"] for r in vrows})
        text = (f"{n} contract(s) are accounted for differently under IFRS 15 and ASC 606; each difference is "
                "explained by the rule that causes it." if n else "IFRS 15 and ASC 606 give the same figures.")
        sections.append(section("divergences", "IFRS 15 / ASC 606 differences",
                                [column("contract", "Contract", "text"), column("label", "", "text"),
                                 column("IFRS15", "IFRS15"), column("ASC606", "ASC606"),
                                 column("difference", "Difference"), column("codes", "Rule", "text"),
                                 column("explanation", "Explanation", "text")], vrows, text,
                                reference="ASC 606-10-25-1(e); 606-10-50-14A; IFRS 15.9(e)"))

    # ------------------------------------------------------------ the ledger
    for s, lg in (ledger or {}).items():
        if s not in stds:
            continue
        g: Callable[[Mapping[str, Decimal], str], Decimal] = lambda d, k: d.get(k, ZERO)
        src = "ledger (approved journals)"
        v = bal[s]
        checks += [check(f"ledger_revenue:{s}", -g(lg.movements, "REVENUE"), v["revenue"], source=src,
                         section="disaggregation", currency=ccy),
                   check(f"ledger_contract_assets:{s}", g(lg.balances, "CONTRACT_ASSET"), v["ca_close"], source=src,
                         section="contract_balances", currency=ccy),
                   check(f"ledger_contract_liabilities:{s}", -g(lg.balances, "CONTRACT_LIABILITY"), v["cl_close"],
                         source=src, section="contract_balances", currency=ccy),
                   check(f"ledger_receivables:{s}", g(lg.balances, "RECEIVABLE"), v["recv_close"], source=src,
                         section="contract_balances", currency=ccy,
                         detail="receivables gross of collections: only comparable while collections are not posted "
                                "to RECEIVABLE")]
    out: dict[str, Any] = {"source": "revenue", "entity": entity, "period": window.label, "window": window.to_dict(),
                           "scope": scope, "standards": list(stds), "currency": ccy,
                           "contract_count": len(items), "sections": sections, "checks": checks,
                           "checks_ok": all(c["ok"] for c in checks)}
    return out


def _open_at(r: Any, w: Window) -> bool:
    """A contract without a row in the window still has RPO if it starts later."""
    keys = r.columns.keys
    return bool(keys) and month_index(keys[0]) > w.end_index


def _m(units: int, ccy: str) -> Decimal:
    return from_minor(units, ccy)
