"""The API reference pages, served with no internet: Swagger UI at ``/v1/docs`` and ReDoc at ``/v1/redoc``,
their JavaScript and CSS from the ``fastapi-offline`` package's static files (no CDN, no Google fonts), and
``GET /`` as a small index that links to them."""
from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/v1/docs-assets"


def assets_dir() -> str:
    return str(files("fastapi_offline") / "static")


def install(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")
    title = app.title

    @app.get("/v1/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{title} — reference",
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon.png",
                                   swagger_ui_parameters={"persistAuthorization": True})

    @app.get("/v1/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url, title=f"{title} — ReDoc",
                              redoc_js_url=f"{ASSETS}/redoc.standalone.js",
                              redoc_favicon_url=f"{ASSETS}/favicon.png", with_google_fonts=False)

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>{title} {app.version}</h1>
<ul>
<li><a href="/v1/docs">API reference (Swagger UI)</a> — try calls with your token</li>
<li><a href="/v1/redoc">API reference (ReDoc)</a></li>
<li><a href="/v1/openapi.json">OpenAPI 3.1 document</a></li>
<li><a href="/v1/postman.json">Postman collection</a></li>
<li><a href="/dashboard">Dashboard</a></li>
<li><a href="/v1/health">Health</a></li>
</ul></body></html>""")
