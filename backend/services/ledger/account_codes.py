"""The engine's account codes: what each means, which books post to it, its normal balance, and the
chart the demo account ships with. The codes are the engine's stable names (``engine/leases/postings.py``,
``engine/revenue/postings.py``); a mapping sends each to a GL account of the entity's chart."""
from __future__ import annotations

from backend.engine.leases import postings as lease_postings
from backend.engine.revenue import postings as revenue_postings

LEASE_BOOKS = ["IFRS16", "ASC842"]
REVENUE_BOOKS = ["IFRS15", "ASC606"]

# code → (meaning, books, normal balance, demo GL account)
CATALOGUE: dict[str, tuple[str, list[str], str, str]] = {
    lease_postings.ROU_ASSET: ("Right-of-use asset at cost", LEASE_BOOKS, "debit", "1610"),
    lease_postings.ROU_ACCUMULATED_DEPRECIATION: (
        "Accumulated depreciation (amortisation) of right-of-use assets (contra-asset)", LEASE_BOOKS, "credit", "1619"),
    lease_postings.LEASE_LIABILITY_CURRENT: (
        "Lease liability due within twelve months (principal of the next 12 months)", LEASE_BOOKS, "credit", "2310"),
    lease_postings.LEASE_LIABILITY_NONCURRENT: ("Lease liability due after twelve months", LEASE_BOOKS, "credit",
                                                "2710"),
    lease_postings.INTEREST_EXPENSE: ("Interest on lease liabilities (IFRS 16; ASC 842 finance leases)",
                                      LEASE_BOOKS, "debit", "7110"),
    lease_postings.DEPRECIATION_EXPENSE: ("Depreciation of right-of-use assets (IFRS 16; ASC 842 finance leases)",
                                          LEASE_BOOKS, "debit", "6810"),
    lease_postings.LEASE_EXPENSE: ("Single straight-line lease cost (ASC 842 operating leases) and expense of "
                                   "exempt short-term and low-value leases", LEASE_BOOKS, "debit", "6210"),
    lease_postings.CASH: ("Lease payments made (bank or payables clearing account)", LEASE_BOOKS, "credit", "1000"),
    lease_postings.GAIN_LOSS: ("Gain or loss on lease modification or termination", LEASE_BOOKS, "debit", "7910"),
    lease_postings.FX_GAIN_LOSS: ("Foreign exchange gain or loss on lease liabilities in a foreign currency",
                                  LEASE_BOOKS, "debit", "7920"),
    lease_postings.PREPAID_LEASE_PAYMENTS: ("Lease payments made before commencement", LEASE_BOOKS, "debit", "1410"),
    lease_postings.ACCRUED_LEASE_LIABILITY: ("Accrued (deferred) rent: straight-line cost above or below the "
                                             "payments (ASC 842 operating leases)", LEASE_BOOKS, "credit", "2320"),
    lease_postings.RESTORATION_PROVISION: ("Provision for restoration (dismantling) costs capitalised in the "
                                           "right-of-use asset", LEASE_BOOKS, "credit", "2750"),
    revenue_postings.REVENUE: ("Revenue from contracts with customers", REVENUE_BOOKS, "credit", "4000"),
    revenue_postings.CONTRACT_ASSET: ("Contract asset: revenue recognised before the right to invoice",
                                      REVENUE_BOOKS, "debit", "1250"),
    revenue_postings.CONTRACT_LIABILITY: ("Contract liability (deferred revenue): billed or received before "
                                          "revenue is recognised", REVENUE_BOOKS, "credit", "2400"),
    revenue_postings.RECEIVABLE: ("Trade receivable: unconditional right to consideration", REVENUE_BOOKS, "debit",
                                  "1200"),
    revenue_postings.FINANCING_INTEREST_INCOME: ("Interest income from a significant financing component",
                                                 REVENUE_BOOKS, "credit", "8110"),
    revenue_postings.FINANCING_INTEREST_EXPENSE: ("Interest expense from a significant financing component",
                                                  REVENUE_BOOKS, "debit", "7120"),
    revenue_postings.CAPITALISED_CONTRACT_COSTS: ("Capitalised costs to obtain or fulfil a contract",
                                                  REVENUE_BOOKS, "debit", "1270"),
    revenue_postings.CONTRACT_COST_AMORTISATION: ("Amortisation of capitalised contract costs", REVENUE_BOOKS,
                                                  "debit", "6510"),
    revenue_postings.CONTRACT_COSTS_PAYABLE: ("Contract costs payable (e.g. commissions owed)", REVENUE_BOOKS,
                                              "credit", "2150"),
}

DEMO_DIMENSIONS = {"lease_id": "LEASE_ID", "asset_class": "ASSET_CLASS"}


def list_codes() -> list[dict]:
    return [{"code": code, "meaning": meaning, "standards": books, "normal_balance": side,
             "example_gl_account": gl} for code, (meaning, books, side, gl) in CATALOGUE.items()]


def demo_chart() -> dict[str, str]:
    """The demo account's mapping: every engine code to a GL account, so the first export works."""
    return {code: gl for code, (_m, _b, _s, gl) in CATALOGUE.items()}
