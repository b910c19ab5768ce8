"""Column definitions of the lease template and the header synonyms real workbooks use.

One list per sheet drives both directions: the template writer takes each column's label,
format, help text and choice list from here, and the extractor recognises a header cell
when its normalised text (case, spaces and punctuation ignored) equals the label, the
engine field name or one of the synonyms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .synonyms import ANNUAL_RENT_SYNONYMS, REGISTER_SYNONYMS, USEFUL_LIFE_YEARS_SYNONYMS
from .values import key

# Choice synonyms → engine value (compared after ``values.key``).
FREQUENCIES = {
    "monthly": ("monthly", "month", "m", "permonth", "mthly", "mo", "1m", "everymonth"),
    "quarterly": ("quarterly", "quarter", "q", "qtr", "qtrly", "perquarter", "3m", "3months", "everyquarter"),
    "semiannual": ("semiannual", "semiannually", "halfyearly", "halfyear", "biannual", "biannually",
                   "sixmonthly", "6m", "6months", "h"),
    "annual": ("annual", "annually", "yearly", "year", "y", "a", "peryear", "perannum", "pa", "12m", "12months"),
}
# Words of German and French registers, and "pcm" (per calendar month, UK rent rolls).
for _value, _words in {"monthly": ("monatlich", "mensuel", "mensuelle", "pcm", "percalendarmonth"),
                       "quarterly": ("vierteljährlich", "quartalsweise", "trimestriel", "trimestrielle"),
                       "semiannual": ("halbjährlich", "semestriel", "semestrielle"),
                       "annual": ("jährlich", "annuel", "annuelle")}.items():
    FREQUENCIES[_value] += _words
TIMINGS = {
    "advance": ("advance", "inadvance", "beginning", "begin", "start", "beginningofperiod", "startofperiod"),
    "arrears": ("arrears", "inarrears", "arrear", "end", "endofperiod", "nachschüssig", "échu", "àtermeéchu",
                "termeéchu"),
}
TIMINGS["advance"] += ("vorschüssig", "àéchoir", "échoir")
PAYMENT_KINDS = {
    "fixed": ("fixed", "fixedpayment", "rent", "baserent", "base"),
    "in_substance_fixed": ("insubstancefixed", "insubstance"),
    "index_linked": ("indexlinked", "index", "indexed", "cpi", "cpilinked", "inflationlinked"),
    "termination_penalty": ("terminationpenalty", "penalty"),
    "incentive_receivable": ("incentivereceivable", "incentive"),
}
ONE_OFF_KINDS = ("termination_penalty", "incentive_receivable")
RATE_CONVENTIONS = {"nominal": ("nominal",), "effective": ("effective", "annualeffective", "effectiveannual")}
CLASSIFICATIONS = {"finance": ("finance", "financelease", "capital"), "operating": ("operating", "operatinglease")}
STANDARDS = {"ASC842": ("asc842", "usgaap", "asc"), "IFRS16": ("ifrs16", "ifrs")}
ASSET_CLASS_EXAMPLES = ("property", "vehicle", "equipment", "it_equipment", "other")
YES_NO = ("yes", "no")


def choice_lookup(options: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out = {}
    for value, words in options.items():
        out[key(value)] = value
        for w in words:
            out[key(w)] = value
    return out


@dataclass(frozen=True)
class Column:
    """One input column. ``path`` is the engine field (``payments[].amount`` marks the
    lease's own payment stream); ``kind`` selects the value parser."""

    path: str
    label: str
    kind: str                    # text|currency|date|money|percent|escalation|int|bool|choice
    synonyms: tuple[str, ...] = ()
    help: str = ""
    required: bool = False
    choices: dict[str, tuple[str, ...]] | None = None
    list_values: tuple[str, ...] = ()   # the template's drop-down list
    scale: int = 1               # 12 for a "(years)" column feeding a months field
    implies: dict[str, Any] | None = None  # e.g. "Monthly rent" implies frequency monthly
    width: int = 14
    number_format: str | None = None

    @property
    def keys(self) -> set[str]:
        words = (self.label, self.path, *self.synonyms, *REGISTER_SYNONYMS.get(self.path, ()))
        return {k for k in map(key, words) if k}  # "#" alone normalises to nothing: never a header


def _alias(base: Column, path: str, label: str, synonyms: tuple[str, ...], **kw) -> Column:
    return Column(path, label, base.kind, synonyms, base.help, choices=base.choices, **kw)


_MONEY_FMT = "#,##0.00;(#,##0.00)"
_DATE_FMT = "yyyy-mm-dd"
_PCT_FMT = "0.00%"

LEASE_COLUMNS: tuple[Column, ...] = (
    Column("external_id", "Lease ID", "text",
           ("lease ref", "lease reference", "lease number", "lease no", "lease #", "contract", "contract #",
            "contract id", "contract number", "contract no", "contract ref", "agreement id", "agreement number",
            "external id", "id", "ref", "reference"),
           "Your unique reference for the lease. Payments rows use it to find their lease.", True, width=14),
    Column("entity", "Entity", "text", ("company", "legal entity", "entity code", "company code", "lessee"),
           "The group company that is the lessee (its code in Ledger Layer).", width=12),
    Column("description", "Description", "text",
           ("asset description", "lease name", "name", "asset", "property", "underlying asset", "premises"),
           "What is leased, in words.", width=32),
    Column("asset_class", "Asset class", "text",
           ("asset type", "class", "category", "asset category", "type of asset", "asset group"),
           "Groups leases for the short-term and low-value elections (e.g. property, vehicle).",
           list_values=ASSET_CLASS_EXAMPLES, width=14),
    Column("currency", "Currency", "currency", ("ccy", "cur", "curr", "currency code", "lease currency"),
           "ISO code of the contract currency, e.g. EUR, USD, GBP.", True, width=10),
    Column("commencement_date", "Commencement date", "date",
           ("commencement", "start date", "start", "lease start", "lease start date", "begin date",
            "effective date", "from", "commence date"),
           "The date the asset is available for use (YYYY-MM-DD).", True, width=14, number_format=_DATE_FMT),
    Column("end_date", "End date", "date",
           ("lease end", "lease end date", "end", "expiry", "expiry date", "expiration date", "expiration",
            "maturity date", "to", "termination date"),
           "The last day of the lease term, including extension periods you are reasonably certain to use.",
           True, width=14, number_format=_DATE_FMT),
    Column("payments[].amount", "Payment amount", "money",
           ("payment", "amount", "rent", "rent amount", "lease payment", "periodic payment", "instalment",
            "installment", "payment amount excl vat"),
           "The lease's regular payment (before escalation). Leave blank when all payments are on the Payments "
           "sheet.", width=14, number_format=_MONEY_FMT),
    Column("payments[].frequency", "Frequency", "choice",
           ("payment frequency", "freq", "periodicity", "payment interval", "payment period"),
           "How often the payment falls due.", choices=FREQUENCIES, list_values=tuple(FREQUENCIES), width=12),
    Column("payments[].timing", "Timing", "choice",
           ("payment timing", "advance or arrears", "advance arrears", "paid", "paid in", "in advance or arrears",
            "payment in", "payable"),
           "advance = at the start of each period, arrears = at its end.", choices=TIMINGS,
           list_values=tuple(TIMINGS), width=10),
    Column("payments[].kind", "Payment kind", "choice", ("payment type", "kind", "payment kind", "type"),
           "fixed (default), in_substance_fixed or index_linked.", choices=PAYMENT_KINDS,
           list_values=("fixed", "in_substance_fixed", "index_linked"), width=14),
    Column("payments[].from", "First payment date", "date",
           ("first payment", "payments from", "payment start", "payment start date", "first payment due"),
           "Optional: when the payments start (default: the commencement date).", width=14,
           number_format=_DATE_FMT),
    Column("payments[].to", "Last payment date", "date",
           ("last payment", "payments to", "payment end", "payment end date", "last payment due"),
           "Optional: the last payment date (default: the end date).", width=14, number_format=_DATE_FMT),
    Column("payments[].escalation.percent", "Escalation %", "escalation",
           ("escalation", "escalation rate", "increase", "increase %", "rent increase", "uplift", "step up",
            "rent review %", "escalation percent"),
           "Optional: the step-up of the payment, e.g. 3% (applied every 'Escalation every (months)').",
           width=12, number_format=_PCT_FMT),
    Column("payments[].escalation.every_months", "Escalation every (months)", "int",
           ("escalation every", "escalation frequency", "escalation interval", "escalation months",
            "months between increases", "increase every", "escalation every months"),
           "Months between escalations (default 12).", width=12),
    Column("discount_rate", "Discount rate", "percent",
           ("ibr", "incremental borrowing rate", "rate", "interest rate", "discount rate %", "borrowing rate",
            "implicit rate", "rate implicit in the lease", "annual discount rate"),
           "Annual rate, e.g. 5% (or the rate implicit in the lease).", width=12, number_format=_PCT_FMT),
    Column("rate_convention", "Rate convention", "choice", ("compounding convention", "rate basis",
                                                             "rate type"),
           "nominal or effective (blank: the entity's policy).", choices=RATE_CONVENTIONS,
           list_values=tuple(RATE_CONVENTIONS), width=12),
    Column("compounding_interval_months", "Compounding interval (months)", "int",
           ("compounding interval", "compounding months", "compounding"),
           "Optional: months per compounding period for a nominal rate.", width=12),
    Column("initial_direct_costs", "Initial direct costs", "money", ("idc", "direct costs"),
           "Costs of obtaining the lease, added to the right-of-use asset.", width=14, number_format=_MONEY_FMT),
    Column("lease_incentives_received", "Lease incentives received", "money",
           ("incentives", "lease incentives", "incentive received", "incentives received"),
           "Incentives already received, deducted from the right-of-use asset.", width=14,
           number_format=_MONEY_FMT),
    Column("prepaid_lease_payments", "Prepaid lease payments", "money",
           ("prepayments", "prepaid rent", "prepaid", "prepaid payments"),
           "Payments made before commencement.", width=14, number_format=_MONEY_FMT),
    Column("restoration_costs", "Restoration costs", "money",
           ("dismantling costs", "make good", "make good costs", "aro", "asset retirement obligation",
            "decommissioning", "restoration"),
           "Estimated dismantling or restoration cost.", width=14, number_format=_MONEY_FMT),
    Column("useful_life_months", "Useful life (months)", "int", ("useful life", "asset life",
                                                                 "useful life months"),
           "Useful life of the asset, used when ownership transfers or a purchase option is certain.", width=12),
    Column("economic_life_months", "Economic life (months)", "int", ("economic life",),
           "Economic life of the asset (ASC 842 classification).", width=12),
    Column("transfer_of_ownership", "Transfer of ownership", "bool",
           ("ownership transfers", "title transfer", "transfers ownership", "ownership transfer"),
           "yes if ownership passes to you at the end.", list_values=YES_NO, width=10),
    Column("purchase_option.price", "Purchase option price", "money",
           ("purchase option", "option price", "bargain purchase price", "purchase price"),
           "Exercise price of a purchase option, if any.", width=14, number_format=_MONEY_FMT),
    Column("purchase_option.exercise_date", "Purchase option date", "date",
           ("purchase option exercise date", "option exercise date", "option date"),
           "When the option can be exercised.", width=14, number_format=_DATE_FMT),
    Column("purchase_option.reasonably_certain", "Purchase option reasonably certain", "bool",
           ("option reasonably certain", "reasonably certain", "reasonably certain to exercise",
            "po reasonably certain"),
           "yes if you are reasonably certain to exercise it.", list_values=YES_NO, width=10),
    Column("residual_value_guarantee.guaranteed_amount", "Residual value guarantee", "money",
           ("rvg", "guaranteed residual value", "guaranteed residual", "rvg amount"),
           "Amount you guarantee the asset will be worth at the end.", width=14, number_format=_MONEY_FMT),
    Column("residual_value_guarantee.expected_residual_value", "Expected residual value", "money",
           ("expected residual", "expected value at end"),
           "What you expect the asset to be worth at the end (with a guarantee).", width=14,
           number_format=_MONEY_FMT),
    Column("unguaranteed_residual_value", "Unguaranteed residual value", "money", ("unguaranteed residual",),
           "Optional: for the rate implicit in the lease.", width=14, number_format=_MONEY_FMT),
    Column("fair_value", "Fair value", "money", ("fair value of asset", "asset fair value", "fv"),
           "Fair value of the asset at commencement (classification tests).", width=14,
           number_format=_MONEY_FMT),
    Column("specialized_asset", "Specialised asset", "bool",
           ("specialized asset", "specialized", "specialised"),
           "yes if the asset is so specialised that only you can use it.", list_values=YES_NO, width=10),
    Column("underlying_asset_value_new", "Asset value when new", "money",
           ("value when new", "underlying asset value new", "new value", "value new"),
           "Value of the asset when new (low-value test).", width=14, number_format=_MONEY_FMT),
    Column("index_at_commencement", "Index at commencement", "money", ("cpi at commencement", "base index"),
           "For index-linked payments: the index value at commencement.", width=12),
    Column("classification_override.classification", "Classification override", "choice",
           ("override classification", "classification override asc 842"),
           "Optional: finance or operating, to override the tests (give a reason).", choices=CLASSIFICATIONS,
           list_values=tuple(CLASSIFICATIONS), width=12),
    Column("classification_override.standard", "Override standard", "choice", ("override book",),
           "ASC842 (default) or IFRS16.", choices=STANDARDS, list_values=tuple(STANDARDS), width=12),
    Column("classification_override.reason", "Override reason", "text", ("classification override reason",),
           "Why the override applies.", width=24),
)

# Header variants that carry a unit or an implied value.
LEASE_ALIASES: tuple[Column, ...] = (
    _alias(LEASE_COLUMNS[7], "payments[].amount", "Monthly rent",
           ("monthly payment", "monthly rent amount", "rent per month", "monthly lease payment"),
           implies={"payments[].frequency": "monthly"}),
    _alias(LEASE_COLUMNS[7], "payments[].amount", "Quarterly rent", ("quarterly payment",),
           implies={"payments[].frequency": "quarterly"}),
    # A rent for the whole year is not the payment unless the payments are annual: rent.py decides.
    Column("annual_rent", "Annual rent", "money", ANNUAL_RENT_SYNONYMS,
           "The rent for a year; converted to the payment frequency, or a cross-check of the payment.",
           width=14, number_format=_MONEY_FMT),
    _alias(LEASE_COLUMNS[13], "payments[].escalation.percent", "Annual increase",
           ("annual escalation", "annual increase %", "yearly increase", "annual uplift"),
           implies={"payments[].escalation.every_months": 12}),
    _alias(LEASE_COLUMNS[22], "useful_life_months", "Useful life (years)", USEFUL_LIFE_YEARS_SYNONYMS, scale=12),
    _alias(LEASE_COLUMNS[23], "economic_life_months", "Economic life (years)", ("economic life years",),
           scale=12),
)

PAYMENT_COLUMNS: tuple[Column, ...] = (
    Column("lease_ref", "Lease ID", "text", LEASE_COLUMNS[0].synonyms,
           "The Lease ID of a row on the Leases sheet.", True, width=14),
    Column("kind", "Payment kind", "choice", ("payment type", "kind", "type"),
           "fixed, in_substance_fixed, index_linked, or a one-off termination_penalty / incentive_receivable.",
           choices=PAYMENT_KINDS, list_values=tuple(PAYMENT_KINDS), width=18),
    Column("from", "From", "date",
           ("from date", "start", "start date", "first payment", "first payment date", "payments from",
            "date", "payment date", "due date"),
           "First payment date (for a one-off payment: its date).", True, width=14, number_format=_DATE_FMT),
    Column("to", "To", "date", ("to date", "end", "end date", "last payment", "last payment date", "payments to",
                                "until"),
           "Last payment date (blank for a one-off payment).", width=14, number_format=_DATE_FMT),
    Column("amount", "Amount", "money",
           ("payment amount", "payment", "rent", "rent amount", "monthly rent", "instalment", "installment"),
           "Amount of each payment (incentives receivable as a negative amount).", True, width=14,
           number_format=_MONEY_FMT),
    Column("frequency", "Frequency", "choice", LEASE_COLUMNS[8].synonyms, LEASE_COLUMNS[8].help,
           choices=FREQUENCIES, list_values=tuple(FREQUENCIES), width=12),
    Column("timing", "Timing", "choice", LEASE_COLUMNS[9].synonyms, LEASE_COLUMNS[9].help, choices=TIMINGS,
           list_values=tuple(TIMINGS), width=10),
    Column("escalation.percent", "Escalation %", "escalation", LEASE_COLUMNS[13].synonyms,
           LEASE_COLUMNS[13].help, width=12, number_format=_PCT_FMT),
    Column("escalation.every_months", "Escalation every (months)", "int", LEASE_COLUMNS[14].synonyms,
           LEASE_COLUMNS[14].help, width=12),
)

LEASE_SHEET_NAMES = ("leases", "lease", "leasedata", "leaseregister", "leaseinput", "leaseinputs", "register")
PAYMENT_SHEET_NAMES = ("payments", "paymentstreams", "payment", "streams", "paymentschedule", "leasepayments")
