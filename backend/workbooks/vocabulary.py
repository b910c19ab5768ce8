"""What the extractor accepts, in words: headers per field and notations of values.

One source for the template's "Synonyms" sheet and the README section (a test checks the
README lists every header here), so the documentation cannot drift from the code.

    .venv/bin/python -m backend.workbooks.vocabulary      # the README section as Markdown
"""

from __future__ import annotations

from .columns import FREQUENCIES, LEASE_ALIASES, LEASE_COLUMNS, TIMINGS, Column
from .synonyms import REGISTER_SYNONYMS

__all__ = ["NOTATIONS", "header_table", "markdown"]

NOTATIONS: tuple[tuple[str, str], ...] = (
    ("Amounts", "Numbers, numbers stored as text, currency-formatted cells, and text such as £45,000 · € 1.250,00 · "
                "1 250,00 € · CHF 12'500 · USD 1,200.50 · ¥980,000 · (7,500) · 7,500-. Whether , or . is the "
                "decimal mark is decided per column from all its cells (1.250,00 decides a decimal comma); when "
                "the column cannot tell, the upload's locale decides, else a currency with no third decimal "
                "(2,500 on a GBP row is 2500), else the cell is an error. A symbol or ISO code in an amount "
                "confirms the Currency column, fills it when blank, and is an error when it names another ($ alone "
                "names none: several currencies use it)."),
    ("Signs", "Lease incentives received written negative or in brackets are read as their size (info issue). "
              "Any other negative lease amount is an error at its cell. On the Payments sheet an incentive "
              "receivable is entered negative."),
    ("Rates", "5%, 5 % or 0.05 (a %-formatted cell). Without a % sign, a number below 1 is a fraction and from "
              "1 up a percentage, but a cell that does not fit its column (48 among 0.045 and 0.052) is an "
              "error at the cell, never read as 48 % or 0.48."),
    ("Rent per year", "A 'Rent p.a.' / 'Annual rent' column next to a per-period payment is a cross-check (warning "
                      "when they disagree); on its own it is divided by the payments per year of the Frequency, "
                      "rounded to the currency's minor unit, and the remainder is stated (info issue at the "
                      "cell). Without a Frequency it is an error."),
    ("Frequencies", ", ".join(f"{k}: {', '.join(v)}" for k, v in FREQUENCIES.items()) + ". Anything else "
                    "(e.g. Bi-monthly) is an error at the cell."),
    ("Timing", ", ".join(f"{k}: {', '.join(v)}" for k, v in TIMINGS.items()) + "."),
    ("Dates", "Real date cells, YYYY-MM-DD, 31.12.2026, 31 Dec 2026, and 03/04/2026 (read by the locale or "
              "the file's other dates, with a warning)."),
    ("Lives", "Useful life in months, or in years when the header or the cell says so ('Life in years', "
              "'5 years'): converted to months."),
    ("Rows", "Title rows above the header, group headings (one text across the row, merged or not), blank "
             "rows, repeated header rows and Total / Subtotal / Grand total rows are not leases (info issue). "
             "Values in hidden columns are not used (warning at the header). Two rows that could each be the "
             "header are an error, not a guess."),
    ("Entities", "The Entity cell may hold the entity's code, its name or one of its aliases (case, spaces and "
                 "punctuation ignored); aliases are set on the entity (PATCH /v1/entities/{code}, or the "
                 "add-in's *Entities* sheet: Pull entities, type the names in the Aliases cell separated by `;`, "
                 "Push entities). An alias that already names another entity is refused (409 `alias_in_use`). "
                 "An unknown "
                 "name is an error at the cell with the closest names, and that row is not imported; a blank "
                 "cell takes the upload's entity=."),
    ("CSV", "The upload accepts CSV too: comma, semicolon or tab separated, UTF-8 (with or without BOM) or "
            "Windows-1252, detected from the content. Cells are referred to as row:column (e.g. 5:3)."),
)


def _headers(col: Column) -> list[str]:
    words = [col.label, *col.synonyms, *REGISTER_SYNONYMS.get(col.path, ())]
    seen: dict[str, None] = {}
    for w in words:
        seen.setdefault(w, None)
    return list(seen)


def header_table() -> list[tuple[str, list[str]]]:
    """``[(column label, accepted headers)]`` for the Leases sheet, template columns first."""
    return [(c.label, _headers(c)) for c in LEASE_COLUMNS + LEASE_ALIASES]


def markdown() -> str:
    lines = ["| Column | Headers accepted (case, spaces and punctuation ignored) |", "|---|---|"]
    lines += [f"| {label} | {', '.join(words)} |" for label, words in header_table()]
    lines += ["", "| Values | Accepted notation |", "|---|---|"]
    lines += [f"| {topic} | {text} |" for topic, text in NOTATIONS]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - prints the README section
    print(markdown())
