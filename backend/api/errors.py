"""One table from exception to (HTTP status, code), and the handlers that render every error as
``{"error": {"code", "message", "request_id", "details"}}``. Internals never reach the client."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.engine.errors import EngineError
from backend.services.platform import errors as se

log = logging.getLogger("ledger_layer.api")

STATUS = {
    se.InvalidInput: 400,
    se.Unauthenticated: 401,
    se.Forbidden: 403,
    se.NotFound: 404,
    se.Conflict: 409,
    se.Unprocessable: 422,
    se.RateLimited: 429,
    se.Unavailable: 503,
}
HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
              422: "unprocessable", 429: "rate_limited"}


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(request: Request, status: int, code: str, message: str, details=None, headers=None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "request_id": request_id_of(request),
                      "details": details if details is not None else {}}}
    return JSONResponse(body, status_code=status, headers=headers)


def status_for(exc: se.ServiceError) -> int:
    explicit = getattr(exc, "http_status", None)  # e.g. 413 for an upload over the size cap
    if explicit:
        return explicit
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _field_path(loc) -> str:
    # ("body", "payments", 0, "amount") -> "payments[0].amount"; the "body"/"query" source is kept
    # out of the path but reported separately.
    out = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or (loc[0] if loc else "")


def install(app: FastAPI) -> None:
    @app.exception_handler(se.ServiceError)
    async def _service_error(request: Request, exc: se.ServiceError):
        request.state.error_code = exc.code
        return error_response(request, status_for(exc), exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(EngineError)
    async def _engine_error(request: Request, exc: EngineError):
        # An engine rejection names the rule it applied: 422 with that rule's code.
        request.state.error_code = exc.code
        details = dict(getattr(exc, "details", None) or {})
        if getattr(exc, "field", None):
            details.setdefault("field", exc.field)
        return error_response(request, 422, exc.code, exc.message, details)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        details = [
            {"field": _field_path(err.get("loc", ())), "in": (err.get("loc") or ("body",))[0],
             "code": err.get("type", "invalid"), "message": err.get("msg", "invalid value")}
            for err in exc.errors()
        ]
        request.state.error_code = "validation_error"
        fields = ", ".join(sorted({d["field"] for d in details if d["field"]}))
        return error_response(request, 400, "validation_error",
                              f"Some fields are invalid: {fields}." if fields else "The request is invalid.", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is no {request.method} {request.url.path} endpoint. See /v1/openapi.json."
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
        return error_response(request, exc.status_code, code, message, headers=getattr(exc, "headers", None))


INTERNAL_MESSAGE = "Something went wrong on our side. Quote the request id when you report it."


def internal_error_body(request_id: str) -> dict:
    return {"error": {"code": "internal_error", "message": INTERNAL_MESSAGE, "request_id": request_id, "details": {}}}


RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = ("The database cannot be reached right now (a restart or failover). Retry in a few "
                        "seconds; send a write again with the same Idempotency-Key and it is applied once.")


def database_unavailable_body(request_id: str) -> dict:
    return {"error": {"code": "database_unavailable", "message": DATABASE_UNAVAILABLE, "request_id": request_id,
                      "details": {}}}
