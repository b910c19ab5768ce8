"""Reporting entities of the tenant."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, respond
from backend.api.routes.identity import Cursor, Limit, Sort, page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.api.schemas.fields import Code, Currency, FiscalYearEnd, text
from backend.services.platform import tenancy
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["entities"])
Standard = Literal["IFRS16", "ASC842", "IFRS15", "ASC606"]
Aliases = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=50)]
ALIASES_HELP = ("Other names lease registers use for the entity; a workbook or CSV row's Entity cell matches the "
                "code, the name or an alias (case, spacing and punctuation ignored).")


class EntityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"code": "UK01", "name": "Acme UK Ltd", "functional_currency": "GBP",
         "enabled_standards": ["IFRS16", "IFRS15"], "fiscal_year_end": "12-31",
         "aliases": ["Acme United Kingdom Limited", "Acme UK"]}]})
    code: Code
    name: text(200, 1)
    functional_currency: Currency
    enabled_standards: list[Standard] = Field(default_factory=list, max_length=4)
    fiscal_year_end: FiscalYearEnd = "12-31"
    aliases: Aliases = Field(default_factory=list, description=ALIASES_HELP)


class EntityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: text(200, 1) | None = None
    enabled_standards: list[Standard] | None = Field(None, max_length=4)
    fiscal_year_end: FiscalYearEnd | None = None
    aliases: Aliases | None = Field(None, description=ALIASES_HELP + " Replaces the whole list.")


class EntityOut(EntityCreate):
    id: str
    created_at: datetime


@router.post("/entities", operation_id="create_entity", response_model=EntityOut, status_code=201)
def create_entity(body: EntityCreate, request: Request, actor: Annotated[Actor, Depends(require("entities.create"))],
                  idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: tenancy.create_entity(runtime(request), actor, body.model_dump()),
                   body=body, status_code=201, model=EntityOut, idempotency_key=idempotency_key)


@router.get("/entities", operation_id="list_entities", response_model=Page[EntityOut])
def list_entities(request: Request, actor: Annotated[Actor, Depends(require("entities.read"))],
                  limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None):
    return page_out(tenancy.list_entities(runtime(request), actor, limit=limit, cursor=cursor, sort=sort))


@router.get("/entities/{code}", operation_id="get_entity", response_model=EntityOut)
def get_entity(code: str, request: Request, actor: Annotated[Actor, Depends(require("entities.read"))]):
    return tenancy.get_entity(runtime(request), actor, code)


@router.patch("/entities/{code}", operation_id="update_entity", response_model=EntityOut)
def update_entity(code: str, body: EntityUpdate, request: Request,
                  actor: Annotated[Actor, Depends(require("entities.update"))]):
    return tenancy.update_entity(runtime(request), actor, code, body.model_dump(exclude_unset=True))
