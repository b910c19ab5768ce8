"""Property: valid leases written into the template extract back to equal engine inputs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.engine.leases import parse_lease
from backend.workbooks import extract_grid, extract_workbook, grid_from_book_json, read_xlsx
from backend.workbooks.template import build_template

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-()/&'éü=+@#",
                min_size=1, max_size=30).map(lambda s: " ".join(s.split())).filter(bool)
IDS = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-_/", min_size=1, max_size=12).filter(
    lambda s: s.strip("-_/") == s and not s.isdigit())


def money(lo="0.01", hi="9999999.99"):
    return st.decimals(Decimal(lo), Decimal(hi), places=2).map(str)


DAY0 = date(2000, 1, 1)


@st.composite
def leases(draw, ref: str):
    start = DAY0 + timedelta(days=draw(st.integers(0, 14_000)))
    end = start + timedelta(days=draw(st.integers(1, 7_300)))
    lease = {"external_id": ref, "currency": draw(st.sampled_from(["EUR", "USD", "GBP", "JPY", "CHF"])),
             "commencement_date": start.isoformat(), "end_date": end.isoformat()}
    for k in ("entity", "description"):
        if draw(st.booleans()):
            lease[k] = draw(WORDS)
    if draw(st.booleans()):
        lease["asset_class"] = draw(st.sampled_from(["property", "vehicle", "it_equipment", "Plant & machinery"]))
    streams = []
    for _ in range(draw(st.integers(1, 3))):
        s_from = start + timedelta(days=draw(st.integers(0, (end - start).days)))
        s_to = s_from + timedelta(days=draw(st.integers(0, (end - s_from).days)))
        s = {"from": s_from.isoformat(), "to": s_to.isoformat(), "amount": draw(money()),
             "frequency": draw(st.sampled_from(["monthly", "quarterly", "semiannual", "annual"])),
             "timing": draw(st.sampled_from(["advance", "arrears"])),
             "kind": draw(st.sampled_from(["fixed", "in_substance_fixed", "index_linked"]))}
        if draw(st.booleans()):
            s["escalation"] = {"percent": str(draw(st.decimals(Decimal("0.01"), Decimal("20"), places=2))),
                               "every_months": draw(st.sampled_from([1, 6, 12, 24]))}
        streams.append(s)
    lease["payments"] = streams
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["termination_penalty", "incentive_receivable"]))
        amt = draw(money())
        lease["other_payments"] = [{"date": end.isoformat(), "kind": kind,
                                    "amount": "-" + amt if kind == "incentive_receivable" else amt}]
    if draw(st.booleans()):
        lease["discount_rate"] = str(draw(st.decimals(Decimal("0"), Decimal("0.2"), places=4)))
    if draw(st.booleans()):
        lease["rate_convention"] = draw(st.sampled_from(["nominal", "effective"]))
        lease["compounding_interval_months"] = draw(st.sampled_from([1, 3, 12]))
    for k in ("initial_direct_costs", "lease_incentives_received", "prepaid_lease_payments", "restoration_costs",
              "fair_value", "underlying_asset_value_new", "unguaranteed_residual_value"):
        if draw(st.booleans()):
            lease[k] = draw(money("0", "5000000"))
    for k in ("useful_life_months", "economic_life_months"):
        if draw(st.booleans()):
            lease[k] = draw(st.integers(1, 600))
    for k in ("transfer_of_ownership", "specialized_asset"):
        if draw(st.booleans()):
            lease[k] = draw(st.booleans())
    if draw(st.booleans()):
        lease["purchase_option"] = {"price": draw(money()), "reasonably_certain": draw(st.booleans())}
        if draw(st.booleans()):
            lease["purchase_option"]["exercise_date"] = end.isoformat()
    if draw(st.booleans()):
        lease["residual_value_guarantee"] = {"guaranteed_amount": draw(money()),
                                             "expected_residual_value": draw(money("0"))}
    if draw(st.booleans()):
        lease["classification_override"] = {"standard": draw(st.sampled_from(["ASC842", "IFRS16"])),
                                            "classification": draw(st.sampled_from(["finance", "operating"])),
                                            "reason": draw(WORDS)}
    if draw(st.booleans()):
        lease["index_at_commencement"] = str(draw(st.decimals(Decimal("50"), Decimal("400"), places=1)))
    return lease


@st.composite
def lease_sets(draw):
    refs = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    return [draw(leases(ref)) for ref in refs]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lease_sets())
def test_written_leases_extract_back_to_equal_engine_inputs(generated):
    """(Text such as "=HYPERLINK(...)" is written and read back as text, never as a formula.)"""
    expected = [parse_lease(x) for x in generated]  # the generator only makes valid leases
    data = build_template(generated)
    result = extract_workbook(data)
    assert result.issues == []
    assert [parse_lease(d) for d in result.drafts] == expected
    # every extracted value points at a cell that exists on the sheet it names
    for prov in result.provenance:
        assert all(v.split("!")[0] in ("Leases", "Payments") for v in prov.values())
    # the add-in path reads the same grid to the same drafts
    grid = read_xlsx(data)
    book = {"sheets": [{"name": n, "values": rows} for n, rows in grid.sheets.items()]}
    assert extract_grid(grid_from_book_json(book)).drafts == result.drafts
