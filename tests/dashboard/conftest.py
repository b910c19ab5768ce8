"""Dashboard fixtures: a browser-like client (cookies kept, forms posted with their CSRF token)."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class Web:
    """A TestClient used like a browser: GET a page, then POST one of its forms with the page's CSRF token."""

    def __init__(self, app, base_url: str = "http://testserver"):
        self.c = TestClient(app, base_url=base_url, raise_server_exceptions=True, follow_redirects=False)
        self.last = None

    def get(self, path: str, **kw):
        self.last = self.c.get(path, **kw)
        return self.last

    def csrf(self, path: str | None = None) -> str:
        page = self.get(path) if path else self.last
        m = CSRF.search(page.text)
        assert m, f"no CSRF token on {page.url}: {page.status_code} {page.text[:300]}"
        return m.group(1)

    def post(self, path: str, data: dict | list | None = None, *, page: str | None = None, csrf: bool = True,
             follow: bool = False):
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            items.append(("csrf_token", self.csrf(page or path)))
        self.last = self.c.post(path, data=_form(items), follow_redirects=follow)
        return self.last

    def close(self):
        self.c.close()


def _form(items):
    out: dict[str, list] = {}
    for k, v in items:
        out.setdefault(k, []).append(v)
    return {k: v if len(v) > 1 else v[0] for k, v in out.items()}


@pytest.fixture
def web(app):
    w = Web(app)
    yield w
    w.close()


@pytest.fixture
def new_web(app):
    clients = []

    def _make(base_url: str = "http://testserver") -> Web:
        clients.append(Web(app, base_url))
        return clients[-1]

    yield _make
    for c in clients:
        c.close()


def sign_up(web: Web, email: str = "ada@example.com", account: str = "Acme Ltd", name: str = "Ada Owner"):
    r = web.post("/dashboard/signup", {"account_name": account, "owner_name": name, "email": email,
                                       "password": PASSWORD}, page="/dashboard/signup")
    assert r.status_code == 303, r.text
    return r


def sign_in(web: Web, email: str, password: str = PASSWORD):
    return web.post("/dashboard/login", {"email": email, "password": password, "next": ""}, page="/dashboard/login")
