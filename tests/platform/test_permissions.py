"""The permission matrix is complete (every route names an action) and enforced on every route."""
from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from backend.auth.permissions import MATRIX, PUBLIC
from backend.auth.roles import Role


def _route_action(route: APIRoute) -> str | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        action = getattr(dep.call, "__ledger_action__", None)
        if action:
            return action
        stack.extend(dep.dependencies)
    return None


def api_routes(app):
    from backend.api.app import ROUTERS

    return [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def test_walked_routes_are_all_the_routes_of_the_app(app):
    walked = {(r.path, m) for r in api_routes(app) for m in r.methods}
    published = {(p, m.upper()) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert published <= walked


def test_every_route_has_a_matrix_entry(app):
    missing = []
    for route in api_routes(app):
        action = _route_action(route)
        if action is None and route.operation_id not in PUBLIC and route.name not in PUBLIC:
            missing.append(f"{sorted(route.methods)} {route.path}")
        elif action is not None:
            assert action in MATRIX, f"{route.path} names unknown action {action}"
    assert not missing, f"routes without a permission entry: {missing}"


def test_every_matrix_action_is_used_by_some_route(app):
    used = {_route_action(r) for r in api_routes(app)}
    # Actions reserved for channels other than REST: the MCP portfolio tools read across both
    # subledgers (REST has the per-subledger lists they are built from).
    assert set(MATRIX) - used == {"portfolio.read"}


def _fill_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "01ZZZZZZZZZZZZZZZZZZZZZZZZ", path)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_matrix_is_enforced_on_every_route_for_every_role(app, client, demo, make_user, rt, role):
    from sqlalchemy import update

    from backend.db.models import Tenant

    # One request per route and method is more than a starter plan's minute allows: an enterprise budget for the walk.
    with rt.db.session(system=True, write=True) as s:
        s.execute(update(Tenant).values(plan="enterprise", rate_limit_per_minute=1_000_000))
    _user, token = (None, demo.owner_token) if role == "OWNER" else make_user(role)
    for route in api_routes(app):
        action = _route_action(route)
        if action is None:
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            r = client.request(method, _fill_path(route.path), headers={"Authorization": f"Bearer {token}"},
                               json={})
            denied = r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
            expected_denied = Role(role) not in MATRIX[action]
            assert denied == expected_denied, f"{role} {method} {route.path}: {r.status_code} {r.text[:200]}"
            if expected_denied:
                assert r.json()["error"]["details"]["action"] == action


def test_no_token_is_401_on_every_protected_route(app, client):
    for route in api_routes(app):
        if _route_action(route) is None:
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            client.app.state.rate_limiter.reset()  # failed authentication is throttled per address
            r = client.request(method, _fill_path(route.path), json={})
            assert r.status_code == 401, f"{method} {route.path} -> {r.status_code}"
