"""Which entity a register row belongs to: by code, by legal name or by an alias.

Registers name the lessee the way people do ("Northwind Retail Ltd", "northwind retail
ltd.", "NWR"), not by the code Ledger Layer keys entities on ("NR01"). A row's Entity
cell is matched, case, spacing and punctuation ignored (``values.key``), against each
entity's code, its name and its ``aliases``; the service passes plain records, so this
layer stays free of the database.

What happens to a row (the policy an accountant expects, and what the service stores):
- Entity cell matches one entity → the draft's ``entity`` is that entity's code.
- Entity cell blank → the upload's default entity (``entity=``), as before.
- Entity cell names no entity, or no cell and no default → an error issue at the Entity
  cell (``unknown_entity`` with the closest known names as ``suggestions``, found with
  ``difflib``; or ``entity_required``), and the row is **not stored**; every other row is.
  It is deliberately not filed under the default entity: confirming a draft does not look
  back at extraction issues, so a lease of "Northwnd Retail" could be confirmed into the
  wrong company's books. The accountant fixes the name (or adds it as an alias of the
  entity) and uploads those rows again.
- Entity cell matches two entities (one's alias is another's name) → an error naming
  both, and the row is not stored: choosing would be a guess.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from .extract_result import ExtractResult
from .values import key

__all__ = ["EntityRecord", "EntityResolver", "resolve_entities"]


@dataclass(frozen=True)
class EntityRecord:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


class EntityResolver:
    def __init__(self, records: Iterable[EntityRecord]) -> None:
        self.records = {r.code: r for r in records}
        self._by_key: dict[str, set[str]] = {}
        for r in self.records.values():
            for word in (r.code, r.name, *r.aliases):
                if k := key(word):
                    self._by_key.setdefault(k, set()).add(r.code)

    def resolve(self, text: str) -> list[str]:
        """Codes of the entities ``text`` names (none, one, or several when ambiguous)."""
        return sorted(self._by_key.get(key(text), ()))

    def suggestions(self, text: str, n: int = 3) -> list[str]:
        """The closest known names, as ``"Name (CODE)"``, best first."""
        close = difflib.get_close_matches(key(text), list(self._by_key), n=n * 2, cutoff=0.6)
        out: list[str] = []
        for k in close:
            for code in sorted(self._by_key[k]):
                shown = f"{self.records[code].name} ({code})"
                if shown not in out:
                    out.append(shown)
        return out[:n]


def _issue(result: ExtractResult, i: int, code: str, message: str, **extra) -> None:
    prov = result.provenance[i]
    where = prov.get("entity") or prov.get("external_id") or prov["_row"]
    sheet, _, address = where.partition("!")
    cell = None if address.isdigit() else address
    result.issues.append({
        "sheet": sheet, "cell": cell, "field": "entity", "code": code, "severity": "error",
        "message": f"{sheet}!{cell or _row_no(prov)}: {message}", "lease_ref": result.drafts[i].get("external_id"),
        "draft_index": i, **extra})


def _row_no(prov: dict[str, str]) -> str:
    return prov["_row"].partition("!")[2]


def resolve_entities(result: ExtractResult, entities: Iterable[EntityRecord],
                     default: str | None = None) -> set[int]:
    """Replace each draft's Entity text by the entity's code; return the indexes of drafts
    that must not be stored (their issues are added to ``result``)."""
    resolver = EntityResolver(entities)
    unresolved: set[int] = set()
    for i, draft in enumerate(result.drafts):
        text = draft.get("entity")
        if not text:
            if default:
                draft["entity"] = default
                continue
            unresolved.add(i)
            _issue(result, i, "entity_required", "The row names no entity and the upload gives no default. Fill "
                                                 "in the Entity column, or upload with entity=<code>.")
            continue
        codes = resolver.resolve(str(text))
        if len(codes) == 1:
            draft["entity"] = codes[0]
            continue
        unresolved.add(i)
        if codes:
            _issue(result, i, "ambiguous_entity", f"Entity '{text}' names more than one entity ({', '.join(codes)}); "
                                                  "write its code. The row was not imported.", suggestions=codes)
            continue
        close = resolver.suggestions(str(text))
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        _issue(result, i, "unknown_entity",
               f"Entity '{text}' is not a code, name or alias of any entity here.{hint} Fix the name or add it as an "
               "alias of the entity; the row was not imported.", suggestions=close)
    return unresolved
