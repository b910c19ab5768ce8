"""Accounting rules over plain rows (issue #13): IBR lookup, FX-rate choice with staleness,
and the lease assessment that validate, confirm and engine runs share."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.engine.fx_rates import MAX_AGE_DAYS, FxRow, FxTable, select_rate
from backend.engine.leases import IbrMatrix, IbrRow, LeasePolicy, assess_lease, check_ibr_matrix, resolve_ibr

D0 = date(2024, 1, 1)


def _row(v, eff, ccy, lo, hi, rate):
    return IbrRow(matrix_version=v, effective_date=eff, currency=ccy, term_from_months=lo, term_to_months=hi,
                  rate=Decimal(rate))


MATRIX = [_row(1, D0, "USD", 1, 60, "0.05"), _row(1, D0, "USD", 61, 120, "0.06"),
          _row(2, date(2025, 1, 1), "USD", 1, 60, "0.055"), _row(1, D0, "EUR", 1, 120, "0.04")]


def test_ibr_newest_matrix_effective_on_commencement_whose_band_holds_the_term():
    rate, src = resolve_ibr(MATRIX, "USD", 36, date(2024, 6, 30))
    assert rate == Decimal("0.05") and src["matrix_version"] == 1 and src["term_band"] == "1-60 months"
    assert resolve_ibr(MATRIX, "USD", 36, date(2025, 1, 1))[0] == Decimal("0.055")
    assert resolve_ibr(MATRIX, "USD", 84, date(2025, 6, 1))[0] == Decimal("0.06")  # v2 has no 61-120 band
    assert resolve_ibr(MATRIX, "USD", 121, date(2025, 6, 1)) is None
    assert resolve_ibr(MATRIX, "GBP", 12, date(2025, 6, 1)) is None
    assert resolve_ibr(MATRIX, "USD", 12, date(2023, 12, 31)) is None  # before any matrix


def test_ibr_matrix_checks():
    errs = check_ibr_matrix([{"currency": "USD", "term_from_months": 1, "term_to_months": 60},
                             {"currency": "USD", "term_from_months": 60, "term_to_months": 120},
                             {"currency": "EUR", "term_from_months": 13, "term_to_months": 12}])
    assert {e["code"] for e in errs} == {"overlapping_bands", "invalid_band"}


rows = st.lists(st.builds(_row, st.integers(1, 5), st.dates(date(2020, 1, 1), date(2026, 12, 31)),
                          st.sampled_from(["USD", "EUR"]), st.integers(1, 60), st.integers(60, 240),
                          st.integers(1, 999).map(lambda b: str(Decimal(b) / 10000))), max_size=12,
                # as check_ibr_matrix guarantees: one band per version and currency holds a term
                unique_by=lambda r: (r.effective_date, r.matrix_version, r.currency))


@settings(max_examples=200, deadline=None)
@given(rows, st.integers(1, 240), st.dates(date(2020, 1, 1), date(2027, 12, 31)), st.randoms())
def test_ibr_lookup_properties(matrix, term, as_of, rnd):
    found = resolve_ibr(matrix, "USD", term, as_of)
    shuffled = list(matrix)
    rnd.shuffle(shuffled)
    assert resolve_ibr(shuffled, "USD", term, as_of) == found  # row order never matters
    eligible = [r for r in matrix if r.currency == "USD" and r.effective_date <= as_of
                and r.term_from_months <= term <= r.term_to_months]
    if not eligible:
        assert found is None
        return
    rate, src = found
    newest = max((r.effective_date, r.matrix_version) for r in eligible)
    assert (date.fromisoformat(src["effective_date"]), src["matrix_version"]) == newest
    assert rate in {r.rate for r in eligible if (r.effective_date, r.matrix_version) == newest}


def test_fx_rate_of_the_day_or_within_seven_days_else_missing():
    rows_ = [FxRow("EUR", "USD", date(2024, 1, 31), Decimal("1.08"))]
    t = FxTable(rows_)
    assert t("EUR", "USD", date(2024, 1, 31)) == Decimal("1.08")
    assert t("EUR", "USD", date(2024, 2, 7)) == Decimal("1.08")  # 7 days old: still used
    assert t("EUR", "USD", date(2024, 2, 8)) is None  # stale: never used silently
    assert t("EUR", "USD", date(2024, 1, 30)) is None  # no rate yet
    assert t("USD", "EUR", date(2024, 2, 1)) == 1 / Decimal("1.08")  # inverse pair
    assert t("USD", "USD", date(1999, 1, 1)) == 1
    assert t.has_pair("USD", "EUR") and not t.has_pair("USD", "GBP")
    assert select_rate(rows_, "EUR", "USD", date(2024, 2, 1)) == Decimal("1.08")


fx_rows = st.lists(st.builds(FxRow, st.just("EUR"), st.just("USD"), st.dates(date(2024, 1, 1), date(2024, 3, 31)),
                             st.integers(50, 200).map(lambda c: Decimal(c) / 100)), max_size=15,
                   unique_by=lambda r: r.rate_date)


@settings(max_examples=200, deadline=None)
@given(fx_rows, st.dates(date(2024, 1, 1), date(2024, 4, 30)))
def test_fx_selection_properties(series, on):
    r = FxTable(series)("EUR", "USD", on)
    past = [x for x in series if x.rate_date <= on]
    if not past or (on - max(x.rate_date for x in past)).days > MAX_AGE_DAYS:
        assert r is None
    else:
        latest = max(past, key=lambda x: x.rate_date)
        assert r == latest.rate and (on - latest.rate_date) <= timedelta(days=MAX_AGE_DAYS)
    inverse = FxTable(series)("USD", "EUR", on)
    assert (inverse is None) == (r is None) and (r is None or inverse == 1 / r)


LEASE = {"currency": "USD", "asset_class": "building", "commencement_date": "2024-03-01", "end_date": "2029-02-28",
         "payments": [{"from": "2024-03-01", "to": "2029-02-01", "amount": "1000", "frequency": "monthly"}]}
NO_FX = FxTable([])


def test_assessment_resolves_the_ibr_and_records_its_source():
    a = assess_lease(LEASE, LeasePolicy(), IbrMatrix(MATRIX), NO_FX)
    assert a.errors == [] and a.discount_rate == Decimal("0.05") and a.rate_source["term_months"] == 60
    assert not any(i["code"] == "discount_rate_missing" for i in a.issues)
    own = assess_lease(dict(LEASE, discount_rate="0.07"), LeasePolicy(), IbrMatrix([]), NO_FX)
    assert own.discount_rate == Decimal("0.07") and own.rate_source == {"source": "lease"}
    missing = assess_lease(LEASE, LeasePolicy(), IbrMatrix([]), NO_FX)
    assert [(e["field"], e["code"]) for e in missing.errors] == [("discount_rate", "discount_rate_missing")]


def test_assessment_exempt_and_implicit_leases_need_no_ibr():
    short = dict(LEASE, end_date="2025-02-28", payments=[dict(LEASE["payments"][0], to="2025-02-01")])
    a = assess_lease(short, LeasePolicy(), IbrMatrix([]), NO_FX)
    assert a.errors == [] and a.discount_rate is None
    implicit = dict(LEASE, discount_rate="implicit", fair_value="50000")
    b = assess_lease(implicit, LeasePolicy(), IbrMatrix([]), NO_FX)
    assert b.errors == [] and b.rate_source == {"source": "implicit"}
    bad = assess_lease(dict(implicit, fair_value="5"), LeasePolicy(), IbrMatrix([]), NO_FX)
    assert [e["code"] for e in bad.errors] == ["implicit_rate_unsolvable"]


def test_assessment_needs_the_commencement_fx_rate_only():
    eur = dict(LEASE, currency="EUR", discount_rate="0.05")
    policy = LeasePolicy(functional_currency="USD")
    ok = assess_lease(eur, policy, IbrMatrix([]), FxTable([FxRow("EUR", "USD", date(2024, 3, 1), Decimal("1.1"))]))
    assert ok.errors == []
    late = assess_lease(eur, policy, IbrMatrix([]), FxTable([FxRow("EUR", "USD", date(2024, 3, 2), Decimal("1.1"))]))
    assert [(e["code"], "2024-03-01" in e["message"]) for e in late.errors] == [("fx_rate_missing", True)]


def test_assessment_reports_parse_errors_as_issues():
    a = assess_lease(dict(LEASE, end_date="soon"), LeasePolicy(), IbrMatrix([]), NO_FX)
    assert a.terms is None and ("end_date", "invalid_date") in {(e["field"], e["code"]) for e in a.errors}
