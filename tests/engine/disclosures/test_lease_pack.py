"""The pure lease pack builder over engine schedules: windows, roll-forwards recomputed lease by lease
from the schedule columns (FX through functional columns, events from the event results), monthly
packs adding up to the year, the ledger tie-out naming both numbers, overrides and byte-stable JSON."""
from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from backend.engine.disclosures import (
    LeaseFacts,
    LedgerFigures,
    apply_overrides,
    build_lease_pack,
    parse_window,
    to_json,
)
from backend.engine.errors import EngineError
from backend.engine.leases import LeasePolicy, apply_events, parse_event, parse_lease
from tests.engine.disclosures.portfolio import EVENTS, LEASES, POLICY, fx_rate, portfolio

D0 = Decimal(0)


@pytest.fixture(scope="module")
def facts():
    return portfolio()


def _rows(pack, sid):
    sec = next(s for s in pack["sections"] if s["id"] == sid)
    return {r["key"]: r for r in sec["table"]["rows"]}


def test_windows():
    assert parse_window("2026-12").first == parse_window("2026-12").last == "2026-12"
    w = parse_window("2027")
    assert (w.label, w.first, w.last, w.end_date) == ("FY2027", "2027-01", "2027-12", date(2027, 12, 31))
    w = parse_window("FY2027", "03-31")
    assert (w.first, w.last, w.end_date) == ("2026-04", "2027-03", date(2027, 3, 31))
    for bad in ("2026-13", "26", "x", ""):
        with pytest.raises(EngineError):
            parse_window(bad)


def _col(f: LeaseFacts, name):
    fx = f.currency != "USD"
    c = f.columns.get(name + "_functional") if fx and (name + "_functional") in f.columns else f.columns[name]
    return c


def _sum(f, name, first="2027-01", last="2027-12"):
    return sum((v or D0 for p, v in zip(f.periods_keys, _col(f, name)) if first <= p <= last), D0)


def _at(f, name, period):
    vals = [v for p, v in zip(f.periods_keys, _col(f, name)) if p <= period]
    return vals[-1] if vals else D0


@pytest.mark.parametrize("std", ["IFRS16", "ASC842"])
def test_rollforward_lines_recomputed_lease_by_lease(facts, std):
    pack = build_lease_pack(facts, standard=std, window=parse_window("2027"), currency="USD", entity="E1")
    assert pack["checks_ok"], [c for c in pack["checks"] if not c["ok"]]
    books = {f.external_id: f for f in facts if f.standard == std and f.recognised}
    col = "total" if std == "ASC842" else "amount"
    lrf = {k: Decimal(r[col]) for k, r in _rows(pack, "liability_rollforward").items()}
    assert lrf["opening"] == sum((_at(f, "closing_liability", "2026-12") for f in books.values()), D0)
    assert lrf["closing"] == sum((_at(f, "closing_liability", "2027-12") for f in books.values()), D0)
    assert lrf["interest"] == sum((_sum(f, "interest") for f in books.values()), D0)
    assert lrf["payments"] == -sum((_sum(f, "payment") for f in books.values()), D0)
    assert lrf["fx"] == _sum(books["FX-1"], "fx_gain_loss") != 0
    assert lrf["additions"] == books["NEW-27"].initial_liability
    # the events' own figures, from a separate replay of each lease
    policy = LeasePolicy.from_dict(POLICY)
    results = {}
    for ext in ("MOD-1", "TERM-1"):
        evs = [parse_event(t, d, c) for t, d, c in EVENTS[ext]]
        results[ext] = apply_events(parse_lease(LEASES[ext]), policy, std, evs, fx_rates=fx_rate)[-1].summary
    assert lrf["terminations"] == -results["TERM-1"]["liability_before"]
    assert lrf["modifications"] == results["MOD-1"]["liability_after"] - results["MOD-1"]["liability_before"]
    rrf = {k: Decimal(r["total"]) for k, r in _rows(pack, "rou_rollforward").items()}
    assert rrf["terminations"] == -results["TERM-1"]["rou_before"]
    assert rrf["closing"] == sum((_at(f, "closing_rou_asset", "2027-12") for f in books.values()), D0)
    assert rrf["depreciation"] == -sum((_sum(f, "depreciation") for f in books.values()), D0)


def test_twelve_monthly_packs_add_up_to_the_year(facts):
    year = build_lease_pack(facts, standard="ASC842", window=parse_window("2027"), currency="USD", entity="E1")
    months = [build_lease_pack(facts, standard="ASC842", window=parse_window(f"2027-{m:02d}"), currency="USD",
                               entity="E1") for m in range(1, 13)]
    y = {k: Decimal(r["total"]) for k, r in _rows(year, "liability_rollforward").items()}
    ms = [{k: Decimal(r["total"]) for k, r in _rows(p, "liability_rollforward").items()} for p in months]
    assert ms[0]["opening"] == y["opening"] and ms[-1]["closing"] == y["closing"]
    for k in ("additions", "modifications", "interest", "payments", "fx", "terminations"):
        assert sum((m[k] for m in ms), D0) == y[k], k
    for a, b in itertools.pairwise(ms):
        assert a["closing"] == b["opening"]
    ya = {k: Decimal(r["amount"]) for k, r in _rows(year, "amounts").items()}
    assert sum((Decimal(_rows(p, "amounts")["operating"]["amount"]) for p in months), D0) == ya["operating"]


def test_ledger_tie_out_lists_both_numbers(facts):
    w = parse_window("2027")
    clean = build_lease_pack(facts, standard="IFRS16", window=w, currency="USD", entity="E1")
    lrf = _rows(clean, "liability_rollforward")
    liability = Decimal(lrf["closing"]["amount"])
    ledger = LedgerFigures(balances={"LEASE_LIABILITY_CURRENT": D0, "LEASE_LIABILITY_NONCURRENT": -(liability - 1)},
                           movements={})
    pack = build_lease_pack(facts, standard="IFRS16", window=w, currency="USD", entity="E1", ledger=ledger)
    failing = {c["name"]: c for c in pack["checks"] if not c["ok"]}
    assert failing["ledger_lease_liability"]["expected"] == str(liability - 1)
    assert failing["ledger_lease_liability"]["actual"] == str(liability)
    assert not pack["checks_ok"]


def test_a_lease_without_pack_currency_columns_is_reported_not_dropped_silently(facts):
    eur = next(f for f in facts if f.external_id == "FX-1" and f.standard == "IFRS16")
    broken = LeaseFacts(**{**eur.__dict__, "functional_currency": None})
    pack = build_lease_pack([broken], standard="IFRS16", window=parse_window("2027"), currency="USD", entity="E1")
    check = next(c for c in pack["checks"] if c["name"] == "leases_included")
    assert not check["ok"] and "FX-1" in check["detail"]


def test_overrides_apply_without_rebuilding_and_json_is_byte_stable(facts):
    pack = build_lease_pack(facts, standard="ASC842", window=parse_window("2027"), currency="USD", entity="E1")
    again = build_lease_pack(list(reversed(facts)), standard="ASC842", window=parse_window("2027"), currency="USD",
                             entity="E1")
    assert to_json(pack) == to_json(again)
    out = apply_overrides(pack, {"maturity": {"text": "Auditor text", "version": 3, "created_by": "u1",
                                              "reason": "why"}})
    sec = next(s for s in out["sections"] if s["id"] == "maturity")["narrative"]
    assert sec["final"] == "Auditor text" and sec["generated"] != "Auditor text" and sec["override"]["version"] == 3
    assert next(s for s in pack["sections"] if s["id"] == "maturity")["narrative"]["override"] is None  # input untouched
    assert out["narratives_overridden"] == ["maturity"]


def test_asc_sections_and_weighted_averages(facts):
    pack = build_lease_pack(facts, standard="ASC842", window=parse_window("2027"), currency="USD", entity="E1")
    ids = [s["id"] for s in pack["sections"]]
    assert ids == ["amounts", "maturity", "liability_rollforward", "rou_rollforward", "cash_flows",
                   "weighted_averages", "exemptions"]
    wa = _rows(pack, "weighted_averages")
    fin = [f for f in facts if f.standard == "ASC842" and f.classification == "finance"]
    assert wa["finance"]["discount_rate_percent"] == "6.0000" and len(fin) == 1
    years = Decimal((fin[0].end_date - date(2027, 12, 31)).days) / Decimal("365.25")
    assert wa["finance"]["remaining_term_years"] == str(years.quantize(Decimal("0.01")))
    cash = _rows(pack, "cash_flows")
    paid = sum(Decimal(cash[k]["amount"]) for k in ("operating_cash_operating", "operating_cash_finance",
                                                   "financing_cash_finance"))
    lrf = _rows(pack, "liability_rollforward")
    assert paid == -Decimal(lrf["payments"]["total"])
