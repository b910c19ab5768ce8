"""The whole portfolio — leases and revenue contracts — for an agent or a dashboard: one search,
one set of headline figures, one list of what needs a person. Each subledger answers its own half
(``services/leases/portfolio.py`` and ``attention.py``, ``services/revenue/portfolio.py``); this
module only chooses which halves to ask and puts the answers side by side.
"""
from __future__ import annotations

from datetime import date, timedelta

from backend.services.leases import attention as lease_attention
from backend.services.leases import portfolio as leases
from backend.services.ledger.locks import check_period
from backend.services.platform.context import Actor, Runtime
from backend.services.platform.errors import InvalidInput
from backend.services.revenue import portfolio as contracts

KINDS = ("lease", "contract")


def search(rt: Runtime, actor: Actor, *, kind: str | None = None, limit: int, cursor: str | None = None,
           entity: str | None = None, status: str | None = None, standard: str | None = None,
           currency: str | None = None, text: str | None = None, asset_class: str | None = None,
           commencing_from: date | None = None, commencing_to: date | None = None,
           ending_from: date | None = None, ending_to: date | None = None) -> dict:
    """Leases and contracts matching every filter, one page of each (``kind`` picks one).
    ``commencing_*`` is a lease's commencement or a contract's start date; ``asset_class`` and
    ``ending_*`` exist only for leases. A cursor continues one kind's pages, so it needs ``kind``."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput("kind must be lease or contract (or left out for both).", code="invalid_kind")
    if cursor is not None and kind is None:
        raise InvalidInput("A cursor continues the leases or the contracts: pass kind with it.",
                           code="cursor_needs_kind")
    lease_only = [f for f, v in (("asset_class", asset_class), ("ending_from", ending_from),
                                 ("ending_to", ending_to)) if v is not None]
    if kind == "contract" and lease_only:
        raise InvalidInput(f"{lease_only[0]} filters leases only; contracts have no such field.",
                           code="filter_not_for_contracts", details=[{"field": f} for f in lease_only])
    notes: list[str] = []
    if kind is None:
        wanted = [k for k in KINDS if _fits(k, status, standard)]
        if not wanted:
            raise InvalidInput(f"No lease or contract can have status {status!r} with book {standard!r}.",
                               code="invalid_filters", details=[{"field": "status"}, {"field": "standard"}])
        if lease_only and "contract" in wanted:
            wanted.remove("contract")
            notes.append(f"Contracts were not searched: {', '.join(lease_only)} filters leases only.")
    else:
        wanted = [kind]
    lease_page = contract_page = None
    if "lease" in wanted:
        lease_page = leases.search(
            rt, actor, limit=limit, cursor=cursor, entity=entity, status=status, standard=standard,
            asset_class=asset_class, currency=currency, text=text, commencing_from=commencing_from,
            commencing_to=commencing_to, ending_from=ending_from, ending_to=ending_to).to_dict()
    if "contract" in wanted:
        contract_page = contracts.search(
            rt, actor, limit=limit, cursor=cursor, entity=entity, status=status, standard=standard,
            currency=currency, text=text, starting_from=commencing_from, starting_to=commencing_to).to_dict()
    return {"leases": lease_page, "contracts": contract_page,
            "total_count": sum(p["total_count"] for p in (lease_page, contract_page) if p), "notes": notes}


def _fits(kind: str, status: str | None, standard: str | None) -> bool:
    """Whether a status and a book (when given) can belong to this kind of record."""
    statuses, books = ((leases.LEASE_STATUSES, leases.STANDARDS) if kind == "lease"
                       else (contracts.CONTRACT_STATUSES, contracts.BOOKS))
    return (status is None or status in statuses) and (standard is None or standard in books)


def summary(rt: Runtime, actor: Actor, *, entity: str | None = None, period: str | None = None) -> dict:
    """Headline figures at the end of ``period`` (default: this month) by entity and book: lease
    counts, liabilities and ROU assets; contract counts, revenue, contract balances and remaining
    performance obligations. Money as strings in each row's currency (never summed across)."""
    period = check_period(period) if period else rt.clock().strftime("%Y-%m")
    lease_part = leases.summary(rt, actor, entity=entity, period=period)
    return {**lease_part, **contracts.summary(rt, actor, entity=entity, period=period)}


def needs_attention(rt: Runtime, actor: Actor, *, entity: str | None = None, older_than_days: int = 7,
                    expiring_within_days: int = 90, limit: int = 50) -> dict:
    """What needs a person across both subledgers: the lease sections (drafts, missing rates,
    expiring leases, recognition failures, unapproved journals, dead jobs, failed webhooks) and the
    contract sections (drafts, unconfirmed, waiting recalculations, revenue dead letters)."""
    out = lease_attention.needs_attention(rt, actor, entity=entity, older_than_days=older_than_days,
                                          expiring_within_days=expiring_within_days, limit=limit)
    revenue = contracts.attention(rt, actor, entity=entity, limit=limit,
                                  stale_before=out["as_of"] - timedelta(days=older_than_days))
    counts = {**out["counts"], **{k: len(v) for k, v in revenue.items()}}
    return {**out, **revenue, "counts": counts, "total": sum(counts.values())}
