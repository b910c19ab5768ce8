"""A Postman collection (format v2.1) generated from the OpenAPI document, and its environments.

One folder per tag, one request per operation with its summary, description, example body and
an ``Idempotency-Key`` of ``{{$guid}}`` on every POST. The bearer token is the collection variable
``token`` (collection-level auth), the server the variable ``baseUrl``; path parameters are
variables too (``{{lease_id}}``, …) so a value set once serves every request. The sandbox and
production environments set ``baseUrl`` and an empty secret ``token`` each.

Served at ``GET /v1/postman.json`` and ``GET /v1/postman-environments/{sandbox|production}.json``;
``ledger-layer postman --out DIR`` writes the three files.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from backend.api.openapi_docs import ENTRY, LEASE

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NAMESPACE = uuid.UUID("2b0c4b8e-64f4-4a5e-9d0a-77e1c1f3b5a2")
# Values for required query parameters and path variables when the schema gives no example.
PARAM_VALUES = {"entity": "DEMO-US", "code": "DEMO-US", "standard": "IFRS16", "format": "csv",
                "lease_id": LEASE, "entry_id": ENTRY, "run_id": "01M9535VNMGZ87C2NE8VS0JX6K",
                "job_id": "01M9535VM98BD7S2P0B8FZ72ST", "user_id": "01M95362B8S1Q7T4K3WJ2N9D6F",
                "token_id": "01M95362C4V7N2B8X1Z6Q3W9E5", "endpoint_id": "01M9536A4T7C2W9KQX5P8R1M3D",
                "delivery_id": "01M9536A9YB2N6H4J1K7Q3S8VE"}
ENVIRONMENTS = {"sandbox": "a sandbox token (ll_test_…)", "production": "a production token (ll_live_…)"}


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _example(spec: dict, media: dict) -> Any:
    if media.get("example") is not None:
        return media["example"]
    if media.get("examples"):
        first = next(iter(media["examples"].values()))
        return first.get("value")
    schema = _resolve(spec, media.get("schema") or {})
    if schema.get("examples"):
        return schema["examples"][0]
    for branch in schema.get("anyOf", []):
        if branch.get("type") != "null":
            return _example(spec, {"schema": branch})
    return None


def _param_value(spec: dict, p: dict) -> str:
    schema = _resolve(spec, p.get("schema") or {})
    if p["name"] in PARAM_VALUES:
        return PARAM_VALUES[p["name"]]
    for source in (p, schema):
        if source.get("example") is not None:
            return str(source["example"])
        if source.get("examples"):
            return str(source["examples"][0])
    for branch in [schema, *schema.get("anyOf", [])]:
        if branch.get("enum"):
            return str(branch["enum"][0])
    return ""


def _request(spec: dict, path: str, method: str, op: dict) -> dict:
    params = op.get("parameters", [])
    segments = [f":{s[1:-1]}" if s.startswith("{") else s for s in path.strip("/").split("/")]
    query = [{"key": p["name"], "value": _param_value(spec, p), "description": p.get("description", ""),
              **({} if p.get("required") else {"disabled": True})}
             for p in params if p["in"] == "query"]
    raw = "{{baseUrl}}/" + "/".join(segments)
    enabled = [q for q in query if not q.get("disabled")]
    if enabled:
        raw += "?" + "&".join(f"{q['key']}={q['value']}" for q in enabled)
    url = {"raw": raw, "host": ["{{baseUrl}}"], "path": segments, "query": query,
           "variable": [{"key": p["name"], "value": "{{" + p["name"] + "}}", "description": p.get("description", "")}
                        for p in params if p["in"] == "path"]}
    header = []
    request: dict[str, Any] = {"method": method.upper(), "header": header, "url": url,
                               "description": op.get("description", "")}
    if method == "post":
        header.append({"key": "Idempotency-Key", "value": "{{$guid}}",
                       "description": "A new key per send; reuse one to retry safely"})
    content = (op.get("requestBody") or {}).get("content", {})
    if "application/json" in content:
        header.append({"key": "Content-Type", "value": "application/json"})
        body = _example(spec, content["application/json"])
        request["body"] = {"mode": "raw", "raw": json.dumps(body if body is not None else {}, indent=2),
                           "options": {"raw": {"language": "json"}}}
    elif "multipart/form-data" in content:
        schema = _resolve(spec, content["multipart/form-data"].get("schema") or {})
        form = []
        for name, prop in schema.get("properties", {}).items():
            if prop.get("format") == "binary" or prop.get("contentMediaType"):
                form.append({"key": name, "type": "file", "src": [], "description": prop.get("description", "")})
            else:
                form.append({"key": name, "type": "text", "value": PARAM_VALUES.get(name, ""),
                             "description": prop.get("description", "")})
        request["body"] = {"mode": "formdata", "formdata": form}
    return request


def collection(spec: dict, base_url: str) -> dict:
    """The Postman collection of ``spec`` (an OpenAPI 3.1 document) for a server at ``base_url``."""
    folders: dict[str, list[dict]] = {}
    path_vars: dict[str, str] = {}
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            tag = (op.get("tags") or ["other"])[0]
            folders.setdefault(tag, []).append({"name": op.get("summary") or op.get("operationId"),
                                                "request": _request(spec, path, method, op), "response": []})
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    path_vars.setdefault(p["name"], _param_value(spec, p))
    tag_text = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    info = spec.get("info", {})
    return {
        "info": {"_postman_id": str(uuid.uuid5(NAMESPACE, f"{info.get('title')}|{info.get('version')}")),
                 "name": info.get("title", "API"), "version": info.get("version", ""),
                 "description": info.get("description", ""), "schema": SCHEMA},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
        "variable": [{"key": "baseUrl", "value": base_url.rstrip("/"), "type": "string"},
                     {"key": "token", "value": "", "type": "string",
                      "description": "Your API token; the environments set it per tenant"},
                     *({"key": k, "value": v, "type": "string"} for k, v in sorted(path_vars.items()))],
        "item": [{"name": tag, "description": tag_text.get(tag, ""), "item": items} for tag, items in folders.items()],
    }


def environment(kind: str, base_url: str) -> dict:
    return {"id": str(uuid.uuid5(NAMESPACE, f"env|{kind}|{base_url}")), "name": f"Ledger Layer — {kind}",
            "values": [{"key": "baseUrl", "value": base_url.rstrip("/"), "type": "default", "enabled": True},
                       {"key": "token", "value": "", "type": "secret", "enabled": True,
                        "description": f"Paste {ENVIRONMENTS[kind]}"}],
            "_postman_variable_scope": "environment"}


def install(app: FastAPI) -> None:
    """Public, like /v1/openapi.json: no token is needed to download them."""

    @app.get("/v1/postman.json", include_in_schema=False)
    def postman_collection(request: Request) -> JSONResponse:
        return JSONResponse(collection(app.openapi(), str(request.base_url)),
                            headers={"Content-Disposition": 'attachment; filename="ledger-layer.postman_collection.json"'})

    @app.get("/v1/postman-environments/{kind}.json", include_in_schema=False)
    def postman_environment(kind: str, request: Request) -> JSONResponse:
        if kind not in ENVIRONMENTS:
            from backend.services.platform.errors import NotFound

            raise NotFound(f"No environment {kind!r}: use sandbox or production.", code="not_found")
        return JSONResponse(environment(kind, str(request.base_url)), headers={
            "Content-Disposition": f'attachment; filename="ledger-layer-{kind}.postman_environment.json"'})
