"""Entities: create; per entity the lease policy, IBR matrix and FX rates (pasted from Excel),
account mapping with the engine codes, and period locks with who and why.

Form input is validated with the REST API's own request models, so both doors accept exactly
the same values; the services then apply their rules.
"""
from __future__ import annotations

import json
import re

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError

from backend.api.routes.entities import EntityCreate
from backend.api.routes.lease_config import FxRatesIn, IbrMatrixIn, LockIn, PolicyIn
from backend.api.schemas.journals import AccountMappingIn
from backend.dashboard.web import Ctx, DashboardRoute, guard
from backend.services.ledger import account_mapping
from backend.services.platform import dashboard_views
from backend.services.leases import config as lease_config
from backend.services.leases import fx_refresh
from backend.services.ledger import locks as period_locks
from backend.services.platform import tenancy
from backend.services.platform.errors import InvalidInput

router = APIRouter(route_class=DashboardRoute)
STANDARDS = ("IFRS16", "ASC842", "IFRS15", "ASC606")


def parse(model: type[BaseModel], data: dict) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "code": e["type"], "message": e["msg"]}
                   for e in exc.errors()[:20]]
        raise InvalidInput("Some values are not valid.", code="validation_error", details=details) from None


def pasted_rows(text: str, columns: tuple[str, ...]) -> list[dict]:
    """Rows pasted from Excel (tab-separated; commas or semicolons also work). A first row that
    names the columns is skipped; blank lines are ignored."""
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in re.split(r"\t|;|,", line)]
        if n == 1 and cells and cells[0].lower().replace(" ", "_") in (columns[0], columns[0].split("_")[0]):
            continue
        if len(cells) < len(columns):
            raise InvalidInput(f"Line {n} has {len(cells)} columns; expected {', '.join(columns)}.",
                               code="invalid_paste")
        rows.append(dict(zip(columns, cells)))
    if not rows:
        raise InvalidInput("Paste at least one row.", code="invalid_paste")
    return rows


@router.get("/entities")
def entities_page(ctx: Ctx = guard("entities.read")):
    entities = tenancy.list_entities(ctx.rt, ctx.actor, limit=200, cursor=None, sort="code:asc").data
    return ctx.render("entities.html", entities=entities, standards=STANDARDS)


@router.post("/entities")
def create_entity(ctx: Ctx = guard("entities.create")):
    body = parse(EntityCreate, {"code": ctx.field("code").strip(), "name": ctx.field("name").strip(),
                                "functional_currency": ctx.field("functional_currency").strip().upper(),
                                "enabled_standards": ctx.fields("enabled_standards"),
                                "fiscal_year_end": ctx.field("fiscal_year_end", "12-31").strip()})
    ent = tenancy.create_entity(ctx.rt, ctx.actor, body.model_dump())
    return ctx.redirect(f"/entities/{ent['code']}", f"Entity {ent['code']} created.")


@router.get("/entities/{code}")
def entity_page(code: str, ctx: Ctx = guard("entities.read")):
    entity = tenancy.get_entity(ctx.rt, ctx.actor, code)
    policy = lease_config.get_policy(ctx.rt, ctx.actor, code) if ctx.can("lease_config.read") else None
    editable = {k: v for k, v in (policy or {}).items()
                if k in PolicyIn.model_fields and k != "effective_date" and v is not None}
    return ctx.render(
        "entity.html", entity=entity, policy=policy, policy_json=json.dumps(editable, indent=2, default=str),
        ibr=lease_config.get_ibr_matrix(ctx.rt, ctx.actor, code) if ctx.can("lease_config.read") else None,
        fx=lease_config.list_fx_rates(ctx.rt, ctx.actor, code) if ctx.can("lease_config.read") else None,
        mapping=account_mapping.get_mapping(ctx.rt, ctx.actor, code) if ctx.can("account_mapping.read") else None,
        codes=dashboard_views.engine_account_codes(),
        locks=period_locks.get_locks(ctx.rt, ctx.actor, code) if ctx.can("period_locks.read") else None,
        names=dashboard_views.user_names(ctx.rt, ctx.actor))


@router.post("/entities/{code}/policy")
def put_policy(code: str, ctx: Ctx = guard("lease_config.write")):
    try:
        data = json.loads(ctx.field("policy", "{}"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The policy is not valid JSON: {exc.msg} (line {exc.lineno}).", code="invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidInput("The policy must be a JSON object.", code="invalid_json")
    body = parse(PolicyIn, {**data, "effective_date": ctx.field("effective_date")})
    payload = body.model_dump(mode="json", exclude_unset=True)
    payload.pop("effective_date")
    out = lease_config.put_policy(ctx.rt, ctx.actor, code, payload, body.effective_date)
    return ctx.redirect(f"/entities/{code}", f"Lease policy version {out['version']} saved.")


@router.post("/entities/{code}/ibr")
def put_ibr(code: str, ctx: Ctx = guard("lease_config.write")):
    rows = pasted_rows(ctx.field("rows"), ("currency", "term_from_months", "term_to_months", "rate"))
    body = parse(IbrMatrixIn, {"entity": code, "effective_date": ctx.field("effective_date"), "rates": rows})
    lease_config.put_ibr_matrix(ctx.rt, ctx.actor, code, body.effective_date, [r.model_dump() for r in body.rates])
    return ctx.redirect(f"/entities/{code}", f"IBR matrix saved ({len(rows)} rows).")


@router.post("/entities/{code}/fx")
def put_fx(code: str, ctx: Ctx = guard("lease_config.write")):
    rows = pasted_rows(ctx.field("rows"), ("from_currency", "to_currency", "date", "rate"))
    body = parse(FxRatesIn, {"entity": code, "rates": rows})
    out = fx_refresh.put_fx_rates(ctx.rt, ctx.actor, code, [r.model_dump() for r in body.rates])
    return ctx.redirect(f"/entities/{code}", f"{out['upserted']} FX rates saved ({len(out['changed'])} changed).")


@router.post("/entities/{code}/mapping")
def put_mapping(code: str, ctx: Ctx = guard("account_mapping.write")):
    current = account_mapping.get_mapping(ctx.rt, ctx.actor, code)
    accounts = {}
    for key in ctx.form.keys():
        if key.startswith("account__") and ctx.field(key).strip():
            accounts[key[len("account__"):]] = ctx.field(key).strip()
    version = ctx.field("version")
    body = parse(AccountMappingIn, {"accounts": accounts, "dimensions": current["dimensions"],
                                    "version": int(version) if version.isdigit() else None})
    out = account_mapping.put_mapping(ctx.rt, ctx.actor, code, body.accounts, body.dimensions, body.version)
    return ctx.redirect(f"/entities/{code}", f"Account mapping version {out['version']} saved.")


@router.post("/entities/{code}/locks")
def put_lock(code: str, ctx: Ctx = guard("period_locks.write")):
    body = parse(LockIn, {"entity": code, "period": ctx.field("period").strip(), "standard": ctx.field("standard", "ALL"),
                          "status": ctx.field("status"), "reason": ctx.field("reason").strip() or None})
    out = period_locks.set_lock(ctx.rt, ctx.actor, code, body.period, body.standard, body.status, body.reason)
    return ctx.redirect(f"/entities/{code}", f"{out['period']} ({out['standard']}) is {out['status']}.")
