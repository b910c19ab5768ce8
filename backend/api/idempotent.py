"""POST handling shared by every creating route: the Idempotency-Key header and serialisation.

Routes call ``respond(...)`` instead of returning a value, so the response body that is stored
for replays is byte-identical to the one first sent, and it is stored in the same transaction
as the domain writes (``services.idempotency.execute``).
"""
from __future__ import annotations

import json
from typing import Annotated, Any, Callable

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel

from backend.api.deps import runtime
from backend.services.platform import idempotency
from backend.services.platform.context import Actor

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=257,
           description="Makes this POST safe to retry: same key + same body within 24 h returns the stored "
                       "response (200, `X-Idempotent-Replayed: true`); same key + other body → 422; "
                       "still running → 409."),
]


def _encode(result: Any, model: type[BaseModel] | None) -> str:
    data = model.model_validate(result).model_dump(mode="json") if model is not None else jsonable_encoder(result)
    return json.dumps(data, separators=(",", ":"))


SECRET_SHOWN_ONCE = ("This is a replay of an earlier request with the same Idempotency-Key. The secret was shown "
                     "once, in the first response, and is not stored; create a new one if it was lost.")


def redact(*fields: str) -> Callable[[dict], dict]:
    """A redactor for responses that carry secrets: blanks ``fields`` and adds a note for the replay."""
    def _redact(data: dict) -> dict:
        return {**{k: v for k, v in data.items() if k not in fields}, **{f: None for f in fields},
                "secret_redacted": True, "note": SECRET_SHOWN_ONCE}
    return _redact


def respond(request: Request, actor: Actor, run: Callable[[], Any], *, body: Any = None,
            status_code: int | Callable[[Any], int] = 200,
            model: type[BaseModel] | None = None, idempotency_key: str | None = None,
            redact_replay: Callable[[dict], dict] | None = None) -> Response:
    """Run ``run`` once per Idempotency-Key (when one is sent) and return its JSON response.

    ``redact_replay`` marks a response that carries a secret: what is stored for replays is its
    redacted form, so the secret exists only in the first response. ``status_code`` may be a
    function of the result (e.g. 202 only when jobs were queued).
    """
    def status_of(result: Any) -> int:
        return status_code(result) if callable(status_code) else status_code

    key = idempotency.parse_key(idempotency_key)
    if key is None:
        result = run()
        return Response(_encode(result, model), status_code=status_of(result), media_type="application/json")
    rt = runtime(request)
    endpoint = f"{request.method} {request.url.path}"
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")

    def once() -> tuple[int, str, str]:
        result = run()
        sent = _encode(result, model)
        if redact_replay is None:
            return status_of(result), sent, sent
        return status_of(result), sent, json.dumps(redact_replay(json.loads(sent)), separators=(",", ":"))

    outcome = idempotency.execute(rt, actor, endpoint=endpoint, key=key, fp=idempotency.fingerprint(endpoint, body),
                                  run=once)
    if outcome.replayed:
        return Response(outcome.body, status_code=200, media_type="application/json",
                        headers={"X-Idempotent-Replayed": "true"})
    return Response(outcome.body, status_code=outcome.status, media_type="application/json")
