"""Journal fixtures: draft entries written by the engines' own writer, users by role, raw SQL."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from backend.db.ids import new_id
from backend.db.models import Entity, JournalEntry
from backend.engine.journal import JournalEntry as EngineEntry
from backend.engine.journal import JournalLine as EngineLine
from backend.services.ledger.writer import Provenance, write_entries

MAPPING = {"INTEREST_EXPENSE": "7100", "LEASE_LIABILITY_CURRENT": "2310", "DEPRECIATION_EXPENSE": "7200",
           "ROU_ACCUMULATED_DEPRECIATION": "1690", "ROU_ASSET": "1610", "LEASE_LIABILITY_NONCURRENT": "2410",
           "CASH": "1010", "PREPAID_LEASE": "1400", "GAIN_LOSS": "7900", "FX_GAIN_LOSS": "7950",
           "LEASE_EXPENSE": "7300", "ACCRUED_LEASE": "2320"}


def engine_entry(amount: str, *, period: str = "2026-01", event: str = "lease.interest", memo: str = "",
                 dims: dict | None = None, currency: str = "USD") -> EngineEntry:
    d, zero = Decimal(amount), Decimal(0)
    dims = dims if dims is not None else {"lease_id": "L-1", "asset_class": "property", "standard": "IFRS16"}
    y, m = int(period[:4]), int(period[5:])
    return EngineEntry(date(y, m, 28), period, event, (
        EngineLine("INTEREST_EXPENSE", d, zero, currency, dims),
        EngineLine("LEASE_LIABILITY_CURRENT", zero, d, currency, dims)), memo)


class Ledger:
    """Writes draft journals exactly as an engine run does (``journal_writer.write_entries``)."""

    def __init__(self, rt, tenant_id: str):
        self.rt, self.tenant_id = rt, tenant_id

    def drafts(self, amounts: list[str], *, prepared_by: str | None, period: str = "2026-01",
               standard: str = "IFRS16", memo: str = "", dims: dict | None = None, lease_id: str | None = "L-1",
               currency: str = "USD") -> list[str]:
        run_id = new_id()
        entries = [engine_entry(a, period=period, event=f"lease.interest.{i}", memo=memo, dims=dims,
                                currency=currency) for i, a in enumerate(amounts)]
        with self.rt.db.session(self.tenant_id, write=True) as s:
            entity_id = s.scalar(select(Entity.id).where(Entity.code == "DEMO-US"))
            prov = Provenance(self.tenant_id, entity_id, standard, "monthly_close", lease_id, run_id, None,
                              prepared_by, "human" if prepared_by else None, "req-test")
            written, _ = write_entries(s, [(prov, entries)], self.rt.clock())
            assert written == len(entries)
            return list(s.scalars(select(JournalEntry.id).where(JournalEntry.run_id == run_id)
                                  .order_by(JournalEntry.id)))


@pytest.fixture
def ledger(rt, demo) -> Ledger:
    # These tests build their own mapping: start without the demo account's ready-made one.
    from sqlalchemy import delete

    from backend.db.models import AccountMapping

    with rt.db.session(demo.sandbox_tenant_id, write=True) as s:
        s.execute(delete(AccountMapping))
    return Ledger(rt, demo.sandbox_tenant_id)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(client, demo, make_user):
    """The owner (who prepares, as the user who requested the close), two approvers, a preparer,
    a reviewer and an agent approver."""
    owner_id = client.get("/v1/me", headers=demo.headers()).json()["user"]["id"]
    out = {"owner": ({"id": owner_id}, demo.owner_token)}
    for name, role, kind in (("approver", "APPROVER", "human"), ("approver2", "APPROVER", "human"),
                             ("preparer", "PREPARER", "human"), ("reviewer", "REVIEWER", "human"),
                             ("agent", "APPROVER", "agent"), ("agent_owner", "OWNER", "agent"),
                             ("admin", "ADMIN", "human")):
        out[name] = make_user(role, actor_kind=kind)
    return out
