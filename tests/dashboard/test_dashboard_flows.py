"""Dashboard flows over HTTP (TestClient): sign-up, tokens, users, approvals, sandbox, webhooks,
entities, audit, jobs — each through the same services and permission matrix as the REST API."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import select
from typer.testing import CliRunner

from backend.db.models import User
from tests.conftest import TEST_SECRET
from tests.dashboard.conftest import PASSWORD, sign_in, sign_up
from tests.journals.conftest import Ledger

TOKEN = re.compile(r'value="(ll_(?:test|live)_[0-9A-Za-z]{43})"')
PAGE_NARRATIVES = "/dashboard/narratives?source=revenue&standard=COMBINED&entity=DEMO-US&period=2026-06"
LINK = re.compile(r'value="https?://[^"]*(/dashboard/password/[^"]+)"')


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def owner_id(rt, email: str) -> str:
    with rt.db.session(system=True) as s:
        return s.scalar(select(User.id).where(User.email == email))


def mint(web, tenant: str = "sandbox", user_id: str | None = None) -> str:
    data = {"name": "t", "tenant": tenant}
    if user_id:
        data["user_id"] = user_id
    r = web.post("/dashboard/tokens", data, page="/dashboard/tokens")
    assert r.status_code == 201, r.text
    return TOKEN.search(r.text).group(1)


def invite(web, new_web, role: str, email: str, kind: str = "human"):
    """OWNER invites a user; the invitee (a second browser) sets a password via the link."""
    r = web.post("/dashboard/users", {"name": f"{role.title()} Person", "email": email, "role": role,
                                      "actor_kind": kind}, page="/dashboard/users")
    assert r.status_code == 201, r.text
    if kind != "human":
        return None
    path = LINK.search(r.text).group(1)
    other = new_web()
    r = other.post(path, {"password": PASSWORD, "password_again": PASSWORD}, page=path)
    assert r.status_code == 303, r.text
    return other


def test_sign_up_lands_on_first_token_and_the_token_works_on_me(web, client, rt):
    r = sign_up(web)
    assert r.headers["location"] == "/dashboard/tokens?first=1"
    page = web.get("/dashboard/tokens?first=1")
    assert "Create your first token" in page.text and "DEMO-US" in page.text  # the flash names the demo entity
    token = mint(web)
    me = client.get("/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["role"] == "OWNER" and me.json()["tenant_kind"] == "sandbox"
    assert client.get("/v1/entities/DEMO-US", headers=bearer(token)).status_code == 200
    live = mint(web, tenant="production")
    assert live.startswith("ll_live_") and client.get("/v1/me", headers=bearer(live)).json()["tenant_kind"] == "production"
    # The list shows prefix, last use and creator; the secret is never shown again.
    listing = web.get("/dashboard/tokens").text
    assert token[:12] in listing and token not in listing and "Ada Owner" in listing
    row = next(r for r in listing.split("<tr>") if token[:12] in r)
    assert "never" not in row  # last used: from the audit rows of its requests
    # Revoke: the token stops working at once.
    tok_id = client.get("/v1/me", headers=bearer(token)).json()["token_id"]
    r = web.post(f"/dashboard/tokens/{tok_id}/revoke", page="/dashboard/tokens")
    assert r.status_code == 303
    assert client.get("/v1/me", headers=bearer(token)).status_code == 401


def test_sign_up_validates_and_refuses_a_taken_email(web, new_web):
    r = web.post("/dashboard/signup", {"account_name": "A", "owner_name": "B", "email": "x@example.com",
                                       "password": "short"}, page="/dashboard/signup")
    assert r.status_code == 400 and "at least 12 characters" in r.text
    sign_up(web, email="taken@example.com")
    r = new_web().post("/dashboard/signup", {"account_name": "B", "owner_name": "C", "email": "Taken@example.com",
                                             "password": PASSWORD}, page="/dashboard/signup")
    assert r.status_code == 409 and "already uses this email" in r.text


def test_sign_in_sign_out_and_redirect_to_login(web, new_web):
    sign_up(web)
    other = new_web()
    r = other.get("/dashboard/approvals")
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login?next=/dashboard/approvals")
    r = other.post("/dashboard/login", {"email": "ada@example.com", "password": PASSWORD,
                                        "next": "/dashboard/approvals"}, page="/dashboard/login")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/approvals"
    assert other.get("/dashboard/approvals").status_code == 200
    # An open redirect is not followed.
    r = sign_in(new_web(), "ada@example.com")
    assert r.headers["location"] == "/dashboard/"
    r = other.post("/dashboard/login", {"email": "ada@example.com", "password": PASSWORD,
                                        "next": "//evil.example/x"}, page="/dashboard/login")
    assert r.headers["location"] == "/dashboard/"
    assert other.post("/dashboard/logout", page="/dashboard/").status_code == 303
    assert other.get("/dashboard/tokens").status_code == 303


def test_every_page_renders_for_the_owner(web):
    sign_up(web)
    for path in ("/dashboard/", "/dashboard/tokens", "/dashboard/users", "/dashboard/approvals",
                 "/dashboard/approvals?view=approved", "/dashboard/narratives", PAGE_NARRATIVES, "/dashboard/webhooks", "/dashboard/entities",
                 "/dashboard/entities/DEMO-US", "/dashboard/audit", "/dashboard/audit?kind=change&from=2020-01-01",
                 "/dashboard/jobs", "/dashboard/sandbox", "/dashboard/forgot"):
        r = web.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
    r = web.get("/dashboard/downloads/leases-template.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert web.get("/dashboard/static/dashboard.css").status_code == 200
    assert web.get("/dashboard/static/../web.py").status_code == 404
    assert web.get("/dashboard/jobs.json").json() == {"jobs": []}


def test_reviewer_sees_no_write_buttons_and_is_refused_when_posting_anyway(web, new_web, rt):
    sign_up(web)
    owner_token = mint(web)
    reviewer = invite(web, new_web, "REVIEWER", "rita@example.com")
    drafts = Ledger(rt, web_tenant(rt, "ada@example.com")).drafts(["100.00"], prepared_by=owner_id(rt, "ada@example.com"))
    page = reviewer.get("/dashboard/approvals").text
    assert drafts[0] in page and "Approve selected" not in page and ">Approve</button>" not in page
    assert ">Void</button>" not in page
    r = reviewer.post(f"/dashboard/approvals/{drafts[0]}/approve", page="/dashboard/approvals")
    assert r.status_code == 403 and "does not allow &#39;journals.approve&#39;" in r.text
    entity_page = reviewer.get("/dashboard/entities/DEMO-US").text
    assert "Save mapping" not in entity_page and "Save lock" not in entity_page and "Add matrix version" not in entity_page
    assert "Create an entity" not in reviewer.get("/dashboard/entities").text
    assert reviewer.post("/dashboard/entities", {"code": "X1", "name": "X", "functional_currency": "USD"},
                         page="/dashboard/entities").status_code == 403
    assert reviewer.get("/dashboard/webhooks").status_code == 403
    assert "Reset sandbox" not in reviewer.get("/dashboard/sandbox").text
    assert reviewer.post("/dashboard/sandbox/reset", {"confirm": "RESET"}, page="/dashboard/sandbox").status_code == 403
    assert "Users" in reviewer.get("/dashboard/users").text and "Add user" not in reviewer.get("/dashboard/users").text
    # The refusals are in the audit trail, with the dashboard as channel.
    events = web.get("/dashboard/audit?outcome=denied").text
    assert "/dashboard/approvals/" in events and "dashboard" in events
    # The draft is untouched.
    with_token = web.c.get(f"/v1/journal-entries/{drafts[0]}", headers=bearer(owner_token)).json()
    assert with_token["status"] == "draft"


def web_tenant(rt, email: str, kind: str = "sandbox") -> str:
    from backend.db.models import Tenant

    with rt.db.session(system=True) as s:
        account = s.scalar(select(User.account_id).where(User.email == email))
        return s.scalar(select(Tenant.id).where(Tenant.account_id == account, Tenant.kind == kind))


def test_four_eyes_and_second_approver_batch_reverse_void(web, new_web, rt, client):
    sign_up(web)
    token = mint(web)
    approver = invite(web, new_web, "APPROVER", "april@example.com")
    ledger = Ledger(rt, web_tenant(rt, "ada@example.com"))
    e1, e2, e3, e4 = ledger.drafts(["100.00", "200.00", "300.00", "400.00"], prepared_by=owner_id(rt, "ada@example.com"))
    # The preparer may not approve their own entry: the service's four-eyes rule, shown as 403.
    r = web.post(f"/dashboard/approvals/{e1}/approve", page="/dashboard/approvals")
    assert r.status_code == 403 and "four-eyes" in r.text
    r = approver.post(f"/dashboard/approvals/{e1}/approve", {"view": "draft"}, page="/dashboard/approvals")
    assert r.status_code == 303
    assert client.get(f"/v1/journal-entries/{e1}", headers=bearer(token)).json()["status"] == "approved"
    r = approver.post("/dashboard/approvals/batch", [("ids", e2), ("ids", e3)], page="/dashboard/approvals")
    assert r.status_code == 303
    assert "Approved 2, refused 0" in approver.get("/dashboard/approvals").text
    r = approver.post(f"/dashboard/approvals/{e4}/void", {"reason": "duplicate"}, page="/dashboard/approvals")
    assert r.status_code == 303
    # Reversal: the owner prepared e1, so four eyes leaves it to the approver.
    assert web.post(f"/dashboard/approvals/{e1}/reverse", page="/dashboard/approvals?view=approved").status_code == 403
    r = approver.post(f"/dashboard/approvals/{e1}/reverse", {"memo": "wrong rate"},
                      page="/dashboard/approvals?view=approved")
    assert r.status_code == 303
    statuses = {e: client.get(f"/v1/journal-entries/{e}", headers=bearer(token)).json()["status"]
                for e in (e1, e2, e3, e4)}
    assert statuses == {e1: "reversed", e2: "approved", e3: "approved", e4: "void"}
    audit = web.get("/dashboard/audit?action=journal.approved").text
    assert "journal.approved" in audit and "dashboard" in audit


def test_agent_users_cannot_sign_in(web, new_web, rt):
    sign_up(web)
    invite(web, new_web, "APPROVER", "bot@example.com", kind="agent")
    # Even with a password set behind the dashboard's back, an agent session cannot exist.
    from backend.services.platform import passwords

    with rt.db.session(system=True, write=True) as s:
        s.scalar(select(User).where(User.email == "bot@example.com")).password_hash = passwords.hash_password(PASSWORD)
    r = sign_in(new_web(), "bot@example.com")
    assert r.status_code == 403 and "Agent users cannot sign in" in r.text


def test_users_change_role_and_deactivate_revokes_tokens_and_sessions(web, new_web, rt, client):
    sign_up(web)
    preparer = invite(web, new_web, "PREPARER", "pat@example.com")
    pat = owner_id(rt, "pat@example.com")
    pat_token = mint(web, user_id=pat)
    assert client.get("/v1/me", headers=bearer(pat_token)).json()["role"] == "PREPARER"
    assert web.post(f"/dashboard/users/{pat}/role", {"role": "APPROVER"}, page="/dashboard/users").status_code == 303
    assert client.get("/v1/me", headers=bearer(pat_token)).json()["role"] == "APPROVER"
    assert "(APPROVER)" in preparer.get("/dashboard/").text  # the session sees the new role at once
    # Nobody changes their own role (the identity service's rule).
    me = owner_id(rt, "ada@example.com")
    r = web.post(f"/dashboard/users/{me}/role", {"role": "ADMIN"}, page="/dashboard/users")
    assert r.status_code == 403
    assert web.post(f"/dashboard/users/{pat}/deactivate", page="/dashboard/users").status_code == 303
    assert client.get("/v1/me", headers=bearer(pat_token)).status_code == 401
    assert preparer.get("/dashboard/").status_code == 303  # signed out


def test_sandbox_reset_needs_the_typed_word_and_never_touches_production(web, rt, client):
    sign_up(web)
    token = mint(web)
    ledger = Ledger(rt, web_tenant(rt, "ada@example.com"))
    ledger.drafts(["10.00"], prepared_by=None)
    r = web.post("/dashboard/sandbox/reset", {"confirm": "reset please"}, page="/dashboard/sandbox")
    assert r.status_code == 400 and "Type RESET" in r.text
    assert client.get("/v1/journal-entries", headers=bearer(token)).json()["total_count"] == 1
    r = web.post("/dashboard/sandbox/reset", {"confirm": "RESET"}, page="/dashboard/sandbox")
    assert r.status_code == 303
    assert "The sandbox was reset" in web.get("/dashboard/sandbox").text
    assert client.get("/v1/journal-entries", headers=bearer(token)).json()["total_count"] == 0
    assert client.get("/v1/me", headers=bearer(token)).status_code == 200  # tokens kept
    assert "sandbox.reset" in web.get("/dashboard/audit?action=sandbox.reset").text
    # In production there is no reset button, and a forced post is refused by the service.
    assert web.post("/dashboard/tenant", {"tenant": "production"}, page="/dashboard/").status_code == 303
    page = web.get("/dashboard/sandbox").text
    assert 'class="top production"' in page and "Reset sandbox" not in page
    r = web.post("/dashboard/sandbox/reset", {"confirm": "RESET"}, page="/dashboard/sandbox")
    assert r.status_code == 403 and "only possible in a sandbox" in r.text


def test_webhook_endpoint_secret_once_rotate_and_deliveries(web, rt, client):
    sign_up(web)
    r = web.post("/dashboard/webhooks", [("url", "http://127.0.0.1:9/hook"), ("event_types", "period.locked"),
                                         ("event_types", "journal.approved")], page="/dashboard/webhooks")
    assert r.status_code == 201 and "shown only once" in r.text
    secret = re.search(r'id="wh-secret" type="text" readonly value="([^"]+)"', r.text).group(1)
    assert secret.startswith("whsec_")
    page = web.get("/dashboard/webhooks").text
    assert "http://127.0.0.1:9/hook" in page and secret not in page
    ep = client.get("/v1/webhook-endpoints", headers=bearer(mint(web))).json()["data"][0]
    r = web.post(f"/dashboard/webhooks/{ep['id']}/rotate", {"previous_valid_hours": "1"}, page="/dashboard/webhooks")
    assert r.status_code == 200 and secret not in r.text and "previous secret keeps signing" in r.text
    # An event: a period lock from the entity page → a pending delivery listed with its attempts.
    r = web.post("/dashboard/entities/DEMO-US/locks", {"period": "2026-01", "standard": "ALL", "status": "LOCKED",
                                                       "reason": "January closed"}, page="/dashboard/entities/DEMO-US")
    assert r.status_code == 303
    page = web.get("/dashboard/webhooks").text
    assert "period.locked" in page and "pending" in page and "Retry now" in page
    # Bad input is the service's refusal, shown on an error page.
    r = web.post("/dashboard/webhooks", [("url", "http://example.com/x"), ("event_types", "period.locked")],
                 page="/dashboard/webhooks")
    assert r.status_code == 400 and "https" in r.text


def test_entities_policy_ibr_fx_mapping_and_locks(web):
    sign_up(web)
    r = web.post("/dashboard/entities", [("code", "UK01"), ("name", "Acme UK"), ("functional_currency", "gbp"),
                                         ("enabled_standards", "IFRS16")], page="/dashboard/entities")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/entities/UK01"
    r = web.post("/dashboard/entities/UK01/ibr", {"effective_date": "2026-01-01",
                                                  "rows": "Currency\tFrom\tTo\tRate\nGBP\t0\t60\t0.055\nGBP\t61\t240\t0.062\n"},
                 page="/dashboard/entities/UK01")
    assert r.status_code == 303, r.text
    r = web.post("/dashboard/entities/UK01/fx", {"rows": "EUR\tGBP\t2026-01-31\t0.8612\nUSD;GBP;2026-01-31;0.7891"},
                 page="/dashboard/entities/UK01")
    assert r.status_code == 303, r.text
    r = web.post("/dashboard/entities/UK01/fx", {"rows": "EUR\tGBP\tnot-a-date\t0.86"}, page="/dashboard/entities/UK01")
    assert r.status_code == 400 and "rates.0.date" in r.text
    r = web.post("/dashboard/entities/UK01/policy", {"effective_date": "2026-01-01",
                                                     "policy": '{"rate_convention": "effective"}'},
                 page="/dashboard/entities/UK01")
    assert r.status_code == 303, r.text
    r = web.post("/dashboard/entities/UK01/mapping", {"version": "0", "account__ROU_ASSET": "1610",
                                                      "account__CASH": "1010"}, page="/dashboard/entities/UK01")
    assert r.status_code == 303, r.text
    r = web.post("/dashboard/entities/UK01/mapping", {"version": "0", "account__CASH": "1011"},
                 page="/dashboard/entities/UK01")
    assert r.status_code == 409  # stale version: the mapping service's optimistic lock
    r = web.post("/dashboard/entities/UK01/locks", {"period": "2026-02", "standard": "IFRS16", "status": "LOCKED",
                                                    "reason": "Feb closed"}, page="/dashboard/entities/UK01")
    assert r.status_code == 303
    page = web.get("/dashboard/entities/UK01").text
    for text in ("0.055", "0.8612", "0.7891", "1610", "Feb closed", "Ada Owner", "LEASE_LIABILITY_CURRENT",
                 "version 1", "&#34;rate_convention&#34;: &#34;effective&#34;"):
        assert text in page, text


def test_password_reset_link_from_the_cli_works_once(web, new_web, db_url, monkeypatch):
    sign_up(web)
    monkeypatch.setenv("LEDGER_DATABASE_URL", db_url)
    monkeypatch.setenv("LEDGER_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("LEDGER_PUBLIC_BASE_URL", "https://ledger.example")
    from backend.cli import app as cli

    out = CliRunner().invoke(cli, ["users", "reset-link", "--email", "ADA@example.com"])
    assert out.exit_code == 0, out.output
    path = re.search(r"https://ledger\.example(/dashboard/password/\S+)", out.output).group(1)
    other = new_web()
    assert "ada@example.com" in other.get(path).text
    new_password = "a brand new password 42"
    r = other.post(path, {"password": new_password, "password_again": new_password}, page=path)
    assert r.status_code == 303 and other.get("/dashboard/").status_code == 200
    assert web.get("/dashboard/").status_code == 303  # the old session ended with the reset
    assert other.get(path).status_code == 404  # used once
    assert sign_in(new_web(), "ada@example.com").status_code == 401
    assert sign_in(new_web(), "ada@example.com", new_password).status_code == 303
    bad = CliRunner().invoke(cli, ["users", "reset-link", "--email", "nobody@example.com"])
    assert bad.exit_code == 1


def test_jobs_page_shows_progress(web, rt):
    sign_up(web)
    from backend.jobs.queue import enqueue

    tenant = web_tenant(rt, "ada@example.com")
    with rt.db.session(tenant, write=True) as s:
        enqueue(s, kind="lease.close", payload={}, now=rt.clock(), tenant_id=tenant, run_at=rt.clock())
    page = web.get("/dashboard/jobs").text
    assert "lease.close" in page and "queued" in page and "data-poll" in page
    assert web.get("/dashboard/jobs.json").json()["jobs"][0]["status"] == "queued"


class _Fields(HTMLParser):
    """Collects form controls and the ids that a <label for> names (or that sit inside a <label>)."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled, self.depth = [], set(), 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.depth += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append((a, self.depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.depth -= 1


def test_every_form_control_has_a_label(web, rt):
    sign_up(web)
    Ledger(rt, web_tenant(rt, "ada@example.com")).drafts(["5.00"], prepared_by=None)
    web.post("/dashboard/webhooks", [("url", "http://localhost:1/h"), ("event_types", "period.locked")],
             page="/dashboard/webhooks")
    for path in ("/dashboard/tokens", "/dashboard/users", "/dashboard/approvals", "/dashboard/webhooks",
                 "/dashboard/entities", "/dashboard/entities/DEMO-US", "/dashboard/audit", "/dashboard/sandbox",
                 "/dashboard/signup", "/dashboard/login"):
        p = _Fields()
        p.feed(web.get(path).text)
        unlabelled = [a for a, inside in p.controls
                      if not inside and a.get("id") not in p.labelled and not a.get("aria-label")]
        assert not unlabelled, (path, unlabelled)
        assert p.controls or path.endswith("sandbox"), path
