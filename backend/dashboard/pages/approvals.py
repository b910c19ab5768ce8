from fastapi import APIRouter
from backend.dashboard.web import DashboardRoute
router = APIRouter(route_class=DashboardRoute)
