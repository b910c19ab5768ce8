"""The Postman collection generated from the OpenAPI: it passes a JSON-schema check of the collection format
(v2.1, the parts we emit), carries the bearer token as a collection variable, comes with sandbox and production
environments, and every request in it runs against a test server with an answer its operation documents."""
from __future__ import annotations

import json
import re
import uuid

import httpx
import jsonschema

KV = {"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}, "value": {},
                                                             "disabled": {"type": "boolean"}}}
REQUEST = {
    "type": "object", "required": ["method", "url"],
    "properties": {
        "method": {"enum": ["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS"]},
        "header": {"type": "array", "items": KV},
        "url": {"type": "object", "required": ["raw", "host", "path"],
                "properties": {"raw": {"type": "string", "pattern": r"^\{\{baseUrl\}\}/"},
                               "host": {"type": "array", "items": {"type": "string"}},
                               "path": {"type": "array", "items": {"type": "string"}},
                               "query": {"type": "array", "items": KV},
                               "variable": {"type": "array", "items": KV}}},
        "body": {"type": "object", "required": ["mode"],
                 "properties": {"mode": {"enum": ["raw", "formdata", "urlencoded", "file", "graphql"]},
                                "raw": {"type": "string"}, "formdata": {"type": "array", "items": KV}}},
        "description": {"type": "string"}}}
COLLECTION_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "required": ["info", "item"],
    "definitions": {
        "item": {"type": "object", "required": ["name", "request"],
                 "properties": {"name": {"type": "string"}, "request": REQUEST, "response": {"type": "array"}}},
        "folder": {"type": "object", "required": ["name", "item"],
                   "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                                  "item": {"type": "array", "minItems": 1,
                                           "items": {"anyOf": [{"$ref": "#/definitions/item"},
                                                               {"$ref": "#/definitions/folder"}]}}}}},
    "properties": {
        "info": {"type": "object", "required": ["name", "schema", "_postman_id"],
                 "properties": {"schema": {"const": "https://schema.getpostman.com/json/collection/v2.1.0/"
                                                    "collection.json"}}},
        "auth": {"type": "object", "required": ["type", "bearer"],
                 "properties": {"type": {"const": "bearer"}, "bearer": {"type": "array", "items": KV}}},
        "variable": {"type": "array", "items": KV},
        "item": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/folder"}}}}
ENVIRONMENT_SCHEMA = {
    "type": "object", "required": ["id", "name", "values", "_postman_variable_scope"],
    "properties": {"values": {"type": "array", "items": {
        "type": "object", "required": ["key", "value", "enabled"],
        "properties": {"type": {"enum": ["default", "secret"]}}}},
        "_postman_variable_scope": {"const": "environment"}}}


def _requests(items):
    for it in items:
        if "request" in it:
            yield it
        else:
            yield from _requests(it["item"])


def _sub(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\{\{(\$?\w+)\}\}", lambda m: str(uuid.uuid4()) if m.group(1) == "$guid"
                  else variables.get(m.group(1), m.group(0)), text)


def test_collection_imports_and_every_request_runs_against_a_test_server(live_server, demo):
    # The first schema build takes a second idle and much longer on a loaded CI box: a generous timeout.
    spec = httpx.get(f"{live_server}/v1/openapi.json", timeout=60).json()
    coll = httpx.get(f"{live_server}/v1/postman.json", timeout=60).json()
    jsonschema.validate(coll, COLLECTION_SCHEMA)
    assert coll["auth"]["bearer"][0]["value"] == "{{token}}"
    variables = {v["key"]: v["value"] for v in coll["variable"]}
    assert variables["baseUrl"] == live_server and "token" in variables
    envs = {}
    for kind in ("sandbox", "production"):
        env = httpx.get(f"{live_server}/v1/postman-environments/{kind}.json", timeout=60).json()
        jsonschema.validate(env, ENVIRONMENT_SCHEMA)
        values = {v["key"]: v for v in env["values"]}
        assert values["token"]["type"] == "secret" and values["baseUrl"]["value"] == live_server
        envs[kind] = values
    assert httpx.get(f"{live_server}/v1/postman-environments/staging.json").status_code == 404

    # Run it like Postman with the sandbox environment selected and its token filled in.
    variables.update({k: v["value"] for k, v in envs["sandbox"].items()}, token=demo.owner_token)
    documented = {(m.upper(), p): set(op["responses"]) for p, ops in spec["paths"].items() for m, op in ops.items()}
    operations = sum(len(ops) for ops in spec["paths"].values())
    ran = 0
    with httpx.Client(timeout=30) as http:
        for item in _requests(coll["item"]):
            req = item["request"]
            path = "/" + "/".join(req["url"]["path"])
            url = variables["baseUrl"] + re.sub(r":(\w+)", lambda m: _sub("{{" + m.group(1) + "}}", variables), path)
            params = [(q["key"], _sub(q["value"], variables)) for q in req["url"]["query"] if not q.get("disabled")]
            headers = {h["key"]: _sub(h["value"], variables) for h in req.get("header", [])}
            headers["Authorization"] = f"Bearer {variables['token']}"
            body = req.get("body") or {}
            kwargs = {}
            if body.get("mode") == "raw":
                kwargs["content"] = _sub(body["raw"], variables)
                json.loads(kwargs["content"])
            elif body.get("mode") == "formdata":
                kwargs["data"] = {f["key"]: f.get("value", "") for f in body["formdata"] if f.get("type") == "text"}
            r = http.request(req["method"], url, params=params, headers=headers, **kwargs)
            template = "/" + "/".join("{" + s[1:] + "}" if s.startswith(":") else s for s in req["url"]["path"])
            allowed = documented[(req["method"], template)]
            assert r.status_code < 500 or str(r.status_code) in allowed, (item["name"], r.status_code, r.text)
            assert str(r.status_code) in allowed, (item["name"], req["method"], template, r.status_code, r.text[:300])
            ran += 1
    assert ran == operations
