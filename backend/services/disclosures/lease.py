"""The lease disclosure pack of an entity × standard × period, from stored runs and the ledger.

Load the current run of every lease of the entity for the standard (with its stored schedule),
the approved journal lines of the lease source, and build the pack with the pure engine. A pack
for a locked period (every month of the window locked) is stored the first time it is built and
served from storage afterwards, so later runs cannot change it; narrative overrides are applied
on top without re-running anything. Each generation emits ``disclosure.generated``.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from backend.db.models import (
    Entity,
    JournalEntry,
    JournalLine,
    Lease,
    LeaseRun,
    LeaseRunSchedule,
)
from backend.engine.disclosures import LeaseFacts, LedgerFigures, Window, build_lease_pack
from backend.engine.money import from_minor
from backend.services.disclosures.packs import PackOut, serve_pack
from backend.services.leases.runs import CASH_FLOWS
from backend.services.ledger.periods import PeriodAxis
from backend.services.platform.context import Actor, Runtime

LEDGER_STATUSES = ("approved", "posted", "reversed")  # a reversed entry and its reversal both count


def _d(v) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v))


class _Column(Sequence):
    """A stored schedule column (comma-joined exact decimals), read by slices: only the cells a
    slice covers are split off and converted (a pack reads a year of a few columns of each lease)."""

    __slots__ = ("_n", "joined")

    def __init__(self, joined: str):
        self.joined = joined
        self._n: int | None = None

    def __len__(self) -> int:
        if self._n is None:
            self._n = self.joined.count(",") + 1 if self.joined else 0
        return self._n

    def _cells(self, stop: int | None) -> list[str]:
        if stop is None or stop < 0:
            return self.joined.split(",")
        return self.joined.split(",", stop)[:stop]  # the text after the cut is not split

    def __getitem__(self, k):
        if isinstance(k, slice):
            start, stop, step = k.indices(len(self))
            cells = self._cells(stop)[start:stop:step]
            try:
                return list(map(Decimal, cells))
            except ArithmeticError:  # '' where the field does not apply
                return [Decimal(v) if v else None for v in cells]
        if k < 0:
            k += len(self)
        v = self._cells(k + 1)[k]
        return Decimal(v) if v else None


_FLOWS_KEY = ',"' + CASH_FLOWS + '":'


def _columns(blob: str) -> dict[str, str]:
    """The schedule's columns without decoding its dated cash flows (stored as the blob's last key by
    ``runs._encode_columns``; most of the decoding time): the maturity analysis reads the payment
    column. Falls back to a full decode if the layout is not the expected one."""
    i = blob.rfind(_FLOWS_KEY)
    if i > 0:
        try:
            cols = json.loads(blob[:i] + "}")
            if "payment" in cols:
                return cols
        except ValueError:
            pass
    cols = json.loads(blob)
    cols.pop(CASH_FLOWS, None)
    return cols


def lease_facts(s, entity: Entity, standard: str, batch: int = 500) -> Iterator[LeaseFacts]:
    """The current book of every lease of ``entity`` under ``standard``, as stored, streamed in
    batches (a 10,000-lease book is hundreds of MB of schedule text: never all in memory)."""
    terminated = dict(s.execute(select(LeaseRun.lease_id, func.max(LeaseRun.effective_date)).where(
        LeaseRun.entity_id == entity.id, LeaseRun.standard == standard, LeaseRun.run_type == "TERMINATION")
        .group_by(LeaseRun.lease_id)).all())
    rows = s.execute(select(LeaseRun.lease_id, LeaseRun.classification, LeaseRun.exemption, LeaseRun.currency,
                            LeaseRun.summary, LeaseRunSchedule.first_period, LeaseRunSchedule.period_count,
                            LeaseRunSchedule.columns, Lease.external_id)
                     .join(LeaseRunSchedule, LeaseRunSchedule.run_id == LeaseRun.id)
                     .join(Lease, Lease.id == LeaseRun.lease_id)
                     .where(LeaseRun.entity_id == entity.id, LeaseRun.standard == standard,
                            LeaseRun.is_current.is_(True)).execution_options(yield_per=batch))
    for lease_id, classification, exemption, currency, sm, first, count, blob, external_id in rows:
        cols = {k: _Column(v) for k, v in _columns(blob).items()}
        yield LeaseFacts(
            lease_id=lease_id, standard=standard, classification=classification, exemption=exemption,
            asset_class=sm.get("asset_class") or "", currency=currency,
            functional_currency=sm.get("functional_currency"),
            commencement_date=date.fromisoformat(sm["commencement_date"]), end_date=date.fromisoformat(sm["end_date"]),
            discount_rate=_d(sm.get("discount_rate")), initial_liability=_d(sm.get("initial_liability")),
            initial_rou_asset=_d(sm.get("initial_rou_asset")), periods_keys=PeriodAxis(first, count),
            columns=cols, cash_flows=(),
            initial_liability_functional=_d(sm.get("initial_liability_functional")),
            initial_rou_asset_functional=_d(sm.get("initial_rou_asset_functional")),
            historical_rate=_d(sm.get("historical_rate")), fx_rates_used=sm.get("fx_rates_used"),
            terminated_on=terminated.get(lease_id), external_id=external_id)


def ledger_figures(s, tenant_id: str, entity: Entity, standard: str, w: Window, currency: str,
                   source_type: str = "lease") -> LedgerFigures:
    """Approved journal lines of the source: balances through the window end, movements inside it."""
    E, L = JournalEntry, JournalLine
    inside = case((E.period >= w.first, 1), else_=0)
    rows = s.execute(select(L.account, L.currency, inside, func.sum(L.debit_minor - L.credit_minor))
                     .join(E, E.id == L.entry_id)
                     .where(L.tenant_id == tenant_id, E.entity_id == entity.id, E.standard == standard,
                            E.source_type == source_type, E.status.in_(LEDGER_STATUSES), E.period <= w.last)
                     .group_by(L.account, L.currency, inside)).all()
    balances: dict[str, Decimal] = {}
    movements: dict[str, Decimal] = {}
    others = set()
    for account, ccy, is_in, minor in rows:
        if ccy != currency:
            others.add(ccy)
            continue
        v = from_minor(int(minor or 0), ccy)
        balances[account] = balances.get(account, Decimal(0)) + v
        if is_in:
            movements[account] = movements.get(account, Decimal(0)) + v
    counts = dict(s.execute(select(E.status, func.count()).where(
        E.entity_id == entity.id, E.standard == standard, E.source_type == source_type, E.period >= w.first,
        E.period <= w.last).group_by(E.status)).all())
    return LedgerFigures(balances, movements, entry_count=sum(int(counts.get(x, 0)) for x in LEDGER_STATUSES),
                         draft_count=int(counts.get("draft", 0)), other_currencies=tuple(sorted(others)))


def lease_pack(rt: Runtime, actor: Actor, *, entity: str, period: str, standard: str, fmt: str = "pack") -> PackOut:
    def build(s, ent: Entity, w: Window) -> dict:
        ccy = ent.functional_currency
        ledger = ledger_figures(s, actor.tenant_id, ent, standard, w, ccy)
        base = build_lease_pack(lease_facts(s, ent, standard), standard=standard, window=w, currency=ccy,
                                entity=ent.code, ledger=ledger)
        base["ledger"] = {"approved_entries": ledger.entry_count, "draft_entries": ledger.draft_count}
        return base

    return serve_pack(rt, actor, source="lease", entity=entity, period=period, key=standard, books=(standard,),
                      build=build, fmt=fmt)
