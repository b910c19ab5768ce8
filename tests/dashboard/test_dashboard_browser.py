"""The dashboard in headless Chromium (Debian's chromium over CDP, the add-in tests' helper):
sign up → token → /v1/me; invite people; approve as a second user; a REVIEWER sees no write
buttons and is refused when it posts anyway; a webhook delivery shows up; the sandbox reset;
the production colour. Screenshots of the main pages go to tests/dashboard/artifacts/."""
from __future__ import annotations

import base64
import http.server
import json
import threading
from pathlib import Path

import httpx
import pytest

from tests.addin.cdp import Browser, find_chromium
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.test_dashboard_flows import owner_id, web_tenant
from tests.journals.conftest import Ledger

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium); "
                                                          "CI installs it for the add-in tests")
ARTIFACTS = Path(__file__).parent / "artifacts"


class Page:
    def __init__(self, browser: Browser, base: str):
        self.b, self.base = browser, base
        # Anything the Content-Security-Policy blocks (inline styles, scripts) shows up in the console.
        self.b.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                               "console.log('CSP ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile))")
        self.b.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1,
                                                           "mobile": False}, session=True)

    def _settle(self) -> None:
        self.b.wait_for("!window.__leaving && document.readyState === 'complete' && !!document.body")

    def go(self, path: str) -> None:
        self.b.eval("window.__leaving = true; true")
        self.b.send("Page.navigate", {"url": self.base + path}, session=True)
        self._settle()

    def js(self, expression: str):
        return self.b.eval(expression)

    def fill(self, values: dict) -> None:
        for selector, value in values.items():
            self.js(f"(() => {{ const el = document.querySelector({json.dumps(selector)}); "
                    f"if (el.type === 'checkbox' || el.type === 'radio') el.checked = {json.dumps(bool(value))}; "
                    f"else el.value = {json.dumps(value)}; return true; }})()")

    def click(self, selector: str) -> None:
        """Click something that submits a form, and wait for the next page."""
        self.js(f"window.__leaving = true; document.querySelector({json.dumps(selector)}).click(); true")
        self._settle()

    def text(self, selector: str = "body") -> str:
        return self.js(f"document.querySelector({json.dumps(selector)})?.innerText ?? ''")

    @property
    def path(self) -> str:
        return self.js("location.pathname")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        data = self.b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                           session=True)["data"]
        out = ARTIFACTS / f"{name}.png"
        out.write_bytes(base64.b64decode(data))
        return out

    def sign_out(self) -> None:
        self.click("header form[action$='/logout'] button")


def _job(rt, tenant: str, *, done: int, total: int, job_id: str | None = None) -> str:
    """A running job (as a close or an import would be) with its progress counters."""
    from sqlalchemy import update

    from backend.db.models import Job
    from backend.jobs.queue import enqueue

    with rt.db.session(tenant, write=True) as s:
        if job_id is None:
            job_id = enqueue(s, kind="ledger.monthly_close", payload={}, now=rt.clock(), tenant_id=tenant).id
        s.execute(update(Job).where(Job.id == job_id).values(status="running", progress_done=done,
                                                             progress_total=total))
    return job_id


@pytest.fixture
def page(live_server):
    b = Browser(CHROMIUM)
    yield Page(b, live_server)
    b.close()


@pytest.fixture
def receiver():
    """A local webhook receiver that answers 204 and remembers what it got."""
    got: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            got.append({"headers": dict(self.headers), "body": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks", got
    server.shutdown()


def test_dashboard_end_to_end_in_chromium(page, live_server, rt, receiver, drain):
    shots = []
    # Sign up → straight to "create your first token".
    page.go("/dashboard/signup")
    page.fill({"#account_name": "Acme Ltd", "#owner_name": "Ada Owner", "#email": "ada@example.com",
               "#password": PASSWORD})
    shots.append(page.shot("01-signup"))
    page.click("#signup-btn")
    assert page.path == "/dashboard/tokens" and "Create your first token" in page.text()
    assert page.js("getComputedStyle(document.querySelector('header.top')).backgroundColor") == "rgb(255, 244, 206)"
    page.fill({"#token-name": "my laptop"})
    page.click("#create-token-btn")
    token = page.js("document.getElementById('new-token').value")
    assert token.startswith("ll_test_") and page.js("!document.querySelector('[data-copy]').hidden")
    shots.append(page.shot("02-token-created"))
    me = httpx.get(f"{live_server}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["role"] == "OWNER"
    page.go("/dashboard/tokens")
    assert "my laptop" in page.text("#tokens") and token not in page.js("document.body.innerHTML")
    shots.append(page.shot("03-tokens"))

    # Invite an APPROVER and a REVIEWER (one-time links).
    links = {}
    for role, email in (("APPROVER", "april@example.com"), ("REVIEWER", "rita@example.com")):
        page.go("/dashboard/users")
        page.fill({"#u-name": f"{role.title()} Person", "#u-email": email, "#u-role": role})
        page.click("#invite-btn")
        links[role] = page.js("document.getElementById('invite-link').value")
    page.go("/dashboard/users")
    shots.append(page.shot("04-users"))

    # Drafts prepared by the owner.
    tenant = web_tenant(rt, "ada@example.com")
    e1, e2 = Ledger(rt, tenant).drafts(["1250.00", "980.40"], prepared_by=owner_id(rt, "ada@example.com"))
    page.go("/dashboard/approvals")
    shots.append(page.shot("05-approvals-owner"))
    page.click(f"#entry-{e1} .approve-btn")  # the preparer tries: four eyes says no
    assert "four-eyes" in page.text() and page.js("document.title").startswith("Error 403")
    page.go("/dashboard/")
    page.sign_out()

    # The approver accepts the invitation and approves as the second person.
    page.go(links["APPROVER"].replace(live_server, ""))
    page.fill({"#password": PASSWORD, "#password_again": PASSWORD})
    page.click("#password-btn")
    page.go("/dashboard/approvals")
    assert page.js("document.querySelectorAll('.approve-btn').length") == 2
    page.click(f"#entry-{e1} .approve-btn")
    assert f"Entry {e1} approved." in page.text(".flash")
    shots.append(page.shot("06-approvals-approved"))
    page.sign_out()

    # The REVIEWER: no write buttons; posting anyway (a hand-made form) is refused.
    page.go(links["REVIEWER"].replace(live_server, ""))
    page.fill({"#password": PASSWORD, "#password_again": PASSWORD})
    page.click("#password-btn")
    page.go("/dashboard/approvals")
    assert e2 in page.text() and page.js("document.querySelectorAll('.approve-btn, #batch-approve-btn').length") == 0
    assert "Webhooks" not in page.text("nav.main")
    shots.append(page.shot("07-approvals-reviewer"))
    page.js(f"""(() => {{ const f = document.createElement('form'); f.method = 'post';
        f.action = '/dashboard/approvals/{e2}/approve';
        const c = document.createElement('input'); c.type = 'hidden'; c.name = 'csrf_token';
        c.value = document.querySelector('input[name=csrf_token]').value; f.appendChild(c);
        document.body.appendChild(f); window.__leaving = true; f.submit(); return true; }})()""")
    page._settle()
    assert page.js("document.title").startswith("Error 403") and "journals.approve" in page.text()
    shots.append(page.shot("08-reviewer-refused"))
    page.go("/dashboard/")
    page.sign_out()

    # The owner signs in again, configures a webhook and sees the delivery.
    url, got = receiver
    page.go("/dashboard/login")
    page.fill({"#email": "ada@example.com", "#password": PASSWORD})
    page.click("#login-btn")
    page.go("/dashboard/webhooks")
    page.fill({"#wh-url": url, "#wh-desc": "local receiver", "input[value='period.locked']": True})
    page.click("#create-webhook-btn")
    assert page.js("document.getElementById('wh-secret').value").startswith("whsec_")
    page.go("/dashboard/entities/DEMO-US")
    page.fill({"#l-period": "2026-01", "#l-reason": "January closed"})
    page.click("#locks button[type=submit]")
    assert "LOCKED" in page.text(".flash") and "January closed" in page.text("#locks")
    shots.append(page.shot("09-entity"))
    drain()
    assert got and got[0]["body"]["event_type"] == "period.locked" and "webhook-signature" in {
        k.lower() for k in got[0]["headers"]}
    page.go("/dashboard/webhooks")
    assert "delivered" in page.text("#deliveries")
    shots.append(page.shot("10-webhooks"))

    # Audit trail with the chain verified.
    page.go("/dashboard/audit")
    assert "Hash chain verified" in page.text("#chain-status")
    shots.append(page.shot("11-audit"))

    # A long job's progress updates live on the jobs page (polling, no reload).
    job_id = _job(rt, tenant, done=0, total=10)
    page.go("/dashboard/jobs")
    assert page.text(f"tr[data-job='{job_id}'] [data-pct]") == "0 / 10"
    _job(rt, tenant, job_id=job_id, done=7, total=10)
    page.b.wait_for(f"document.querySelector(\"tr[data-job='{job_id}'] [data-pct]\").textContent === '7 / 10'",
                    timeout=20)
    assert page.js(f"document.querySelector(\"tr[data-job='{job_id}'] progress\").value") == 7
    shots.append(page.shot("12-jobs"))

    # Sandbox reset with a typed confirmation.
    page.go("/dashboard/sandbox")
    shots.append(page.shot("13-sandbox"))
    page.fill({"#confirm": "RESET"})
    page.click("#reset-btn")
    assert "The sandbox was reset" in page.text(".flash")
    httpx_entries = httpx.get(f"{live_server}/v1/journal-entries", headers={"Authorization": f"Bearer {token}"})
    assert httpx_entries.json()["total_count"] == 0

    # Production looks different.
    page.click("#switch-tenant")
    assert page.js("document.querySelector('header.top').dataset.tenant") == "production"
    assert page.js("getComputedStyle(document.querySelector('header.top')).backgroundColor") == "rgb(140, 29, 24)"
    shots.append(page.shot("14-production"))
    problems = [c for c in page.b.console if c.startswith(("EXCEPTION", "CSP"))]
    assert not problems, problems
    print(f"\nscreenshots: {ARTIFACTS} ({len(shots)} files)")
