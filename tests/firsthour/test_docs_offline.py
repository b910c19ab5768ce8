"""The reference works with no internet: every script, stylesheet and font of /v1/docs and /v1/redoc is
served by the app itself, and GET / links to them."""
from __future__ import annotations

import re


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html) + re.findall(r"url:\s*'([^']+)'", html)


def test_swagger_ui_and_redoc_load_only_local_assets(client):
    for page in ("/v1/docs", "/v1/redoc"):
        r = client.get(page)
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        assert "cdn.jsdelivr" not in r.text and "fonts.googleapis" not in r.text
        urls = _assets(r.text)
        assert urls, r.text
        for url in urls:
            assert not re.match(r"^(https?:)?//", url), f"{page} loads {url} from the network"
            got = client.get(url)
            assert got.status_code == 200 and got.content, url
    assert client.get("/v1/docs-assets/swagger-ui-bundle.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))
    assert len(client.get("/v1/docs-assets/redoc.standalone.js").content) > 100_000


def test_root_links_to_the_docs(client):
    r = client.get("/")
    assert r.status_code == 200
    for link in ("/v1/docs", "/v1/redoc", "/v1/openapi.json"):
        assert f'href="{link}"' in r.text
