from __future__ import annotations

import os

import pytest

# xlwings' remote interpreter needs a key; tests run under the non-commercial licence.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture
def post_book(client, demo):
    """POST a FakeWorkbook's payload to an add-in route; apply the actions when asked."""

    def _post(route: str, wb, token: str | None = None, *, only=None, args=None, apply: bool = True,
              expect: int = 200):
        r = client.post(f"/v1/addin/{route}", headers=demo.headers(token), json=wb.payload(only, args))
        assert r.status_code == expect, r.text
        body = r.json()
        if apply and r.status_code == 200:
            wb.apply(body["actions"])
        return body

    return _post

