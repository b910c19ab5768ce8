"""Dashboard security: CSRF, session fixation, cookie flags, sign-in throttling and auditing,
session expiry, and tenant isolation of every page."""
from __future__ import annotations

import re

from sqlalchemy import select

from backend.db.models import AuditEvent
from tests.conftest import FakeClock
from tests.dashboard.conftest import PASSWORD, sign_in, sign_up
from tests.dashboard.test_dashboard_flows import bearer, mint, owner_id, web_tenant
from tests.journals.conftest import Ledger


def test_posts_without_a_valid_csrf_token_are_refused(web, new_web, client):
    sign_up(web)
    token = mint(web)
    n = lambda: client.get("/v1/tokens", headers=bearer(token)).json()["total_count"]  # noqa: E731
    before = n()
    r = web.post("/dashboard/tokens", {"name": "x"}, csrf=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = web.post("/dashboard/tokens", {"name": "x", "csrf_token": "0" * 64}, csrf=False)
    assert r.status_code == 403
    # A token from another person's session does not work in this one.
    other = new_web()
    sign_up(other, email="eve@example.com", account="Eve Inc")
    foreign = other.csrf("/dashboard/tokens")
    r = web.post("/dashboard/tokens", {"name": "x", "csrf_token": foreign}, csrf=False)
    assert r.status_code == 403
    assert n() == before
    # Sign-in and sign-up forms are bound to the browser's pre-session cookie: a cross-site post
    # (no cookie) is refused before any password is checked.
    fresh = new_web()
    r = fresh.post("/dashboard/login", {"email": "ada@example.com", "password": PASSWORD,
                                        "csrf_token": web.csrf("/dashboard/tokens")}, csrf=False)
    assert r.status_code == 403 and "ll_session" not in r.headers.get("set-cookie", "")


def test_session_fixation_is_prevented(web, new_web):
    sign_up(web)
    attacker = new_web()
    sign_in(attacker, "ada@example.com")
    planted = attacker.c.cookies.get("ll_session")
    # The victim's browser carries a cookie chosen by someone else, then signs in.
    victim = new_web()
    victim.c.cookies.set("ll_session", planted, domain="testserver.local", path="/dashboard")
    victim.get("/dashboard/login")
    r = sign_in(victim, "ada@example.com")
    assert r.status_code == 303
    issued = re.search(r"ll_session=([^;]+)", r.headers["set-cookie"]).group(1)
    assert issued != planted
    # The session the browser came with is ended at sign-in; the new one is fresh.
    assert attacker.get("/dashboard/").status_code == 303
    # A made-up or tampered cookie is just "not signed in".
    forged = new_web()
    forged.c.cookies.set("ll_session", issued[:-2] + "xx", domain="testserver.local", path="/dashboard")
    assert forged.get("/dashboard/").status_code == 303


def test_cookies_are_httponly_samesite_and_secure_over_https(new_web):
    secure = new_web("https://testserver")
    r = secure.get("/dashboard/signup")
    assert "ll_pre=" in r.headers["set-cookie"]
    r = sign_up(secure)
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("ll_session="))
    flags = [f.strip().lower() for f in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "secure" in flags and "path=/dashboard" in flags
    assert not any(f.startswith("expires") and "1970" in f for f in flags)
    r = secure.get("/dashboard/")
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_brute_force_sign_in_is_throttled_and_audited(web, new_web, rt):
    clock = FakeClock()
    rt.clock = clock
    sign_up(web)
    attacker = new_web()
    for _ in range(5):
        r = sign_in(attacker, "ada@example.com", "wrong password 123")
        assert r.status_code == 401 and "email or the password is wrong" in r.text
    r = sign_in(attacker, "ada@example.com")  # the right password, but too late
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "ll_session" not in r.headers.get("set-cookie", "")
    # Unknown emails get the same answer (no account enumeration) and are throttled the same way.
    assert sign_in(attacker, "nobody@example.com", "whatever 123456").status_code == 401
    clock.advance(minutes=16)
    assert sign_in(new_web(), "ada@example.com").status_code == 303
    rt.flush_audit()
    tenant = web_tenant(rt, "ada@example.com")
    with rt.db.session(tenant) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.chain_key == tenant,
                                                  AuditEvent.action == "dashboard.sign_in")).all()
    reasons = [r.details.get("reason") for r in rows if r.outcome == "denied"]
    assert reasons.count("wrong_password") == 5
    assert [r for r in rows if r.outcome == "success"] and all(r.details["channel"] == "dashboard" for r in rows)
    with rt.db.session(system=True) as s:
        throttled = s.scalars(select(AuditEvent).where(AuditEvent.action == "dashboard.sign_in",
                                                       AuditEvent.chain_key == "system")).all()
    assert any(r.details.get("reason") == "throttled" for r in throttled)
    assert any(r.details.get("reason") == "unknown_email" for r in throttled)


def test_sessions_expire_and_sign_out_ends_them(web, new_web, rt):
    clock = FakeClock()
    rt.clock = clock
    sign_up(web)
    copy = new_web()
    copy.c.cookies.set("ll_session", web.c.cookies.get("ll_session"), domain="testserver.local", path="/dashboard")
    assert copy.get("/dashboard/").status_code == 200
    web.post("/dashboard/logout", page="/dashboard/")
    assert copy.get("/dashboard/").status_code == 303  # a stolen copy of the cookie dies with sign-out
    sign_in(web, "ada@example.com")
    clock.advance(hours=13)
    assert web.get("/dashboard/").status_code == 303


def test_no_page_leaks_another_tenants_data(web, new_web, rt, client):
    sign_up(web)  # Ada's account
    ada_token = mint(web)
    web.post("/dashboard/entities", [("code", "ADA-SECRET"), ("name", "Ada Private Ltd"),
                                     ("functional_currency", "USD")], page="/dashboard/entities")
    web.post("/dashboard/webhooks", [("url", "http://localhost:1/ada-hook"), ("event_types", "period.locked")],
             page="/dashboard/webhooks")
    ada_entry = Ledger(rt, web_tenant(rt, "ada@example.com")).drafts(["123.45"], prepared_by=owner_id(rt, "ada@example.com"))[0]
    ada_tok_id = client.get("/v1/me", headers=bearer(ada_token)).json()["token_id"]
    ada_user = owner_id(rt, "ada@example.com")

    eve = new_web()
    sign_up(eve, email="eve@example.com", account="Eve Inc", name="Eve Owner")
    for path in ("/dashboard/", "/dashboard/tokens", "/dashboard/users", "/dashboard/approvals", "/dashboard/webhooks",
                 "/dashboard/entities", "/dashboard/audit", "/dashboard/jobs", "/dashboard/sandbox"):
        text = eve.get(path).text
        for secret in ("ADA-SECRET", "Ada Private", "ada-hook", ada_entry, ada_tok_id, "Ada Owner", "ada@example.com",
                       ada_token[:12]):
            assert secret not in text, (path, secret)
    assert eve.get("/dashboard/entities/ADA-SECRET").status_code == 404
    assert eve.get(f"/dashboard/audit?resource_id={ada_entry}").text.count(ada_entry) <= 1  # only the filter box
    # Acting on Ada's ids from Eve's session: not found, nothing changes.
    assert eve.post(f"/dashboard/approvals/{ada_entry}/void", page="/dashboard/approvals").status_code == 404
    assert eve.post(f"/dashboard/tokens/{ada_tok_id}/revoke", page="/dashboard/tokens").status_code == 404
    assert eve.post(f"/dashboard/users/{ada_user}/deactivate", page="/dashboard/users").status_code == 404
    assert eve.post("/dashboard/tokens", {"name": "x", "user_id": ada_user}, page="/dashboard/tokens").status_code == 404
    assert client.get("/v1/me", headers=bearer(ada_token)).status_code == 200
    assert client.get(f"/v1/journal-entries/{ada_entry}", headers=bearer(ada_token)).json()["status"] == "draft"
    # Within one account, production does not show the sandbox's data.
    web.post("/dashboard/tenant", {"tenant": "production"}, page="/dashboard/")
    prod = web.get("/dashboard/approvals").text
    assert ada_entry not in prod and "ADA-SECRET" not in web.get("/dashboard/entities").text
    assert "ada-hook" not in web.get("/dashboard/webhooks").text


def test_every_dashboard_request_is_audited_with_its_channel(web, rt):
    sign_up(web)
    mint(web)
    web.post("/dashboard/approvals/nope/approve", page="/dashboard/approvals")
    rt.flush_audit()
    tenant = web_tenant(rt, "ada@example.com")
    with rt.db.session(tenant) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.chain_key == tenant, AuditEvent.kind == "request")).all()
    seen = {(r.method, r.route, r.status, r.outcome) for r in rows}
    assert ("POST", "/dashboard/tokens", 201, "success") in seen
    assert ("GET", "/dashboard/tokens", 200, "success") in seen
    assert ("POST", "/dashboard/approvals/{entry_id}/approve", 404, "failed") in seen
    assert all(r.details["channel"] == "dashboard" and r.actor_user_id for r in rows)
    assert not [r for r in rows if "/static/" in r.route]
