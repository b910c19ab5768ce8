"""The web dashboard at /dashboard: server-rendered Jinja2 pages over the same services (and the same
permission matrix) as the REST API, the add-in and MCP. Mounted by ``backend.api.app``."""
from __future__ import annotations

from fastapi import APIRouter

from backend.dashboard.pages import account, approvals, entities, narratives, platform, tokens, users, webhooks
from backend.dashboard.web import DashboardRoute

router = APIRouter(prefix="/dashboard", include_in_schema=False, route_class=DashboardRoute)
for _module in (account, tokens, users, approvals, narratives, webhooks, entities, platform):
    router.include_router(_module.router)
