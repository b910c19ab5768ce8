"""Header words of real lease registers, per template field.

``columns.py`` carries each column's own label and the handful of synonyms the template
always knew; this table adds the vocabulary of registers exported from other tools and kept
by hand: property managers' rent rolls, fixed-asset registers, the lease schedules of the
big-four IFRS 16 / ASC 842 transition workbooks, and the import templates of peer lease
tools (column headings as their users see them). Headers are compared after ``values.key``
(case, spacing and punctuation ignored), so "Rent p.a." and "rent pa" are one entry.

Rules that keep the table safe:
- a word that names two fields in practice ("period", "date", "amount on its own in a
  payments table") is left out or given to the field it names in most registers;
- a header that carries a unit or an implied value ("Life in years", "Monthly rent",
  "Rent p.a.") is not here but in ``columns.LEASE_ALIASES``, which converts or implies;
- ``tests/workbooks/test_synonyms.py`` checks that no normalised header names two fields.
"""

from __future__ import annotations

REGISTER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "lease code", "lease identifier", "lease key", "lease ref no", "lease reference number", "contract reference",
        "contract code", "agreement ref", "agreement reference", "agreement no", "agreement", "reference number",
        "ref no", "record id", "unique id", "asset id", "asset number", "asset no", "property id", "property ref",
        "site id", "site code", "unit id", "schedule no", "schedule number", "lease schedule no"),
    "entity": (
        "entity name", "legal entity name", "company name", "lessee entity", "lessee name", "lessee company",
        "reporting entity", "group company", "legal name", "co code", "entity id", "legal entity code", "le",
        "le code", "owning entity", "tenant", "tenant entity", "contracting entity", "contracting party",
        "subsidiary", "subsidiary name", "company entity"),
    "description": (
        "item", "asset name", "asset details", "description of asset", "description of premises",
        "property name", "property address", "address", "site", "site name", "location", "premises address",
        "leased asset", "leased item", "leased property", "details", "lease description", "asset desc", "desc",
        "object", "lease object", "unit", "unit description", "building", "store", "branch"),
    "asset_class": (
        "asset class name", "category of asset", "class of asset", "asset classification", "underlying asset class",
        "rou asset class", "right of use asset class", "asset family", "lease category", "property type",
        "equipment type", "asset sub class", "fixed asset class", "fa class"),
    "currency": (
        "contract currency", "payment currency", "iso currency", "currency iso", "crncy", "denomination",
        "transaction currency", "rent currency", "local currency", "lcy"),
    "commencement_date": (
        "lease commencement", "lease commencement date", "date of commencement", "commencement dt", "inception",
        "inception date", "lease inception", "lease inception date", "possession date", "term start",
        "term start date", "valid from", "begin", "contract start", "contract start date", "agreement start date",
        "date from", "from date", "lease from", "start of lease", "start of term", "occupation date"),
    "end_date": (
        "lease expiry", "lease expiry date", "term end", "term end date", "contract end", "contract end date",
        "agreement end date", "end of term", "end of lease", "valid to", "valid until", "date to", "to date",
        "lease to", "expires", "expiry dt", "lease end dt", "lease termination date", "break date"),
    "payments[].amount": (
        "rent per period", "periodic rent", "lease rental", "rental", "rental amount", "rent payable",
        "payment per period", "amount per period", "regular payment", "fixed payment", "base rent", "contractual rent",
        "current rent", "passing rent", "rent excl vat", "net rent", "instalment amount", "installment amount",
        "lease instalment", "lease installment", "rent per instalment", "payment amount", "gross rent",
        "rental payment", "lease rent"),
    "payments[].frequency": (
        "frequency of payment", "pay frequency", "billing frequency", "payment cycle", "rent frequency",
        "instalment frequency", "installment frequency", "payment periodicity", "rental frequency",
        "invoice frequency", "frequency of rent"),
    "payments[].timing": (
        "advance/arrears", "in advance/arrears", "payment in advance or arrears", "paid in advance or arrears",
        "timing of payment", "payment due", "payable in advance or arrears", "advance or arrear",
        "beginning or end of period", "payment at"),
    "payments[].escalation.percent": (
        "escalator", "rent escalation", "rent escalation %", "fixed increase", "fixed increase %", "fixed escalation",
        "step rent %", "uplift %", "rent growth", "rent growth %", "increase rate", "indexation %",
        "escalation rate %", "rent increase rate"),
    "discount_rate": (
        "ibr %", "ibr rate", "incremental borrowing rate %", "interest rate %", "rate %", "lease rate",
        "implicit interest rate", "iir", "annual rate", "cost of borrowing", "marginal borrowing rate",
        "rou discount rate", "discount rate (%)", "discount rate pa", "borrowing rate %", "lessee ibr",
        "incremental borrowing rate (ibr)", "lease discount rate", "pv rate"),
    "initial_direct_costs": ("initial direct cost", "idcs", "initial costs", "direct costs incurred"),
    "lease_incentives_received": (
        "lease incentive", "tenant incentive", "tenant incentives", "landlord contribution", "landlord incentive",
        "cash incentive", "fit out contribution", "incentive", "incentives received (negative)"),
    "prepaid_lease_payments": ("prepayment", "advance payments", "payments before commencement",
                               "prepaid lease payment", "rent prepaid"),
    "restoration_costs": ("reinstatement", "reinstatement costs", "dilapidations", "dilapidation provision",
                          "restoration provision", "decommissioning costs", "dismantling", "restoration cost"),
    "purchase_option.price": ("buyout price", "buy out price", "option to purchase price", "purchase option amount"),
    "residual_value_guarantee.guaranteed_amount": ("residual value guaranteed", "rvg value"),
    "transfer_of_ownership": ("title passes", "ownership passes", "transfer of title", "title transfers"),
    "fair_value": ("fair value at commencement", "fmv", "fair market value"),
    "useful_life_months": ("useful life in months", "life in months", "asset life in months", "depreciation months",
                           "depreciation period months", "useful life (mths)"),
}

# Headers that give the rent for a whole year whatever the payment frequency ("Rent p.a.").
ANNUAL_RENT_SYNONYMS: tuple[str, ...] = (
    "annual rent", "rent p.a.", "rent per annum", "annual payment", "yearly rent", "annual rental", "rent per year",
    "annual lease payment", "annual amount", "yearly payment", "annualised rent", "annualized rent",
    "passing rent pa", "annual base rent", "rent pa excl vat", "annual rent excl vat", "rent pa net",
    "annual lease rental", "contract rent pa", "rent per annum excl vat")

# Headers that state a life in years; the value is turned into months.
USEFUL_LIFE_YEARS_SYNONYMS: tuple[str, ...] = (
    "useful life years", "life in years", "useful life yrs", "life years", "asset life years",
    "depreciation life years", "useful life in years", "ul years", "useful economic life years")

# German and French registers (the two languages of most European lease lists we have seen);
# choice words in those languages are in ``columns``.
_CONTINENTAL: dict[str, tuple[str, ...]] = {
    "external_id": ("vertrag", "vertragsnummer", "vertrags nr", "leasingvertrag", "contrat", "n° de contrat",
                    "numéro de contrat", "référence"),
    "entity": ("gesellschaft", "buchungskreis", "mandant", "société", "entité", "preneur"),
    "description": ("objekt", "beschreibung", "bezeichnung", "fahrzeug", "mietobjekt", "objet", "désignation",
                    "bien loué"),
    "asset_class": ("anlagenklasse", "objektart", "catégorie", "classe d'actif"),
    "currency": ("währung", "devise", "monnaie"),
    "commencement_date": ("beginn", "vertragsbeginn", "mietbeginn", "laufzeitbeginn", "date de début",
                          "début", "date d'effet", "date de prise d'effet"),
    "end_date": ("ende", "vertragsende", "mietende", "laufzeitende", "date de fin", "fin", "échéance"),
    "payments[].amount": ("leasingrate", "miete", "zahlung", "ratenbetrag", "loyer", "redevance", "échéance loyer"),
    "payments[].frequency": ("zahlungsweise", "zahlungsrhythmus", "turnus", "périodicité", "fréquence"),
    "payments[].timing": ("vorschüssig/nachschüssig", "zahlungszeitpunkt", "terme", "à échoir/échu"),
    "discount_rate": ("zinssatz", "grenzfremdkapitalzins", "diskontierungszins", "taux", "taux d'actualisation",
                      "taux marginal d'endettement"),
}
# Import templates of peer lease tools and ERPs (LeaseAccelerator, iLease, Dynamics 365 Property
# Lease Management, Sage X3): their column headings as their users export them.
_PEER_TEMPLATES: dict[str, tuple[str, ...]] = {
    "external_id": ("leasenumber", "lease schedule number", "contract number (lease)"),
    "description": ("leases title", "lease title", "title", "leasename", "contract description"),
    "commencement_date": ("leasecommdate", "lease comm date", "contrct start date", "takedown date"),
    "end_date": ("lease expiration date", "leaseenddate", "contrct end date", "lease expiration"),
    "currency": ("funding currency", "leasecurrency"),
    "payments[].amount": ("base rent payment", "base rent amount", "rent amount per period", "monthly payment amount"),
    "payments[].frequency": ("rent payment frequency", "payment freq", "frequency of payments"),
    "payments[].from": ("first rent payment date", "first rent date", "rent start date", "rent commencement date"),
    "discount_rate": ("relevant borrowing rate", "implied interest rate", "discountrate", "ibr (%)"),
    "lease_incentives_received": ("tenant improvement allowance", "tia", "lease incentive amount"),
}
for _path, _words in [*_CONTINENTAL.items(), *_PEER_TEMPLATES.items()]:
    REGISTER_SYNONYMS[_path] = REGISTER_SYNONYMS.get(_path, ()) + _words
