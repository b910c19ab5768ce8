"""The lease disclosure pack (IFRS 16.53-60; ASC 842-20-50) from schedules and the ledger.

``build_lease_pack(leases, standard=..., window=..., currency=..., entity=..., ledger=None,
maturity_bands=None, variable_lease_expense=None)`` returns the pack dict (``common``). Every
figure comes from the leases' schedules; every figure the ledger also holds is tied to the
approved journals (``LedgerFigures``), and each check names both numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..money import quantize
from .common import ZERO, Window, check, column, fmt, money, section
from .lease_facts import FactsView, LeaseFacts, LeaseFigures, figures
from .maturity import ASC_BANDS, IFRS_BANDS, flow_band_amounts, maturity_table

SECTION_TITLES = {
    "IFRS16": {"amounts": "Amounts recognised in profit or loss and cash flows (IFRS 16.53)",
               "maturity": "Maturity analysis of lease liabilities (IFRS 16.58, IFRS 7.39)",
               "liability_rollforward": "Lease liabilities: movements",
               "rou_rollforward": "Right-of-use assets: movements by class of underlying asset",
               "exemptions": "Recognition exemptions and variable payments (IFRS 16.59-60)"},
    "ASC842": {"amounts": "Lease cost (ASC 842-20-50-4)",
               "maturity": "Maturity of lease liabilities (ASC 842-20-50-6)",
               "liability_rollforward": "Lease liabilities: movements",
               "rou_rollforward": "Right-of-use assets: movements",
               "cash_flows": "Supplemental cash flow information (ASC 842-20-50-4(g))",
               "weighted_averages": "Weighted-average remaining lease term and discount rate",
               "exemptions": "Short-term lease election and variable lease cost"},
}


@dataclass(frozen=True)
class LedgerFigures:
    """Approved (and posted) journal lines of the entity × standard for the lease source, in the
    pack currency: ``balances`` cumulative through the window end, ``movements`` inside it;
    positive = debit. ``other_currencies`` lists currencies of lines left out."""

    balances: Mapping[str, Decimal]
    movements: Mapping[str, Decimal]
    entry_count: int = 0
    draft_count: int = 0
    other_currencies: tuple[str, ...] = ()


Pred = Callable[[LeaseFigures], bool]
Json = dict[str, Any]

NUMERIC = ("liab_open", "liab_add", "interest", "payments", "fx", "liab_mod", "liab_term", "liab_close",
           "liab_current", "rou_open", "rou_add", "depreciation", "rou_mod", "rou_term", "rou_close", "lease_cost",
           "cash_paid")


@dataclass
class _Totals:
    """The leases' figures, and their sums per (exemption, classification, asset class): every
    aggregate of the pack is a sum over those few groups, not over every lease again."""

    figs: list[LeaseFigures] = field(default_factory=list)
    groups: list[LeaseFigures] = field(default_factory=list)

    def __post_init__(self) -> None:
        by: dict[tuple[str | None, str | None, str], LeaseFigures] = {}
        for f in self.figs:
            key = (f.facts.exemption, f.facts.classification, f.facts.asset_class)
            g = by.get(key)
            if g is None:
                g = by[key] = LeaseFigures(f.facts)
            for attr in NUMERIC:
                setattr(g, attr, getattr(g, attr) + getattr(f, attr))
        self.groups = list(by.values())

    def sum(self, attr: str, pred: Pred = lambda f: True) -> Decimal:
        return sum((getattr(f, attr) for f in self.groups if pred(f)), ZERO)


def _m(v: Decimal, ccy: str) -> str:
    return str(quantize(v, ccy))


LIAB_ROWS = (("opening", "Opening balance", "liab_open"), ("additions", "Additions (new leases)", "liab_add"),
             ("modifications", "Modifications and remeasurements", "liab_mod"),
             ("interest", "Interest (accretion)", "interest"), ("payments", "Payments", "payments"),
             ("fx", "Foreign exchange differences", "fx"), ("terminations", "Terminations", "liab_term"),
             ("closing", "Closing balance", "liab_close"))
ROU_ROWS = (("opening", "Opening balance", "rou_open"), ("additions", "Additions (new leases)", "rou_add"),
            ("modifications", "Modifications and remeasurements", "rou_mod"),
            ("depreciation", "Depreciation / amortisation", "depreciation"),
            ("terminations", "Terminations", "rou_term"), ("closing", "Closing balance", "rou_close"))
SIGN = {"payments": -1, "depreciation": -1}


def build_lease_pack(leases: Iterable[LeaseFacts], *, standard: str, window: Window, currency: str,
                     entity: str, ledger: LedgerFigures | None = None, maturity_bands: Sequence[int] | None = None,
                     variable_lease_expense: Mapping[str, Decimal] | None = None) -> Json:
    """The pack of ``leases`` (one book each, current version) for ``standard`` over ``window``.

    ``variable_lease_expense`` (by class of underlying asset) is variable payments not in the
    liability: the engine does not schedule them, so the caller passes what the entity recorded
    (zero otherwise, and the narrative says so)."""
    ccy = currency
    # one lease at a time: its columns are read and let go (a portfolio's schedules need not fit in
    # memory at once); only the figures, with the facts minus their columns, are kept
    all_figs = []
    for f in leases:
        if f.standard == standard:
            fig = figures(f, window, ccy)
            fig.facts = FactsView(f)
            all_figs.append(fig)
    all_figs.sort(key=lambda g: (g.facts.lease_id, g.facts.external_id))
    problems = [f for f in all_figs if f.problem]
    t = _Totals([f for f in all_figs if not f.problem])
    rec: Pred = lambda f: f.facts.recognised
    fin: Pred = lambda f: f.facts.recognised and f.facts.kind == "finance"
    opl: Pred = lambda f: f.facts.recognised and f.facts.kind == "operating"
    variable = {k: quantize(v, ccy) for k, v in (variable_lease_expense or {}).items()}
    variable_total = sum(variable.values(), ZERO)
    end = window.end_date
    checks: list[Json] = []
    sections: list[Json] = []
    titles = SECTION_TITLES[standard]
    asc = standard == "ASC842"
    groups: tuple[tuple[str, Pred], ...] = (("operating", opl), ("finance", fin)) if asc else (("amount", rec),)

    # ------------------------------------------------------------ P&L and cash amounts
    short = t.sum("lease_cost", lambda f: f.facts.exemption == "short_term")
    low = t.sum("lease_cost", lambda f: f.facts.exemption == "low_value")
    cash_total = t.sum("cash_paid")
    classes = sorted({f.facts.asset_class or "unclassified" for f in t.figs if rec(f)})
    def by_class(attr: str, c: str) -> Decimal:
        return t.sum(attr, lambda f: rec(f) and (f.facts.asset_class or "unclassified") == c)
    rows: list[Json]
    amt_cols = [column("label", "", "text"), column("amount", f"Amount ({ccy})")]
    if not asc:
        rows = [{"key": f"depreciation:{c}", "label": f"Depreciation of right-of-use assets – {c}",
                 "amount": _m(by_class("depreciation", c), ccy)} for c in classes]
        interest = t.sum("interest", rec)
        additions = t.sum("rou_add", rec)
        rows += [{"key": "interest", "label": "Interest expense on lease liabilities", "amount": _m(interest, ccy)},
                 {"key": "short_term", "label": "Expense relating to short-term leases", "amount": _m(short, ccy)},
                 {"key": "low_value", "label": "Expense relating to leases of low-value assets (not short-term)",
                  "amount": _m(low, ccy)},
                 {"key": "variable", "label": "Variable lease payments not included in lease liabilities",
                  "amount": _m(variable_total, ccy)},
                 {"key": "cash_outflow", "label": "Total cash outflow for leases", "amount": _m(cash_total, ccy)},
                 {"key": "additions", "label": "Additions to right-of-use assets", "amount": _m(additions, ccy)}]
        rows += [{"key": f"carrying:{c}", "label": f"Carrying amount of right-of-use assets – {c}",
                  "amount": _m(by_class("rou_close", c), ccy)} for c in classes]
        dep_total = t.sum("depreciation", rec)
        text = (f"Depreciation of right-of-use assets was {fmt(dep_total, ccy)} and interest on lease liabilities "
                f"{fmt(interest, ccy)} for {window.label}; total cash outflow for leases was {fmt(cash_total, ccy)}. "
                f"Right-of-use assets of {fmt(additions, ccy)} were added.")
        sections.append(section("amounts", titles["amounts"], amt_cols, rows, text, reference="IFRS 16.53"))
        checks.append(check("depreciation_by_class_sums", dep_total,
                            sum((by_class("depreciation", c) for c in classes), ZERO), source="schedules",
                            section="amounts", currency=ccy))
    else:
        op_cost = t.sum("lease_cost", opl)
        amort, fin_int = t.sum("depreciation", fin), t.sum("interest", fin)
        total_cost = op_cost + amort + fin_int + short + variable_total
        rows = [{"key": "finance_amortisation", "label": "Finance lease cost: amortisation of right-of-use assets",
                 "amount": _m(amort, ccy)},
                {"key": "finance_interest", "label": "Finance lease cost: interest on lease liabilities",
                 "amount": _m(fin_int, ccy)},
                {"key": "operating", "label": "Operating lease cost", "amount": _m(op_cost, ccy)},
                {"key": "short_term", "label": "Short-term lease cost", "amount": _m(short, ccy)},
                {"key": "variable", "label": "Variable lease cost", "amount": _m(variable_total, ccy)},
                {"key": "total", "label": "Total lease cost", "amount": _m(total_cost, ccy), "total": True}]
        text = (f"Total lease cost for {window.label} was {fmt(total_cost, ccy)}: operating lease cost "
                f"{fmt(op_cost, ccy)}, finance lease cost {fmt(amort + fin_int, ccy)} (amortisation "
                f"{fmt(amort, ccy)}, interest {fmt(fin_int, ccy)}) and short-term lease cost {fmt(short, ccy)}.")
        sections.append(section("amounts", titles["amounts"], amt_cols, rows, text, reference="ASC 842-20-50-4"))

    # ------------------------------------------------------------ maturity analysis
    bounds_used = tuple(maturity_bands or (ASC_BANDS if asc else IFRS_BANDS))
    if any(m <= 0 or m % 12 for m in bounds_used) or list(bounds_used) != sorted(set(bounds_used)):
        from ..errors import EngineError
        raise EngineError("invalid_maturity_bands", "Maturity bands are increasing whole years in months "
                          "(e.g. 12, 24, 60).", field="maturity_bands")
    mat_groups = {}
    for g, pred in groups:
        mat_groups[g] = maturity_table([f for f in t.figs if pred(f)], end, standard, ccy, maturity_bands)
    total_mat = maturity_table([f for f in t.figs if rec(f)], end, standard, ccy, maturity_bands)
    gnames = [g for g, _ in groups]
    mcols = [column("label", "", "text")] + ([column(g, g.title()) for g in gnames] + [column("total", "Total")]
                                              if asc else [column("amount", f"Amount ({ccy})")])

    def mrow(key: str, label: str, getter: Callable[[dict[str, Any]], Decimal], **kw: Any) -> Json:
        r: Json = {"key": key, "label": label, **kw}
        if asc:
            for g in gnames:
                r[g] = _m(getter(mat_groups[g]), ccy)
            r["total"] = _m(getter(total_mat), ccy)
        else:
            r["amount"] = _m(getter(total_mat), ccy)
        return r

    def band(k: int) -> Callable[[dict[str, Any]], Decimal]:
        return lambda m: Decimal(m["bands"][k]["amount"])

    mrows = [mrow(f"band:{k}", b["label"], band(k)) for k, b in enumerate(total_mat["bands"])]
    mrows += [mrow("total_undiscounted", "Total undiscounted lease payments", lambda m: m["total_undiscounted"],
                   total=True),
              mrow("imputed_interest", "Less: imputed interest", lambda m: -m["imputed_interest"]),
              mrow("lease_liability", "Lease liabilities (discounted)", lambda m: m["lease_liability"], total=True),
              mrow("current", "of which current", lambda m: m["current"]),
              mrow("noncurrent", "of which non-current", lambda m: m["noncurrent"])]
    text = (f"Undiscounted lease payments of {fmt(total_mat['total_undiscounted'], ccy)} remain at "
            f"{end.isoformat()}; after imputed interest of {fmt(total_mat['imputed_interest'], ccy)} the lease "
            f"liabilities are {fmt(total_mat['lease_liability'], ccy)} ({fmt(total_mat['current'], ccy)} current).")
    sections.append(section("maturity", titles["maturity"], mcols, mrows, text,
                            reference="ASC 842-20-50-6" if asc else "IFRS 16.58; IFRS 7.39(a), B11",
                            chart={"type": "column", "rows": [r["key"] for r in mrows if r["key"].startswith("band:")],
                                   "values": gnames if asc else ["amount"]}))
    for g, pred in groups:
        m = mat_groups[g]
        members = [f for f in t.figs if pred(f)]
        if any(f.remaining_flows is not None for f in members):
            flows = flow_band_amounts(members, end, bounds_used, ccy)
            checks.append(check(f"maturity_bands_equal_dated_cash_flows{'' if not asc else ':' + g}",
                                [money(x, ccy) for x in flows], [money(b["amount"], ccy) for b in m["bands"]],
                                source="schedules", section="maturity",
                                detail="payment rows of the schedules after the reporting date vs the dated "
                                       "in-liability cash flows, band by band"))
        checks.append(check(f"maturity_reconciles_to_liability{'' if not asc else ':' + g}",
                            m["lease_liability"], m["total_undiscounted"] - m["imputed_interest"],
                            source="schedules", section="maturity", currency=ccy))

    # ------------------------------------------------------------ roll-forwards
    rf_cols = [column("label", "", "text")] + ([column(g, g.title()) for g in gnames] + [column("total", "Total")]
                                                if asc else [column("amount", f"Amount ({ccy})")])
    liab_rows = _rollforward(LIAB_ROWS, t, groups, asc, ccy)
    sections.append(section("liability_rollforward", titles["liability_rollforward"], rf_cols, liab_rows,
                            _rf_text("Lease liabilities", liab_rows, asc, ccy),
                            reference="IFRS 16.53; IAS 7.44A-E" if not asc else "ASC 842-20-50",
                            chart={"type": "column", "rows": [r["key"] for r in liab_rows], "values":
                                   ["total" if asc else "amount"]}))
    if asc:
        rou_groups, rou_cols = groups, rf_cols
    else:
        rou_groups = tuple((c, _class_pred(c)) for c in classes)
        rou_cols = [column("label", "", "text")] + [column(c, c.title()) for c in classes] + [column("total", "Total")]
    rou_rows = _rollforward(ROU_ROWS, t, rou_groups, True, ccy, total_pred=rec)
    sections.append(section("rou_rollforward", titles["rou_rollforward"], rou_cols, rou_rows,
                            _rf_text("Right-of-use assets", rou_rows, True, ccy),
                            reference="IFRS 16.53(h),(j)" if not asc else "ASC 842-20-50",
                            chart={"type": "column", "rows": [r["key"] for r in rou_rows], "values": ["total"]}))
    for name, spec, pred in (("liability", LIAB_ROWS, rec), ("rou", ROU_ROWS, rec)):
        moved = sum((SIGN.get(k, 1) * t.sum(attr, pred) for k, _, attr in spec if k != "closing"), ZERO)
        closing_attr = spec[-1][2]
        checks.append(check(f"{name}_rollforward_closes", t.sum(closing_attr, pred), moved, source="schedules",
                            section=f"{name}_rollforward", currency=ccy,
                            detail="opening + movements = closing balance of the schedules"))
    liab_close = t.sum("liab_close", rec)
    rou_close = t.sum("rou_close", rec)
    checks.append(check("maturity_liability_equals_rollforward_closing", liab_close, total_mat["lease_liability"],
                        source="schedules", section="maturity", currency=ccy))
    if not asc:
        checks.append(check("carrying_amount_by_class_sums", rou_close,
                            sum((by_class("rou_close", c) for c in classes), ZERO), source="schedules",
                            section="amounts", currency=ccy))

    # ------------------------------------------------------------ ASC 842 cash flows and averages
    if asc:
        op_pay, fin_pay = t.sum("payments", opl), t.sum("payments", fin)
        fin_int = t.sum("interest", fin)
        fin_int_paid = min(fin_int, fin_pay)
        crow = [{"key": "operating_cash_operating", "label": "Operating cash flows from operating leases",
                 "amount": _m(op_pay, ccy)},
                {"key": "operating_cash_finance", "label": "Operating cash flows from finance leases (interest)",
                 "amount": _m(fin_int_paid, ccy)},
                {"key": "financing_cash_finance", "label": "Financing cash flows from finance leases (principal)",
                 "amount": _m(fin_pay - fin_int_paid, ccy)},
                {"key": "rou_obtained_operating", "label": "ROU assets obtained in exchange for new operating lease "
                 "liabilities", "amount": _m(t.sum("liab_add", opl), ccy)},
                {"key": "rou_obtained_finance", "label": "ROU assets obtained in exchange for new finance lease "
                 "liabilities", "amount": _m(t.sum("liab_add", fin), ccy)}]
        text = (f"Cash paid for amounts included in the measurement of lease liabilities was "
                f"{fmt(op_pay + fin_pay, ccy)} ({fmt(op_pay, ccy)} operating, {fmt(fin_pay, ccy)} finance).")
        sections.append(section("cash_flows", titles["cash_flows"], amt_cols, crow, text,
                                reference="ASC 842-20-50-4(g)(1)-(2)"))
        wrows = []
        for g, pred in groups:
            term, rate = _weighted(t.figs, pred, end)
            wrows.append({"key": g, "label": f"{g.title()} leases", "remaining_term_years": term,
                          "discount_rate_percent": rate})
        text = ("Remaining lease terms are weighted by the lease liability at the reporting date and discount rates "
                "by the remaining undiscounted lease payments (ASC 842-20-55-12).")
        sections.append(section("weighted_averages", titles["weighted_averages"],
                                [column("label", "", "text"), column("remaining_term_years", "Remaining term (years)",
                                                                     "number"),
                                 column("discount_rate_percent", "Discount rate (%)", "percent")], wrows, text,
                                reference="ASC 842-20-50-4(g)(3)-(4)"))

    # ------------------------------------------------------------ exemptions and variable payments
    n_short = sum(1 for f in t.figs if f.facts.exemption == "short_term" and f.active)
    n_low = sum(1 for f in t.figs if f.facts.exemption == "low_value" and f.active)
    erows = [{"key": "short_term", "label": "Short-term leases (count)", "amount": str(n_short)}]
    if not asc:
        erows.append({"key": "low_value", "label": "Leases of low-value assets (count)", "amount": str(n_low)})
    erows += [{"key": f"variable:{c}", "label": f"Variable payments not in the liability – {c}",
               "amount": _m(v, ccy)} for c, v in sorted(variable.items())]
    text = ("The entity applies the recognition exemptions for short-term leases"
            + ("" if asc else " and leases of low-value assets") + "; payments under these leases are recognised "
            "as an expense on a straight-line basis. "
            + ("Variable lease payments not included in the lease liabilities are as recorded by the entity."
               if variable else "No variable lease payments outside the lease liabilities were recorded."))
    sections.append(section("exemptions", titles["exemptions"], [column("label", "", "text"),
                                                                  column("amount", "Amount", "text")],
                            erows, text, reference="IFRS 16.60, 16.53(c)-(e)" if not asc else "ASC 842-20-50-4(c)-(d)"))

    # ------------------------------------------------------------ inputs and the ledger
    checks.append(check("leases_included", len(all_figs), len(t.figs), source="schedules",
                        detail="; ".join(f"{f.facts.external_id or f.facts.lease_id}: {f.problem}"
                                         for f in problems[:20])))
    if ledger is not None:
        checks += _ledger_checks(ledger, t, asc, ccy, liab_close, rou_close, short, low)
    maturity_out: Json = {"bands": [{"label": b["label"], "amount": _m(b["amount"], ccy)} for b in total_mat["bands"]],
                    "total_undiscounted": _m(total_mat["total_undiscounted"], ccy),
                    "imputed_interest": _m(total_mat["imputed_interest"], ccy),
                    "lease_liability": _m(total_mat["lease_liability"], ccy),
                    "current": _m(total_mat["current"], ccy), "noncurrent": _m(total_mat["noncurrent"], ccy)}
    if asc:
        maturity_out["by_classification"] = {
            g: {"bands": [{"label": b["label"], "amount": _m(b["amount"], ccy)} for b in m["bands"]],
                "total_undiscounted": _m(m["total_undiscounted"], ccy),
                "imputed_interest": _m(m["imputed_interest"], ccy), "lease_liability": _m(m["lease_liability"], ccy)}
            for g, m in mat_groups.items()}
    counts: defaultdict[str, int] = defaultdict(int)
    for fg in t.figs:
        if fg.active or fg.liab_close:
            counts[fg.facts.kind] += 1
    return {"source": "lease", "entity": entity, "period": window.label, "window": window.to_dict(),
            "standard": standard, "currency": ccy, "lease_counts": dict(sorted(counts.items())),
            "sections": sections, "maturity_analysis": maturity_out, "checks": checks,
            "checks_ok": all(c["ok"] for c in checks)}


def _class_pred(c: str) -> Pred:
    return lambda f: f.facts.recognised and (f.facts.asset_class or "unclassified") == c


def _rollforward(spec: Sequence[tuple[str, str, str]], t: _Totals, groups: Sequence[tuple[str, Pred]],
                 with_total: bool, ccy: str, total_pred: Pred | None = None) -> list[Json]:
    rows = []
    for key, label, attr in spec:
        r: Json = {"key": key, "label": label}
        tot = ZERO
        for g, pred in groups:
            v = SIGN.get(key, 1) * t.sum(attr, pred)
            tot += v
            r[g] = money(v, ccy)
        if with_total:
            if total_pred is not None:
                tot = SIGN.get(key, 1) * t.sum(attr, total_pred)
            r["total"] = money(tot, ccy)
        if key in ("opening", "closing"):
            r["total_row"] = True
        rows.append(r)
    return rows


def _rf_text(what: str, rows: list[Json], has_total: bool, ccy: str) -> str:
    col = "total" if has_total else "amount"
    v = {r["key"]: Decimal(r[col]) for r in rows}
    parts = [f"{what} moved from {fmt(v['opening'], ccy)} to {fmt(v['closing'], ccy)}"]
    if v.get("additions"):
        parts.append(f"new leases added {fmt(v['additions'], ccy)}")
    if v.get("modifications"):
        parts.append(f"modifications and remeasurements {fmt(v['modifications'], ccy)}")
    if v.get("terminations"):
        parts.append(f"terminations {fmt(v['terminations'], ccy)}")
    if v.get("fx"):
        parts.append(f"exchange differences {fmt(v['fx'], ccy)}")
    return "; ".join(parts) + "."


def _weighted(figs: Sequence[LeaseFigures], pred: Pred, end: date) -> tuple[str | None, str | None]:
    wt_term = wt_rate = ZERO
    sum_l = sum_p = ZERO
    for f in figs:
        if not pred(f) or f.liab_close <= 0:
            continue
        years = Decimal(max((f.facts.end_date - end).days, 0)) / Decimal("365.25")
        wt_term += years * f.liab_close
        sum_l += f.liab_close
        pay = sum(f.remaining, ZERO) * (f.closing_rate or 1)
        if f.facts.discount_rate is not None:
            wt_rate += f.facts.discount_rate * pay
            sum_p += pay
    term = str((wt_term / sum_l).quantize(Decimal("0.01"))) if sum_l else None
    rate = str((wt_rate * 100 / sum_p).quantize(Decimal("0.0001"))) if sum_p else None
    return term, rate


def _ledger_checks(ledger: LedgerFigures, t: _Totals, asc: bool, ccy: str, liab_close: Decimal,
                   rou_close: Decimal, short: Decimal, low: Decimal) -> list[Json]:
    b, mv = ledger.balances, ledger.movements
    def g(d: Mapping[str, Decimal], k: str) -> Decimal:
        return d.get(k, ZERO)

    rec: Pred = lambda f: f.facts.recognised
    opl: Pred = lambda f: rec(f) and f.facts.kind == "operating"
    not_opl: Pred = lambda f: rec(f) and not opl(f)
    src = "ledger (approved journals)"
    out = [
        check("ledger_lease_liability", -(g(b, "LEASE_LIABILITY_CURRENT") + g(b, "LEASE_LIABILITY_NONCURRENT")),
              liab_close, source=src, section="liability_rollforward", currency=ccy),
        check("ledger_lease_liability_current", -g(b, "LEASE_LIABILITY_CURRENT"), t.sum("liab_current", rec),
              source=src, section="maturity", currency=ccy),
        check("ledger_rou_carrying_amount", g(b, "ROU_ASSET") + g(b, "ROU_ACCUMULATED_DEPRECIATION"), rou_close,
              source=src, section="rou_rollforward", currency=ccy),
        check("ledger_interest_expense", g(mv, "INTEREST_EXPENSE"), t.sum("interest", not_opl), source=src,
              section="amounts", currency=ccy),
        check("ledger_depreciation_expense", g(mv, "DEPRECIATION_EXPENSE"), t.sum("depreciation", not_opl),
              source=src, section="amounts", currency=ccy),
        check("ledger_lease_expense", g(mv, "LEASE_EXPENSE"), t.sum("lease_cost", opl) + short + low, source=src,
              section="amounts", currency=ccy,
              detail="operating lease cost (ASC 842) and short-term / low-value expense"),
        check("ledger_fx_differences", g(mv, "FX_GAIN_LOSS"), t.sum("fx", rec), source=src,
              section="liability_rollforward", currency=ccy),
    ]
    if ledger.other_currencies:
        out.append(check("ledger_single_currency", [], list(ledger.other_currencies), source=src,
                         detail=f"journal lines in currencies other than {ccy} are not in the tie-out"))
    return out
