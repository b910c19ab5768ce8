"""Webhooks per tenant: endpoints and their event types, the secret shown once (create, rotate),
deliveries with status and attempts, retry."""
from __future__ import annotations

from fastapi import APIRouter

from backend.dashboard.web import Ctx, DashboardRoute, guard
from backend.services.webhooks import endpoints as webhooks
from backend.services.platform.errors import InvalidInput
from backend.services.webhooks.endpoints import EVENT_TYPES

router = APIRouter(route_class=DashboardRoute)


@router.get("/webhooks")
def webhooks_page(ctx: Ctx = guard("webhooks.read")):
    q = ctx.request.query_params
    endpoints = webhooks.list_endpoints(ctx.rt, ctx.actor, limit=100, cursor=None, sort=None).data
    deliveries = webhooks.list_deliveries(ctx.rt, ctx.actor, limit=50, cursor=None, sort=None,
                                          endpoint_id=q.get("endpoint") or None, status=q.get("status") or None).data
    detail = webhooks.get_delivery(ctx.rt, ctx.actor, q["delivery"]) if q.get("delivery") else None
    return ctx.render("webhooks.html", endpoints=endpoints, deliveries=deliveries, detail=detail,
                      event_types=EVENT_TYPES, status_filter=q.get("status", ""), endpoint=q.get("endpoint", ""))


@router.post("/webhooks")
def create_endpoint(ctx: Ctx = guard("webhooks.write")):
    out = webhooks.create_endpoint(ctx.rt, ctx.actor, url=ctx.field("url").strip(), event_types=ctx.fields("event_types"),
                                   description=ctx.field("description").strip() or None)
    return ctx.render("webhook_secret.html", status=201, endpoint=out, rotated=False)


@router.post("/webhooks/{endpoint_id}/rotate")
def rotate(endpoint_id: str, ctx: Ctx = guard("webhooks.write")):
    try:
        hours = int(ctx.field("previous_valid_hours", "24"))
    except ValueError:
        raise InvalidInput("Hours must be a whole number.", code="invalid_hours") from None
    out = webhooks.rotate_secret(ctx.rt, ctx.actor, endpoint_id, previous_valid_hours=hours)
    return ctx.render("webhook_secret.html", endpoint=out, rotated=True)


@router.post("/webhooks/{endpoint_id}/update")
def update(endpoint_id: str, ctx: Ctx = guard("webhooks.write")):
    changes: dict = {"event_types": ctx.fields("event_types") or None}
    if ctx.field("enabled") in ("true", "false"):
        changes = {"enabled": ctx.field("enabled") == "true"}
    webhooks.update_endpoint(ctx.rt, ctx.actor, endpoint_id, changes)
    return ctx.redirect("/webhooks", "Endpoint updated.")


@router.post("/webhooks/{endpoint_id}/delete")
def delete(endpoint_id: str, ctx: Ctx = guard("webhooks.write")):
    webhooks.delete_endpoint(ctx.rt, ctx.actor, endpoint_id)
    return ctx.redirect("/webhooks", "Endpoint deleted; its delivery history is kept.")


@router.post("/webhooks/deliveries/{delivery_id}/retry")
def retry(delivery_id: str, ctx: Ctx = guard("webhooks.write")):
    webhooks.retry_delivery(ctx.rt, ctx.actor, delivery_id)
    return ctx.redirect(f"/webhooks?delivery={delivery_id}", "Retry queued: the delivery is sent again now.")
