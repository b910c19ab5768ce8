"""Webhook endpoints (subscriptions) and deliveries. See docs/webhooks.md for the contract."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from backend.api.deps import require, runtime
from backend.api.idempotent import IdempotencyKeyHeader, redact, respond
from backend.api.routes.identity import page_out
from backend.api.schemas.common import ERROR_RESPONSES, Page
from backend.api.schemas.fields import Url, text
from backend.api.schemas.identity import SecretShownOnce
from backend.services.webhooks import endpoints as webhooks
from backend.services.webhooks.endpoints import EVENT_TYPES
from backend.services.platform.context import Actor
from backend.services.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["webhooks"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT}, max {MAX_LIMIT})")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Sort = Annotated[str | None, Query(description="`created_at:desc` (default), `created_at:asc`, `updated_at:…`")]

EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]
CATALOGUE = "; ".join(f"`{k}`: {v}" for k, v in EVENT_TYPES.items())
URL_RULES = ("https required in production tenants, and the host must be public (loopback/private refused); "
             "sandbox tenants may also use http://localhost or http://127.0.0.1 for local development")


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "url": "https://erp-bridge.example.com/hooks/ledger", "event_types": ["journal.approved", "close.completed"],
        "description": "ERP posting bridge"}]})
    url: Url = Field(description=URL_RULES)
    event_types: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES),
                                         description=f"Event types to receive. Catalogue: {CATALOGUE}")
    description: text(500) | None = None
    enabled: bool = True


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Url | None = Field(None, description=URL_RULES)
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=len(EVENT_TYPES))
    description: text(500) | None = None
    enabled: bool | None = Field(None, description="false stops deliveries; true re-enables (e.g. after 410 Gone)")


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    previous_valid_hours: int = Field(webhooks.DEFAULT_ROTATION_HOURS, ge=0, le=webhooks.MAX_ROTATION_HOURS,
                                      description="How long the old secret keeps signing alongside the new one "
                                                  "(both signatures are sent); 0 revokes it at once")


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(description="Set while a rotated-out secret still signs")
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class EndpointWithSecret(EndpointOut, SecretShownOnce):
    secret: str | None = Field(description="`whsec_…` signing secret. Shown once: store it now (null on an "
                                           "idempotent replay).")


class DeliveryOut(BaseModel):
    id: str
    event_id: str = Field(description="Also the `webhook-id` header: the receiver's idempotency key")
    event_type: str
    endpoint_id: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    first_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AttemptOut(BaseModel):
    attempt: int
    trigger: Literal["scheduled", "manual"]
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None = Field(description="Always null: receivers' response bodies are not stored "
                                                     "(only the status), so nothing they echo reaches this log")


class DeliveryDetail(DeliveryOut):
    attempt_log: list[AttemptOut]
    payload: dict = Field(description="The body sent: {event_id, event_type, timestamp, actor, request_id, data}")


class EventTypeOut(BaseModel):
    event_type: str
    description: str


@router.get("/webhook-event-types", operation_id="list_webhook_event_types", response_model=list[EventTypeOut],
            summary="The event catalogue an endpoint can subscribe to")
def list_event_types(request: Request, actor: Annotated[Actor, Depends(require("webhooks.read"))]):
    return [{"event_type": k, "description": v} for k, v in EVENT_TYPES.items()]


@router.post("/webhook-endpoints", operation_id="create_webhook_endpoint", response_model=EndpointWithSecret,
             status_code=201, summary="Subscribe a URL to event types (the signing secret is in the response, once)")
def create_endpoint(body: EndpointCreate, request: Request, actor: Annotated[Actor, Depends(require("webhooks.write"))],
                    idempotency_key: IdempotencyKeyHeader = None):
    # As with API tokens, the secret is never stored for replays.
    return respond(request, actor, lambda: webhooks.create_endpoint(runtime(request), actor, **body.model_dump()),
                   body=body, status_code=201, model=EndpointWithSecret, idempotency_key=idempotency_key,
                   redact_replay=redact("secret"))


@router.get("/webhook-endpoints", operation_id="list_webhook_endpoints", response_model=Page[EndpointOut])
def list_endpoints(request: Request, actor: Annotated[Actor, Depends(require("webhooks.read"))],
                   limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
                   enabled: bool | None = None, event_type: EventType | None = None):
    return page_out(webhooks.list_endpoints(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                            enabled=enabled, event_type=event_type))


@router.get("/webhook-endpoints/{endpoint_id}", operation_id="get_webhook_endpoint", response_model=EndpointOut)
def get_endpoint(endpoint_id: str, request: Request, actor: Annotated[Actor, Depends(require("webhooks.read"))]):
    return webhooks.get_endpoint(runtime(request), actor, endpoint_id)


@router.patch("/webhook-endpoints/{endpoint_id}", operation_id="update_webhook_endpoint", response_model=EndpointOut)
def update_endpoint(endpoint_id: str, body: EndpointUpdate, request: Request,
                    actor: Annotated[Actor, Depends(require("webhooks.write"))]):
    return webhooks.update_endpoint(runtime(request), actor, endpoint_id, body.model_dump(exclude_unset=True))


@router.delete("/webhook-endpoints/{endpoint_id}", operation_id="delete_webhook_endpoint", response_model=EndpointOut,
               summary="Delete an endpoint: no new deliveries; its delivery history stays readable")
def delete_endpoint(endpoint_id: str, request: Request, actor: Annotated[Actor, Depends(require("webhooks.write"))]):
    return webhooks.delete_endpoint(runtime(request), actor, endpoint_id)


@router.post("/webhook-endpoints/{endpoint_id}/rotate-secret", operation_id="rotate_webhook_secret",
             response_model=EndpointWithSecret,
             summary="New signing secret (shown once); the old one keeps signing for a grace period")
def rotate_secret(endpoint_id: str, request: Request, actor: Annotated[Actor, Depends(require("webhooks.write"))],
                  body: RotateIn | None = None, idempotency_key: IdempotencyKeyHeader = None):
    body = body or RotateIn()
    return respond(request, actor, lambda: webhooks.rotate_secret(runtime(request), actor, endpoint_id,
                                                                  previous_valid_hours=body.previous_valid_hours),
                   body=body, model=EndpointWithSecret, idempotency_key=idempotency_key,
                   redact_replay=redact("secret"))


@router.get("/webhook-deliveries", operation_id="list_webhook_deliveries", response_model=Page[DeliveryOut])
def list_deliveries(request: Request, actor: Annotated[Actor, Depends(require("webhooks.read"))],
                    limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, sort: Sort = None,
                    endpoint_id: str | None = None, event_id: str | None = None, event_type: EventType | None = None,
                    status: Literal["pending", "delivered", "failed"] | None = None,
                    created_from: Annotated[AwareDatetime | None, Query(description="inclusive, with offset")] = None,
                    created_to: Annotated[AwareDatetime | None, Query(description="exclusive, with offset")] = None):
    return page_out(webhooks.list_deliveries(runtime(request), actor, limit=limit, cursor=cursor, sort=sort,
                                             endpoint_id=endpoint_id, event_id=event_id, event_type=event_type,
                                             status=status, created_from=created_from, created_to=created_to))


@router.get("/webhook-deliveries/{delivery_id}", operation_id="get_webhook_delivery", response_model=DeliveryDetail,
            summary="A delivery with every attempt (status, latency, first bytes of the response) and its payload")
def get_delivery(delivery_id: str, request: Request, actor: Annotated[Actor, Depends(require("webhooks.read"))]):
    return webhooks.get_delivery(runtime(request), actor, delivery_id)


@router.post("/webhook-deliveries/{delivery_id}/retry", operation_id="retry_webhook_delivery",
             response_model=DeliveryOut, status_code=202,
             summary="Send again now (failed: one more attempt; pending: the next attempt brought forward)")
def retry_delivery(delivery_id: str, request: Request, actor: Annotated[Actor, Depends(require("webhooks.write"))],
                   idempotency_key: IdempotencyKeyHeader = None):
    return respond(request, actor, lambda: webhooks.retry_delivery(runtime(request), actor, delivery_id),
                   status_code=202, model=DeliveryOut, idempotency_key=idempotency_key)
